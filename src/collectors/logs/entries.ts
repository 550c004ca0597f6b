/**
 * Cloud Logging entries → the snapshot's reduced log records.
 *
 * A LogEntry of an Application Load Balancer request log or of a health-check
 * log is reduced to the fields the symptom rules judge. What identifies
 * clients is never kept: remote IPs, user agents, referers, query strings,
 * trace and span ids, cookies and headers are dropped here, the one place
 * entries enter negdoctor (files and `scan --logs` alike).
 *
 * Field names (Google's "Logging and monitoring" pages of the external,
 * regional external and internal Application Load Balancers, and "Health
 * check logging"):
 *   request logs   httpRequest.{status, serverIp, latency, requestMethod, requestUrl};
 *                  jsonPayload.{statusDetails, proxyStatus};
 *                  resource.type http_load_balancer: labels.backend_service_name;
 *                  resource.type internal_http_lb_rule / http_external_regional_lb_rule:
 *                  labels.backend_target_name (the backend service), labels.backend_name (the NEG)
 *   health checks  resource.type gce_network_endpoint_group: labels.network_endpoint_group_id, zone;
 *                  jsonPayload.healthCheckProbeResult.{ipAddress, targetIp, targetPort, healthState,
 *                  detailedHealthState, previousDetailedHealthState, probeResultText, probeRequest,
 *                  probeCompletionResult}
 */
import type { LbRequestLog, ProbeLog } from '../../snapshot/types.js';
import { asRecord, asString, isRecord, type Rec } from '../../util/values.js';

/** The resource types of Application Load Balancer request logs. */
export const REQUEST_LOG_RESOURCES = new Set(['http_load_balancer', 'internal_http_lb_rule', 'http_external_regional_lb_rule']);

export type EntryKind = 'request' | 'probe' | 'other';

/** Which kind of log entry a value is; undefined when it is no log entry at all. */
export function entryKind(value: unknown): EntryKind | undefined {
  if (!isRecord(value)) return undefined;
  const payload = asRecord(value.jsonPayload);
  if (payload && isRecord(payload.healthCheckProbeResult)) return 'probe';
  const labels = asRecord(asRecord(value.resource)?.labels);
  if (isRecord(value.httpRequest) && (labels?.backend_service_name !== undefined || labels?.backend_target_name !== undefined || typeof payload?.statusDetails === 'string')) return 'request';
  if (typeof value.logName === 'string' && typeof asRecord(value.resource)?.type === 'string') return 'other';
  return undefined;
}

/** The resource type of an entry, for the notice about skipped ones. */
export function resourceTypeOf(value: unknown): string {
  return asString(asRecord(asRecord(value)?.resource)?.type) ?? 'unknown';
}

