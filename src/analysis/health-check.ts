/**
 * The load balancer health check GKE's Ingress controller derives for a NEG
 * backend, inferred from manifests the way kubernetes/ingress-gce does it:
 *
 * 1. Start from the NEG default (pkg/translator/healthchecks.go
 *    DefaultNEGHealthCheck): type = the port's app protocol, `GET /`,
 *    USE_SERVING_PORT (the endpoint's own port), interval 15 s, timeout 15 s,
 *    healthy threshold 1, unhealthy threshold 2.
 * 2. If a readinessProbe qualifies (pkg/controller/translator/translator.go
 *    getHTTPProbe/isSimpleHTTPProbe), copy its path (with a leading `/`),
 *    Host header, `timeoutSeconds` and `periodSeconds` (ApplyProbeSettingsToHC).
 *    A probe qualifies when it is httpGet, has no `host`, has no headers but a
 *    single `Host` one, its scheme equals the app protocol (HTTPS for HTTP2),
 *    and its port is the container port that `targetPort` names — which the
 *    container must declare under `ports`.
 * 3. A BackendConfig `spec.healthCheck` then overrides the fields it sets,
 *    field by field (UpdateFromBackendConfig); a `port` there switches to
 *    USE_FIXED_PORT.
 *
 * Not modelled: settings edited on the Compute health check by hand (the
 * controller keeps those unless a BackendConfig overrides them), and
 * Transparent Health Checks (`networking.gke.io/transparent-health-checker`).
 */
export type AppProtocol = 'HTTP' | 'HTTPS' | 'HTTP2';

export interface HealthCheckInput {
  servicePort: { port: number; name?: string; targetPort?: number | string; appProtocol?: string };
  /** The Service's `cloud.google.com/app-protocols` entry for this port (by port name). */
  appProtocolFromAnnotation?: AppProtocol;
  /** The serving container object (`ports`, `readinessProbe`); any shape is tolerated. */
  container: unknown;
  /** The container port the Service `targetPort` resolved to (the NEG endpoint port). */
  containerPortNumber?: number;
  /** The BackendConfig's `spec.healthCheck`, when a BackendConfig applies to the port. */
  backendConfigHealthCheck?: unknown;
}

export interface InferredHealthCheck {
  /** What shaped the result last: BackendConfig overrides, else the probe, else defaults. */
  source: 'backendconfig' | 'readiness-probe' | 'default';
  /** The readinessProbe's settings were copied (also true under a BackendConfig that overrides only some fields). */
  probeUsed: boolean;
  protocol: AppProtocol;
  path: string;
  /** The port probed: the endpoint port for USE_SERVING_PORT (undefined when unknown), or the fixed port. */
  port: number | undefined;
  portSpecification: 'USE_SERVING_PORT' | 'USE_FIXED_PORT';
  /** Host header sent, when the probe set one. */
  host?: string;
  checkIntervalSec: number;
  timeoutSec: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Why a readinessProbe that exists is not copied into the health check. */
  notInferredBecause?: string[];
  /** Facts worth telling the user (defaults filled in, ignored fields, malformed values). */
  notes?: string[];
}

/** NEG health-check defaults (pkg/translator/healthchecks.go). */
export const NEG_HEALTH_CHECK_DEFAULTS = {
  path: '/',
  checkIntervalSec: 15,
  timeoutSec: 15,
  healthyThreshold: 1,
  unhealthyThreshold: 2,
} as const;

/** Kubernetes API defaults for probe fields left unset; these are what GKE copies then. */
export const PROBE_DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1 } as const;

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

interface PortEntry {
  name?: string;
  containerPort?: number;
}

function containerPorts(container: Rec): PortEntry[] {
  const ports = container['ports'];
  if (!Array.isArray(ports)) return [];
  return ports.filter(isRecord).map((port) => {
    const entry: PortEntry = {};
    if (typeof port['name'] === 'string') entry.name = port['name'];
    if (typeof port['containerPort'] === 'number') entry.containerPort = port['containerPort'];
    return entry;
  });
}

function describePort(port: number | string, ports: PortEntry[]): string {
  if (typeof port === 'number') return String(port);
  const resolved = ports.find((p) => p.name === port)?.containerPort;
  return resolved === undefined ? `"${port}" (not a declared port)` : `"${port}" (${resolved})`;
}

function handlerKind(probe: Rec): string | undefined {
  for (const kind of ['httpGet', 'tcpSocket', 'exec', 'grpc']) if (probe[kind] !== undefined) return kind;
  return undefined;
}

