/**
 * `scan --logs`: the load balancer request logs and the health-check logs of
 * the cluster's own backends, read with Cloud Logging's entries.list (a POST
 * that only reads) and filtered server-side: request logs to 5xx on the
 * cluster's backend services, health-check logs to the cluster's NEGs (by
 * id; every transition, so that an endpoint that recovered is seen to). At
 * most `maxEntries` of each kind, newest first, with a notice when the cap
 * cuts the window short. Entries are reduced at once (collectors/logs/entries.ts).
 */
import { DATA } from '../../snapshot/data-keys.js';
import type { GcpBackendService, GcpNeg } from '../../snapshot/types.js';
import { parseNegDescription, isGkeNegName } from '../../analysis/neg-name.js';
import { lastSegment } from '../../util/text.js';
import { addEntry, emptyLogCollection, REQUEST_LOG_RESOURCES } from '../logs/entries.js';
import type { GcpReadContext } from './context.js';
import { OPS } from './operations.js';
import { CALL } from './session.js';

const PAGE_SIZE = 1000;
export const DEFAULT_MAX_LOG_ENTRIES = 20_000;
const NOT_ASKED = 'not read: `negdoctor scan --logs DURATION` (e.g. `--logs 1h`) reads the load balancer request logs and health-check logs';

/** The NEGs of this cluster: their description names its UID (or, without one, GKE's naming). */
function clusterNegs(negs: readonly GcpNeg[] | undefined, clusterUid: string | undefined): GcpNeg[] {
  return (negs ?? []).filter((neg) => {
    const description = parseNegDescription(neg.description);
    return clusterUid ? description?.clusterUid === clusterUid : description !== undefined || isGkeNegName(neg.name);
  });
}

/** The backend services with one of the NEGs among their backends. */
function clusterBackendServices(services: readonly GcpBackendService[] | undefined, negNames: ReadonlySet<string>): GcpBackendService[] {
  return (services ?? []).filter((bs) => (bs.backends ?? []).some((b) => negNames.has(lastSegment(b.group))));
}

function loggingEnabled(bs: GcpBackendService): boolean {
  const config = bs.logConfig as { enable?: boolean; sampleRate?: number } | undefined;
  return config?.enable === true && config.sampleRate !== 0;
}

/** The command that turns logging on for a backend service. */
export function enableLoggingCommand(bs: GcpBackendService): string {
  const region = bs.region ? lastSegment(bs.region) : undefined;
  return `gcloud compute backend-services update ${bs.name} ${region ? `--region=${region}` : '--global'} --enable-logging --logging-sample-rate=1`;
}

const quoted = (values: readonly string[]) => `(${values.map((v) => JSON.stringify(v)).join(' OR ')})`;

/** The entries.list filter for the 5xx request logs of these backend services. */
export function requestLogFilter(backendServices: readonly string[], since: string): string {
  const regional = [...REQUEST_LOG_RESOURCES].filter((t) => t !== 'http_load_balancer');
  return `timestamp>=${JSON.stringify(since)} AND httpRequest.status>=500 AND ((resource.type="http_load_balancer" AND resource.labels.backend_service_name=${quoted(backendServices)}) OR (resource.type=${quoted(regional)} AND resource.labels.backend_target_name=${quoted(backendServices)}))`;
}

/** The entries.list filter for the health-check logs of these NEGs. */
export function probeLogFilter(project: string, negIds: readonly string[], since: string): string {
  return `timestamp>=${JSON.stringify(since)} AND logName=${JSON.stringify(`projects/${project}/logs/compute.googleapis.com%2Fhealthchecks`)} AND resource.type="gce_network_endpoint_group" AND resource.labels.network_endpoint_group_id=${quoted(negIds)}`;
}

