/**
 * Issue 20, item 8: `serve`'s HTTP surface against hostile clients, on a real
 * listener on 127.0.0.1: Host allow-list (DNS rebinding), POST /scan only
 * from no or the same origin, 400 for unparsable targets, a connection cap.
 */
import net from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONNECTIONS, defaultAllowedHosts, startServer, type ServeServer, type ServerOptions } from '../../src/serve/http.js';

let served: ServeServer | undefined;
let scans = 0;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(options: ServerOptions = {}): Promise<{ port: number }> {
  scans = 0;
  served = await startServer(
    {
      registry: new Registry(),
      report: () => '{"findings":[]}\n',
      ready: () => true,
      startScan: () => {
        scans++;
        return true;
      },
      scanCooldownMs: 0,
    },
    '127.0.0.1',
    0,
    options,
  );
  return { port: Number(new URL(served.url).port) };
}

/** Sends raw request bytes on a fresh connection; resolves with the status code (0: closed without an answer). */
function raw(port: number, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(request));
    socket.on('data', (d: string) => {
      data += d;
      if (data.includes('\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(0) : reject(error)));
  });
}

const request = (method: string, target: string, headers: Record<string, string>) =>
  `${method} ${target} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}Content-Length: 0\r\nConnection: close\r\n\r\n`;

describe('Host allow-list (DNS rebinding)', () => {
  it('answers IP addresses and localhost names, refuses another name with 421', async () => {
    const { port } = await start();
    expect(await raw(port, request('GET', '/report.json', { Host: `127.0.0.1:${port}` }))).toBe(200);
    expect(await raw(port, request('GET', '/report.json', { Host: `localhost:${port}` }))).toBe(200);
    expect(await raw(port, request('GET', '/report.json', { Host: `[::1]:${port}` }))).toBe(200);
    expect(await raw(port, request('GET', '/report.json', { Host: `rebind.attacker.example:${port}` }))).toBe(421);
    expect(await raw(port, request('GET', '/metrics', { Host: 'rebind.attacker.example' }))).toBe(421);
    expect(await raw(port, `GET /healthz HTTP/1.0\r\n\r\n`)).toBe(421);
  });

  it('answers configured names (--allowed-host), and any with *', async () => {
    const { port } = await start({ allowedHosts: ['negdoctor.tools.internal'] });
    expect(await raw(port, request('GET', '/healthz', { Host: 'NEGDOCTOR.tools.internal.' }))).toBe(200);
    expect(await raw(port, request('GET', '/healthz', { Host: `localhost:${port}` }))).toBe(421);
    await served!.close();
    const any = await start({ allowedHosts: ['*'] });
    expect(await raw(any.port, request('GET', '/healthz', { Host: 'whatever.example' }))).toBe(200);
  });

  it('in a cluster, the Service DNS names are allowed by default', () => {
    const hosts = defaultAllowedHosts('0.0.0.0', { KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(hosts).toEqual(expect.arrayContaining(['localhost', 'negdoctor', 'negdoctor.negdoctor', 'negdoctor.negdoctor.svc', 'negdoctor.negdoctor.svc.cluster.local']));
    expect(defaultAllowedHosts('127.0.0.1', {})).not.toContain('negdoctor.negdoctor.svc');
  });
});

describe('POST /scan and origins (CSRF)', () => {
  it('refuses a cross-site form or fetch with 403; accepts no Origin or its own', async () => {
    const { port } = await start();
    const host = `127.0.0.1:${port}`;
    expect(await raw(port, request('POST', '/scan', { Host: host, Origin: 'https://attacker.example' }))).toBe(403);
    expect(await raw(port, request('POST', '/scan', { Host: host, Origin: 'null' }))).toBe(403);
    expect(await raw(port, request('POST', '/scan', { Host: host, 'Sec-Fetch-Site': 'cross-site' }))).toBe(403);
    expect(scans).toBe(0);
    expect(await raw(port, request('POST', '/scan', { Host: host }))).toBe(202);
    expect(await raw(port, request('POST', '/scan', { Host: host, Origin: `http://${host}` }))).toBe(202);
    expect(scans).toBe(2);
  });
});

describe('request targets', () => {
  it('answers 400, not 500, to a target URL cannot parse', async () => {
    const { port } = await start();
    expect(await raw(port, request('GET', 'http://[', { Host: `127.0.0.1:${port}` }))).toBe(400);
    expect(await raw(port, request('GET', '/healthz', { Host: `127.0.0.1:${port}` }))).toBe(200);
  });
});

describe('connection cap', () => {
  it(`has a default (${DEFAULT_MAX_CONNECTIONS}) and drops connections over it while the others are served`, async () => {
    const { port } = await start();
    expect(served!.server.maxConnections).toBe(DEFAULT_MAX_CONNECTIONS);
    await served!.close();
    const capped = await start({ maxConnections: 3 });
    const idle = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(capped.port, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    // Give the server time to accept them.
    await new Promise((r) => setTimeout(r, 100));
    expect(await raw(capped.port, request('GET', '/healthz', { Host: 'localhost' }))).toBe(0);
    for (const s of idle) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await raw(capped.port, request('GET', '/healthz', { Host: 'localhost' }))).toBe(200);
    void port;
  });
});