/** GKE requires this scheme on the probe for the app protocol (translator.go getProbeScheme). */
function expectedScheme(protocol: AppProtocol): 'HTTP' | 'HTTPS' {
  return protocol === 'HTTP' ? 'HTTP' : 'HTTPS';
}

/**
 * Checks the readinessProbe as getHTTPProbe does. Returns the reasons it is
 * not used (empty when it is).
 */
function probeRejections(
  probe: Rec,
  container: Rec,
  targetPort: number | string,
  protocol: AppProtocol,
): string[] {
  const reasons: string[] = [];
  const kind = handlerKind(probe);
  const httpGet = probe['httpGet'];
  if (!isRecord(httpGet)) {
    reasons.push(
      kind && kind !== 'httpGet'
        ? `the readinessProbe uses ${kind}, not httpGet`
        : 'the readinessProbe has no httpGet handler',
    );
    return reasons;
  }

  const host = httpGet['host'];
  if (typeof host === 'string' && host !== '') {
    reasons.push(`the readinessProbe sets httpGet.host ("${host}"); use a Host header instead`);
  }

  const headers = Array.isArray(httpGet['httpHeaders']) ? httpGet['httpHeaders'] : [];
  const onlyHostHeader = headers.length === 1 && isRecord(headers[0]) && headers[0]['name'] === 'Host';
  if (headers.length > 0 && !onlyHostHeader) {
    const names = headers.map((h) => (isRecord(h) && typeof h['name'] === 'string' ? h['name'] : '?')).join(', ');
    reasons.push(`the readinessProbe sends HTTP headers (${names}); only a single "Host" header is allowed`);
  }

  // The API server defaults an unset scheme to HTTP.
  const scheme = typeof httpGet['scheme'] === 'string' ? httpGet['scheme'] : 'HTTP';
  const wanted = expectedScheme(protocol);
  if (scheme !== wanted) {
    reasons.push(`the readinessProbe scheme ${scheme} does not match the app protocol ${protocol} (needs scheme ${wanted})`);
  }

  const ports = containerPorts(container);
  const servingEntries = ports.filter((p) =>
    typeof targetPort === 'number' ? p.containerPort === targetPort : p.name === targetPort,
  );
  const probePort = httpGet['port'];
  if (servingEntries.length === 0) {
    reasons.push(
      `the container does not declare the serving port ${typeof targetPort === 'number' ? targetPort : `"${targetPort}"`} under ports; ` +
        'GKE only copies the probe of a container that declares it',
    );
  } else if (typeof probePort !== 'number' && typeof probePort !== 'string') {
    reasons.push('the readinessProbe httpGet.port is missing or not a number or name');
  } else {
    const matches = servingEntries.some((p) =>
      typeof probePort === 'number' ? p.containerPort === probePort : p.name === probePort,
    );
    if (!matches) {
      const serving = servingEntries[0];
      const servingText = serving?.name ? `"${serving.name}" (${serving.containerPort})` : String(serving?.containerPort);
      reasons.push(`the readinessProbe port ${describePort(probePort, ports)} is not the serving port ${servingText}`);
    }
  }
  return reasons;
}

interface BackendConfigHealthCheck {
  checkIntervalSec?: number;
  timeoutSec?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  type?: AppProtocol;
  requestPath?: string;
  port?: number;
}

/** Reads BackendConfig `spec.healthCheck` fields; a wrong type leaves the field unset, with a note. */
function readBackendConfigHealthCheck(value: Rec, notes: string[]): BackendConfigHealthCheck {
  const out: BackendConfigHealthCheck = {};
  for (const field of ['checkIntervalSec', 'timeoutSec', 'healthyThreshold', 'unhealthyThreshold', 'port'] as const) {
    const raw = value[field];
    if (raw === undefined || raw === null) continue;
    const number = positiveInteger(raw);
    if (number === undefined) notes.push(`BackendConfig healthCheck.${field} ${JSON.stringify(raw)} is not a positive integer; ignored`);
    else out[field] = number;
  }
  const type = value['type'];
  if (type !== undefined && type !== null) {
    if (type === 'HTTP' || type === 'HTTPS' || type === 'HTTP2') out.type = type;
    else notes.push(`BackendConfig healthCheck.type ${JSON.stringify(type)} is not HTTP, HTTPS or HTTP2; ignored`);
  }
  const path = value['requestPath'];
  if (path !== undefined && path !== null) {
    if (typeof path === 'string') out.requestPath = path;
    else notes.push('BackendConfig healthCheck.requestPath is not a string; ignored');
  }
  return out;
}

