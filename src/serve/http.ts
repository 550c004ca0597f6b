/**
 * The HTTP side of `negdoctor serve`: four read-only endpoints and one that
 * starts a scan, nothing else. Requests carry no body worth reading (at most
 * MAX_BODY_BYTES, else 413), headers are capped, and a client that is slow to
 * send its request is cut off (REQUEST_TIMEOUT_MS). POST /scan is
 * rate-limited: one start per cooldown, 429 with Retry-After otherwise.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import os from 'node:os';
import type { Registry } from 'prom-client';

export const MAX_BODY_BYTES = 1024;
export const MAX_HEADER_BYTES = 8 * 1024;
export const REQUEST_TIMEOUT_MS = 10_000;
/** Open connections at most (`--max-connections`); more are refused by the kernel's accept, not queued in memory. */
export const DEFAULT_MAX_CONNECTIONS = 256;

export interface ServerOptions {
  /**
   * Host header values answered (without port; `*` for any). Default
   * (defaultAllowedHosts): IP literals, localhost names, the machine's host
   * name, and in a cluster the Service DNS names. Another name, as DNS
   * rebinding sends it, gets 421.
   */
  allowedHosts?: string[];
  maxConnections?: number;
}

/** The service account's namespace file, present in every pod. */
const NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * IP literals (a rebinding attack needs a name it controls, never an address),
 * localhost names, this host's name, the listen host, and in a cluster
 * `negdoctor`, `negdoctor.NS`, `negdoctor.NS.svc`, `negdoctor.NS.svc.cluster.local`
 * (the Service of deploy/base/serve.yaml) and the pod's name.
 */
export function defaultAllowedHosts(listenHost: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const hosts = ['localhost', 'localhost.localdomain', os.hostname().toLowerCase(), listenHost.toLowerCase()];
  if (env.KUBERNETES_SERVICE_HOST) {
    let namespace = 'negdoctor';
    try {
      namespace = readFileSync(NAMESPACE_FILE, 'utf8').trim() || namespace;
    } catch {
      // not a pod after all: the default namespace of deploy/
    }
    hosts.push('negdoctor', `negdoctor.${namespace}`, `negdoctor.${namespace}.svc`, `negdoctor.${namespace}.svc.cluster.local`);
  }
  return [...new Set(hosts.filter(Boolean))];
}

/** The host of a Host header, lower case, without port, brackets or a trailing dot; undefined when malformed. */
function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+))(?::\d{1,5})?$/.exec(header.trim());
  if (!match) return undefined;
  return (match[1] ?? match[2]!).toLowerCase().replace(/\.$/, '');
}

function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (host === undefined) return false;
  return allowed.has('*') || isIP(host) !== 0 || allowed.has(host);
}

export interface ServeState {
  registry: Registry;
  /** The last report as `--format json` renders it; undefined before the first scan. */
  report(): string | undefined;
  /** Ready: every cluster has been scanned at least once, and the server is not shutting down. */
  ready(): boolean;
  /** Starts a scan unless one runs; false when one was already running. */
  startScan(): boolean;
  /** Minimum time between two scans started by POST /scan, in ms. */
  scanCooldownMs: number;
}

/** Whether an Origin header names the server the request was sent to (scheme http, same host and port). */
function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && url.host.toLowerCase() === new URL(`http://${hostHeader}`).host.toLowerCase();
  } catch {
    return false;
  }
}

const ROUTES: Record<string, string[]> = {
  '/metrics': ['GET', 'HEAD'],
  '/report.json': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
  '/scan': ['POST'],
};

export interface ServeServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

export async function startServer(state: ServeState, host: string, port: number, options: ServerOptions = {}): Promise<ServeServer> {
  let lastTriggered = -Infinity;
  const allowed = new Set((options.allowedHosts ?? defaultAllowedHosts(host)).map((h) => h.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')));
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS / 2 }, (req, res) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      send(413, `request body larger than ${MAX_BODY_BYTES} bytes\n`, { connection: 'close' });
      req.destroy();
      return;
    }
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_BODY_BYTES) {
        send(413, `request body larger than ${MAX_BODY_BYTES} bytes\n`, { connection: 'close' });
        req.destroy();
      }
    });
    req.on('end', () => {
      void respond().catch((error: unknown) => send(500, `internal error: ${(error as Error).message}\n`));
    });

    const respond = async () => {
      const requestHost = hostOf(req.headers.host);
      if (!hostAllowed(requestHost, allowed)) {
        // DNS rebinding: a page of evil.example whose name now points here must not read /report.json.
        return send(421, 'unknown Host; negdoctor serve answers its own names (see --allowed-host)\n', { connection: 'close' });
      }
      let path: string;
      try {
        path = new URL(req.url ?? '/', 'http://localhost').pathname;
      } catch {
        return send(400, 'bad request target\n', { connection: 'close' });
      }
      const methods = ROUTES[path];
      if (!methods) return send(404, 'not found: negdoctor serves /metrics, /report.json, /healthz, /readyz and POST /scan\n');
      if (!methods.includes(req.method ?? '')) return send(405, `method not allowed; use ${methods.join(' or ')}\n`, { allow: methods.join(', ') });
      switch (path) {
        case '/metrics': {
          const text = await state.registry.metrics();
          return send(200, text, { 'content-type': state.registry.contentType });
        }
        case '/report.json': {
          const report = state.report();
          if (report === undefined) return send(503, '{"error":"no scan has completed yet"}\n', { 'content-type': 'application/json', 'retry-after': '10' });
          return send(200, report, { 'content-type': 'application/json' });
        }
        case '/healthz':
          return send(200, 'ok\n');
        case '/readyz':
          return state.ready() ? send(200, 'ready\n') : send(503, 'not ready: not every cluster has been scanned successfully yet (see negdoctor_scan_errors_total and the log), or shutting down\n');
        case '/scan': {
          // A cross-site form or fetch must not start scans: no Origin (curl, a CronJob) or this server's own.
          const origin = req.headers.origin;
          if ((origin !== undefined && !sameOrigin(origin, req.headers.host)) || req.headers['sec-fetch-site'] === 'cross-site') {
            return send(403, 'POST /scan from another origin is refused\n');
          }
          const wait = lastTriggered + state.scanCooldownMs - Date.now();
          if (wait > 0) return send(429, `a scan was started less than ${Math.ceil(state.scanCooldownMs / 1000)} s ago\n`, { 'retry-after': String(Math.ceil(wait / 1000)) });
          lastTriggered = Date.now();
          return state.startScan() ? send(202, 'scan started\n') : send(202, 'a scan is already running\n');
        }
      }
      return undefined;
    };
  });
  server.keepAliveTimeout = 5_000;
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