export async function readLogs(context: GcpReadContext, services: GcpBackendService[] | undefined, negs: GcpNeg[] | undefined): Promise<void> {
  const { session, clients, options, cloud } = context;
  const logs = options.logs;
  if (!logs) {
    session.missing(DATA.gcpRequestLogs, NOT_ASKED);
    session.missing(DATA.gcpProbeLogs, NOT_ASKED);
    return;
  }
  const logging = clients.logging;
  if (!logging) throw new Error('the Cloud Logging client was not created');
  const now = Date.now();
  const since = new Date(now - logs.sinceMs).toISOString();
  const mine = clusterNegs(negs, options.clusterUid);
  const negNames = new Set(mine.map((n) => n.name));
  const backendServices = clusterBackendServices(services, negNames);
  const enabled = backendServices.filter(loggingEnabled);
  const disabled = backendServices.filter((bs) => !loggingEnabled(bs));
  const collected = emptyLogCollection();
  let truncated = false;

  const read = async (key: string, filter: string): Promise<boolean> => {
    let token: string | undefined;
    let count = 0;
    try {
      do {
        const [entries, , answer] = await session.call('logs', () =>
          logging.listLogEntries({ resourceNames: [`projects/${options.project}`], filter, orderBy: 'timestamp desc', pageSize: Math.min(PAGE_SIZE, logs.maxEntries - count), ...(token ? { pageToken: token } : {}) }, CALL),
        );
        for (const entry of entries) addEntry(collected, fromProto(entry));
        count += entries.length;
        const next = answer?.nextPageToken;
        token = typeof next === 'string' && next !== '' ? next : undefined;
        if (token && count >= logs.maxEntries) {
          truncated = true;
          token = undefined;
        }
      } while (token);
      return true;
    } catch (error) {
      session.fail(key, 'logs', OPS.listLogEntries, `projects/${options.project}`, error);
      return false;
    }
  };

  session.progress.onStart?.('logs');
  const disabledText = disabled.map((bs) => `\`${enableLoggingCommand(bs)}\``).join('; ');
  if (services === undefined || negs === undefined) {
    session.missing(DATA.gcpRequestLogs, 'the backend services or NEGs could not be read, so the cluster\'s backends are not known');
  } else if (enabled.length === 0) {
    session.missing(
      DATA.gcpRequestLogs,
      backendServices.length === 0
        ? 'no backend service of this cluster was found'
        : `logging is disabled on the cluster's backend services (logConfig.enable false or sample rate 0): ${disabledText}`,
    );
  } else if (await read(DATA.gcpRequestLogs, requestLogFilter(enabled.map((bs) => bs.name), since))) {
    cloud.requestLogs = collected.requests;
    session.collected(DATA.gcpRequestLogs, disabled.length ? `logging is disabled on ${disabled.map((bs) => bs.name).join(', ')}: ${disabledText}` : undefined);
  }
  const negIds = mine.map((n) => n.id).filter((id): id is string | number => typeof id === 'string' || typeof id === 'number').map(String);
  if (negs !== undefined && negIds.length === 0) session.missing(DATA.gcpProbeLogs, 'no NEG of this cluster was found');
  else if (negIds.length > 0 && (await read(DATA.gcpProbeLogs, probeLogFilter(options.project, negIds, since)))) {
    cloud.probeLogs = collected.probes;
    session.collected(DATA.gcpProbeLogs);
  }
  if (cloud.requestLogs || cloud.probeLogs) cloud.logWindow = { from: since, to: new Date(now).toISOString(), entries: collected.requests.length + collected.probes.length, ...(truncated ? { truncated } : {}) };
  if (truncated) {
    const message = `the logs hold more than ${logs.maxEntries.toLocaleString('en-US')} matching entries: only the newest were read; shorten --logs for the whole window`;
    session.progress.onError?.('logs', message);
    for (const key of [DATA.gcpRequestLogs, DATA.gcpProbeLogs]) if (session.data[key]?.state === 'collected') session.data[key] = { state: 'collected', reason: message };
  }
  session.progress.onDone?.('logs', collected.requests.length + collected.probes.length);
}

/** A LogEntry as the REST client decodes it (Timestamp objects, Struct payloads) → its JSON form. */
export function fromProto(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  const e = entry as Record<string, unknown>;
  const out: Record<string, unknown> = { ...e };
  for (const key of ['timestamp', 'receiveTimestamp']) {
    const t = e[key] as { seconds?: unknown; nanos?: unknown } | null | undefined;
    if (t && typeof t === 'object') out[key] = new Date(Number(t.seconds ?? 0) * 1000 + Math.floor(Number(t.nanos ?? 0) / 1e6)).toISOString();
  }
  if (e.jsonPayload && typeof e.jsonPayload === 'object' && 'fields' in (e.jsonPayload as object)) out.jsonPayload = structToJson(e.jsonPayload);
  return out;
}

function structToJson(struct: unknown): Record<string, unknown> {
  const fields = (struct as { fields?: Record<string, unknown> }).fields ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = valueToJson(value);
  return out;
}

function valueToJson(value: unknown): unknown {
  const v = value as Record<string, unknown> | null | undefined;
  if (!v || typeof v !== 'object') return v;
  const kind = typeof v.kind === 'string' ? v.kind : Object.keys(v).find((k) => k.endsWith('Value'));
  switch (kind) {
    case 'stringValue':
      return v.stringValue;
    case 'numberValue':
      return v.numberValue;
    case 'boolValue':
      return v.boolValue;
    case 'nullValue':
      return null;
    case 'structValue':
      return structToJson(v.structValue);
    case 'listValue':
      return ((v.listValue as { values?: unknown[] } | undefined)?.values ?? []).map(valueToJson);
    default:
      return undefined;
  }
}
