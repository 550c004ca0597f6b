/**
 * The HTTP plumbing shared by the fake Kubernetes and Google Cloud servers:
 * a real server on 127.0.0.1, a request log, per-path fault injection and a
 * uniform latency. The fakes only decide what a path answers.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: string;
  /** The Authorization header, when one was sent. */
  authorization?: string;
}

export interface Fault {
  /** Substring or regular expression matched against the request path (without query). */
  match: string | RegExp;
  method?: string;
  /** How many matching requests this fault applies to (default: all). */
  times?: number;
  /** Answer with this status and body instead of the real answer. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Extra latency before answering (real answer or fault). */
  latencyMs?: number;
  /** Destroy the socket without answering. */
  reset?: boolean;
  /** Send the headers and half of the real body, then close the connection. */
  truncate?: boolean;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: LoggedRequest) => Reply | Promise<Reply>;

export interface FakeServer {
  url: string;
  port: number;
  requests: LoggedRequest[];
  faults: Fault[];
  /** Latency added to every request, in ms. */
  latencyMs: number;
  close(): Promise<void>;
}

/** PEM key and certificate: the fake then speaks HTTPS. */
export interface FakeTls {
  key: string;
  cert: string;
}

export async function startHttpFake(handler: Handler, options: { latencyMs?: number; tls?: FakeTls } = {}): Promise<FakeServer> {
  const requests: LoggedRequest[] = [];
  const faults: Fault[] = [];
  const hanging = new Set<http.ServerResponse>();
  const state = { latencyMs: options.latencyMs ?? 0 };

  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const logged: LoggedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          ...(chunks.length ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        };
        requests.push(logged);
        const fault = takeFault(faults, logged);
        const delay = state.latencyMs + (fault?.latencyMs ?? 0);
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (fault?.hang) {
          hanging.add(res);
          return;
        }
        if (fault?.reset) {
          req.socket.destroy();
          return;
        }
        let reply: Reply;
        if (fault?.status !== undefined) {
          reply = { status: fault.status, body: fault.body ?? { error: `injected ${fault.status}` }, headers: fault.headers };
        } else {
          try {
            reply = await handler(logged);
          } catch (error) {
            reply = { status: 500, body: { message: String(error) } };
          }
        }
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        const headers = { 'content-type': 'application/json', ...(reply.headers ?? {}), ...(fault?.headers ?? {}) };
        if (fault?.truncate) {
          res.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
          res.write(text.slice(0, Math.floor(text.length / 2)));
          setImmediate(() => req.socket.destroy());
          return;
        }
        res.writeHead(reply.status, headers);
        res.end(text);
      })();
    });
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeServer = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    faults,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(v: number) {
      state.latencyMs = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

function takeFault(faults: Fault[], req: LoggedRequest): Fault | undefined {
  const index = faults.findIndex(
    (f) =>
      (f.method === undefined || f.method === req.method) &&
      (typeof f.match === 'string' ? req.path.includes(f.match) : f.match.test(req.path)) &&
      (f.times === undefined || f.times > 0),
  );
  if (index < 0) return undefined;
  const fault = faults[index]!;
  if (fault.times !== undefined) fault.times--;
  return fault;
}
