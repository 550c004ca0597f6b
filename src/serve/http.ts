/**
 * The HTTP side of `negdoctor serve`: four read-only endpoints and one that
 * starts a scan, nothing else. Requests carry no body worth reading (at most
 * MAX_BODY_BYTES, else 413), headers are capped, and a client that is slow to
 * send its request is cut off (REQUEST_TIMEOUT_MS). POST /scan is
 * rate-limited: one start per cooldown, 429 with Retry-After otherwise.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export const MAX_BODY_BYTES = 1024;
export const MAX_HEADER_BYTES = 8 * 1024;
export const REQUEST_TIMEOUT_MS = 10_000;

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

export async function startServer(state: ServeState, host: string, port: number): Promise<ServeServer> {
  let lastTriggered = -Infinity;
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
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
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
