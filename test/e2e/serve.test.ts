/**
 * `negdoctor serve`, the built CLI as a child process against the fakes:
 * /readyz turns ready after the first scan, /metrics passes the real
 * `promtool check metrics` and its finding gauges match /report.json, a
 * broken API keeps the last report and raises the error counter, the HTTP
 * surface is only what it must be, and SIGTERM exits 0 within the grace
 * period even mid-scan.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, ROOT } from './cli.js';
import { runCliAsync, startFakes, GKE_CONTEXT, type Fakes } from './live-harness.js';

const T = 180_000;
const PROMTOOL = '/usr/bin/promtool';

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

let fakes: Fakes;
let served: Served;

function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env: cliEnv(fakes.env), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 60_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const match = /serving on (http:\/\/[^ ]+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stderr: () => stderr, exited });
      }
    });
    void exited.then(() => reject(new Error(`serve exited:\n${stderr}`)));
  });
}

/** One request on its own connection (no keep-alive race with the server's idle timeout on a loaded machine). */
function get(path: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${served.url}${path}`, { method: init.method ?? 'GET', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${served.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Samples of one metric: labels → value. */
function samples(metrics: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) out.set(match[1] ?? '', Number(match[2]));
  }
  return out;
}

const scansDone = async () => samples((await get('/metrics')).text, 'negdoctor_scan_duration_seconds_count').get('') ?? 0;

beforeAll(async () => {
  fakes = await startFakes({ kubeLatencyMs: 150 });
  served = await serve(['--kubeconfig', fakes.kubeconfig, '-A', '--listen', '127.0.0.1:0', '--interval', '1h', '--scan-cooldown', '2s', '--shutdown-timeout', '3s']);
}, T);

afterAll(async () => {
  if (served && served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL');
  await fakes?.close();
});

type Report = { findings: Array<{ cluster: string; ruleId: string; severity: string; object: { namespace: string | null } | null }>; clusters: unknown[] };

describe('negdoctor serve', () => {
  it('is alive at once and ready only after the first scan', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const early = await get('/readyz');
    const report = await get('/report.json');
    // The first scan takes a while at 150 ms a request: not ready, no report yet.
    expect(early.status).toBe(503);
    expect(report.status).toBe(503);
    await until('ready', async () => ((await get('/readyz')).status === 200 ? true : undefined));
    expect((await get('/report.json')).status).toBe(200);
  }, T);

  it('serves metrics that promtool accepts, with finding gauges equal to /report.json', async () => {
    const metrics = (await get('/metrics')).text;
    if (existsSync(PROMTOOL)) {
      const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.status).toBe(0);
    } else if (process.env.CI === 'true') {
      throw new Error(`${PROMTOOL} is missing (Debian package prometheus, listed in .ci/debian-packages.txt)`);
    } else {
      console.warn(`skipping promtool check: ${PROMTOOL} not installed (apt-get install prometheus)`);
    }
    for (const name of ['negdoctor_findings', 'negdoctor_rule_not_evaluated', 'negdoctor_scan_duration_seconds', 'negdoctor_scan_errors_total', 'negdoctor_last_successful_scan_timestamp_seconds', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(metrics).toContain(`# TYPE ${name} `);
    }
    expect(metrics).not.toMatch(/nodejs_active_\w+_total/);

    const report = JSON.parse((await get('/report.json')).text) as Report;
    expect(report.findings.length).toBeGreaterThan(0);
    const expected = new Map<string, number>();
    for (const f of report.findings) {
      const key = `{cluster="${f.cluster}",namespace="${f.object?.namespace ?? ''}",rule="${f.ruleId}",severity="${f.severity}"}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(samples(metrics, 'negdoctor_findings')).toEqual(expected);
    expect(samples(metrics, 'negdoctor_last_successful_scan_timestamp_seconds').get(`{cluster="${GKE_CONTEXT}"}`)).toBeGreaterThan(Date.now() / 1000 - 600);
  }, T);

  it('/report.json has the schema of scan --format json, with the same findings', async () => {
    const served = JSON.parse((await get('/report.json')).text) as Report & Record<string, unknown>;
    const once = JSON.parse((await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env })).stdout) as Report & Record<string, unknown>;
    expect(Object.keys(served).filter((k) => k !== 'clusters')).toEqual(Object.keys(once));
    const ids = (r: Report) => r.findings.map((f) => f.ruleId).sort();
    expect(ids(served)).toEqual(ids(once));
    expect(served.clusters).toEqual([{ cluster: GKE_CONTEXT, collected: true }]);
  }, T);

  it('answers only its endpoints, with size limits and a rate-limited POST /scan', async () => {
    expect((await get('/nope')).status).toBe(404);
    const put = await get('/metrics', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD');
    expect((await get('/scan')).status).toBe(405);
    expect((await get('/scan', { method: 'POST', body: 'x'.repeat(4096) })).status).toBe(413);
  }, T);

  it('keeps the last report when the API breaks, and raises negdoctor_scan_errors_total', async () => {
    const before = (await get('/report.json')).text;
    const lastSuccess = samples((await get('/metrics')).text, 'negdoctor_last_successful_scan_timestamp_seconds');
    const done = await scansDone();
    fakes.kube.faults.push({ match: /./, status: 401, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', code: 401 } });
    try {
      await new Promise((r) => setTimeout(r, 2100)); // the cooldown since the rejected POST above
      expect((await get('/scan', { method: 'POST' })).status).toBe(202);
      expect((await get('/scan', { method: 'POST' })).status).toBe(429);
      await until('the failed scan', async () => ((await scansDone()) > done ? true : undefined));
    } finally {
      fakes.kube.faults.length = 0;
    }
    const metrics = (await get('/metrics')).text;
    expect(samples(metrics, 'negdoctor_scan_errors_total').get(`{cluster="${GKE_CONTEXT}",stage="kube"}`)).toBe(1);
    expect(samples(metrics, 'negdoctor_last_successful_scan_timestamp_seconds')).toEqual(lastSuccess);
    const after = JSON.parse((await get('/report.json')).text) as Report & { clusters: Array<{ error?: string }> };
    const findingsOf = (text: string) => (JSON.parse(text) as Report).findings;
    expect(after.findings).toEqual(findingsOf(before));
    expect(after.clusters[0]!.error).toMatch(/serving the last good collection/);
    expect((await get('/readyz')).status).toBe(200);
  }, T);

  it('exits 0 on SIGTERM within the grace period, abandoning a slow scan', async () => {
    fakes.kube.latencyMs = 5_000;
    await new Promise((r) => setTimeout(r, 2100));
    expect((await get('/scan', { method: 'POST' })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    served.child.kill('SIGTERM');
    const { code, at } = await served.exited;
    fakes.kube.latencyMs = 0;
    expect(code).toBe(0);
    // --shutdown-timeout 3s, plus process start-up slack on a busy machine.
    expect(at - sent).toBeLessThan(3_000 + 2_000);
    expect(served.stderr()).toContain('the running scan was abandoned');
  }, T);
});