/** Infers the health check GKE programs for one NEG-backed Service port. */
export function inferHealthCheck(input: HealthCheckInput): InferredHealthCheck {
  const notes: string[] = [];
  const container = isRecord(input.container) ? input.container : {};
  const servicePort = isRecord(input.servicePort) ? input.servicePort : { port: NaN };
  const protocol: AppProtocol = input.appProtocolFromAnnotation ?? 'HTTP';
  if (input.appProtocolFromAnnotation === undefined && typeof servicePort.appProtocol === 'string' && servicePort.appProtocol !== '') {
    // translator.go setAppProtocol reads only the annotation.
    notes.push(
      `GKE Ingress ignores spec.ports[].appProtocol ("${servicePort.appProtocol}"); the protocol comes from the cloud.google.com/app-protocols annotation, so it is HTTP`,
    );
  }

  const result: InferredHealthCheck = {
    source: 'default',
    probeUsed: false,
    protocol,
    path: NEG_HEALTH_CHECK_DEFAULTS.path,
    port: input.containerPortNumber,
    portSpecification: 'USE_SERVING_PORT',
    checkIntervalSec: NEG_HEALTH_CHECK_DEFAULTS.checkIntervalSec,
    timeoutSec: NEG_HEALTH_CHECK_DEFAULTS.timeoutSec,
    healthyThreshold: NEG_HEALTH_CHECK_DEFAULTS.healthyThreshold,
    unhealthyThreshold: NEG_HEALTH_CHECK_DEFAULTS.unhealthyThreshold,
  };

  const probe = container['readinessProbe'];
  if (probe !== undefined && probe !== null) {
    const targetPort =
      typeof servicePort.targetPort === 'number' || (typeof servicePort.targetPort === 'string' && servicePort.targetPort !== '')
        ? servicePort.targetPort
        : servicePort.port; // Kubernetes defaults targetPort to port
    const reasons = isRecord(probe)
      ? probeRejections(probe, container, targetPort, protocol)
      : ['the readinessProbe is not an object'];
    if (reasons.length > 0) {
      result.notInferredBecause = reasons;
    } else {
      const httpGet = (probe as Rec)['httpGet'] as Rec;
      const rawPath = typeof httpGet['path'] === 'string' ? httpGet['path'] : '';
      // GCE requires a leading "/" (ApplyProbeSettingsToHC).
      result.path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
      const headers = Array.isArray(httpGet['httpHeaders']) ? httpGet['httpHeaders'] : [];
      const hostHeader = headers.find((h): h is Rec => isRecord(h) && h['name'] === 'Host');
      if (hostHeader && typeof hostHeader['value'] === 'string') result.host = hostHeader['value'];
      const probeRec = probe as Rec;
      const period = positiveInteger(probeRec['periodSeconds']);
      const timeout = positiveInteger(probeRec['timeoutSeconds']);
      result.checkIntervalSec = period ?? PROBE_DEFAULTS.periodSeconds;
      result.timeoutSec = timeout ?? PROBE_DEFAULTS.timeoutSeconds;
      if (period === undefined) {
        notes.push(`readinessProbe periodSeconds is unset, so Kubernetes' default ${PROBE_DEFAULTS.periodSeconds} s becomes the check interval`);
      }
      if (timeout === undefined) {
        notes.push(`readinessProbe timeoutSeconds is unset, so Kubernetes' default ${PROBE_DEFAULTS.timeoutSeconds} s becomes the health-check timeout`);
      }
      result.source = 'readiness-probe';
      result.probeUsed = true;
    }
  }

  const backendConfig = input.backendConfigHealthCheck;
  if (backendConfig !== undefined && backendConfig !== null) {
    if (!isRecord(backendConfig)) {
      notes.push('BackendConfig healthCheck is not an object; ignored');
    } else {
      const override = readBackendConfigHealthCheck(backendConfig, notes);
      if (override.checkIntervalSec !== undefined) result.checkIntervalSec = override.checkIntervalSec;
      if (override.timeoutSec !== undefined) result.timeoutSec = override.timeoutSec;
      if (override.healthyThreshold !== undefined) result.healthyThreshold = override.healthyThreshold;
      if (override.unhealthyThreshold !== undefined) result.unhealthyThreshold = override.unhealthyThreshold;
      if (override.type !== undefined) result.protocol = override.type;
      if (override.requestPath !== undefined) result.path = override.requestPath;
      if (override.port !== undefined) {
        result.port = override.port;
        result.portSpecification = 'USE_FIXED_PORT';
      }
      result.source = 'backendconfig';
    }
  }

  if (notes.length > 0) result.notes = notes;
  return result;
}