function timestampOf(entry: Rec): string | undefined {
  const t = asString(entry.timestamp) ?? asString(entry.receiveTimestamp);
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `10.8.0.14`, `10.8.0.14:8080`, `[fd00::1]:8080` → address and port. */
export function splitHostPort(value: string): { ip: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return { ip: v6[1]!, ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  const v4 = /^([^:]+):(\d+)$/.exec(value);
  if (v4) return { ip: v4[1]!, port: Number(v4[2]) };
  return { ip: value };
}

/** `"0.031234s"` (JSON), or `{seconds, nanos}` (protobuf objects) → seconds. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const match = /^(-?\d+(?:\.\d+)?)s$/.exec(value.trim());
    return match ? Number(match[1]) : undefined;
  }
  const rec = asRecord(value);
  if (!rec) return undefined;
  const seconds = Number(rec.seconds ?? 0);
  const nanos = Number(rec.nanos ?? 0);
  return Number.isFinite(seconds) && Number.isFinite(nanos) ? seconds + nanos / 1e9 : undefined;
}

/** The path of a request URL, without scheme, host and query string. */
function urlPath(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const noQuery = url.replace(/[?#].*$/s, '');
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(noQuery);
  return match ? (match[1] ?? '/') : noQuery;
}

export function reduceRequest(entry: Rec): LbRequestLog | undefined {
  const t = timestampOf(entry);
  if (!t) return undefined;
  const http = asRecord(entry.httpRequest) ?? {};
  const payload = asRecord(entry.jsonPayload) ?? {};
  const resource = asRecord(entry.resource) ?? {};
  const labels = asRecord(resource.labels) ?? {};
  const status = typeof http.status === 'number' ? http.status : Number.parseInt(asString(http.status) ?? '', 10);
  const backendService = asString(labels.backend_service_name) || asString(labels.backend_target_name);
  const backendType = asString(labels.backend_type);
  const neg = backendType === undefined || backendType === 'NETWORK_ENDPOINT_GROUP' ? asString(labels.backend_name) : undefined;
  const server = asString(http.serverIp);
  const address = server ? splitHostPort(server) : undefined;
  const latency = durationSeconds(http.latency);
  const path = urlPath(asString(http.requestUrl));
  return {
    t,
    resourceType: asString(resource.type) ?? 'unknown',
    ...(Number.isFinite(status) ? { status } : {}),
    ...(asString(payload.statusDetails) ? { statusDetails: asString(payload.statusDetails)! } : {}),
    ...(asString(payload.proxyStatus) ? { proxyStatus: asString(payload.proxyStatus)! } : {}),
    ...(backendService ? { backendService } : {}),
    ...(neg ? { neg } : {}),
    ...(address?.ip ? { serverIp: address.ip } : {}),
    ...(address?.port !== undefined ? { serverPort: address.port } : {}),
    ...(latency !== undefined ? { latency } : {}),
    ...(asString(http.requestMethod) ? { method: asString(http.requestMethod)! } : {}),
    ...(path ? { path } : {}),
  };
}

export function reduceProbe(entry: Rec): ProbeLog | undefined {
  const t = timestampOf(entry);
  const labels = asRecord(asRecord(entry.resource)?.labels) ?? {};
  const negId = asString(labels.network_endpoint_group_id) ?? (typeof labels.network_endpoint_group_id === 'number' ? String(labels.network_endpoint_group_id) : undefined);
  const result = asRecord(asRecord(entry.jsonPayload)?.healthCheckProbeResult);
  if (!t || !negId || !result) return undefined;
  const ip = asString(result.targetIp) ?? asString(result.ipAddress);
  const port = typeof result.targetPort === 'number' ? result.targetPort : Number.parseInt(asString(result.targetPort) ?? '', 10);
  const text = (key: string) => (asString(result[key]) ? { [key]: asString(result[key])! } : {});
  return {
    t,
    negId,
    ...(asString(labels.zone) ? { zone: asString(labels.zone)! } : {}),
    ...(ip ? { ip } : {}),
    ...(Number.isFinite(port) ? { port } : {}),
    ...text('healthState'),
    ...text('detailedHealthState'),
    ...text('previousDetailedHealthState'),
    ...text('probeResultText'),
    ...(asString(result.probeRequest) ? { probeRequest: urlPath(asString(result.probeRequest))! } : {}),
    ...text('probeCompletionResult'),
  };
}

/** Log records read from the inputs, and what was skipped. */
export interface LogCollection {
  requests: LbRequestLog[];
  probes: ProbeLog[];
  /** Entries of other kinds, by resource type. */
  skipped: Map<string, number>;
  /** Entries of the two kinds that lacked a timestamp or their resource labels. */
  unusable: number;
}

export function emptyLogCollection(): LogCollection {
  return { requests: [], probes: [], skipped: new Map(), unusable: 0 };
}

/** Adds one entry; returns whether it was a log entry at all. */
export function addEntry(logs: LogCollection, value: unknown): boolean {
  const kind = entryKind(value);
  if (!kind) return false;
  const entry = value as Rec;
  if (kind === 'request') {
    const record = reduceRequest(entry);
    if (record) logs.requests.push(record);
    else logs.unusable++;
  } else if (kind === 'probe') {
    const record = reduceProbe(entry);
    if (record) logs.probes.push(record);
    else logs.unusable++;
  } else {
    const type = resourceTypeOf(entry);
    logs.skipped.set(type, (logs.skipped.get(type) ?? 0) + 1);
  }
  return true;
}

/** The one notice about skipped entries, per file. */
export function skippedNotice(skipped: ReadonlyMap<string, number>, unusable: number): string | undefined {
  const total = [...skipped.values()].reduce((a, b) => a + b, 0);
  const parts: string[] = [];
  if (total > 0) {
    const types = [...skipped.entries()].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} ×${n}`);
    parts.push(`skipped ${total} Cloud Logging ${total === 1 ? 'entry' : 'entries'} of other kinds (${types.slice(0, 5).join(', ')}${types.length > 5 ? ', …' : ''}): only load balancer request logs and health-check logs are read`);
  }
  if (unusable > 0) parts.push(`skipped ${unusable} log ${unusable === 1 ? 'entry' : 'entries'} without a timestamp or resource labels`);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * A raw entry with what identifies clients removed (remote IPs, user agent,
 * referer, query string, trace and span ids), for files `gather` writes: the
 * rest stays in Cloud Logging's own form so lint reads it like any dump.
 */
export function redactLogEntry(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out: Rec = { ...value };
  delete out.trace;
  delete out.spanId;
  delete out.traceSampled;
  delete out.labels;
  const http = asRecord(value.httpRequest);
  if (http) {
    const { remoteIp: _r, userAgent: _u, referer: _f, ...rest } = http;
    const url = asString(rest.requestUrl);
    out.httpRequest = { ...rest, ...(url ? { requestUrl: url.replace(/[?#].*$/s, '') } : {}) };
  }
  const payload = asRecord(value.jsonPayload);
  if (payload) {
    const { remoteIp: _p, ...rest } = payload;
    out.jsonPayload = rest;
  }
  return out;
}
