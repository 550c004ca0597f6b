/**
 * `negdoctor serve` on two clusters: /readyz answers 200 only once every
 * cluster has been collected at least once (a cluster nothing could be
 * collected from does not count), and each cluster's
 * negdoctor_last_successful_scan_timestamp_seconds exists from start-up, 0
 * until its first successful scan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startKubeFake, type KubeFake } from '../fakes/kube-server.js';
import { BIN, cliEnv, ROOT } from './cli.js';
import { clusterObjects, startFakes, type Fakes } from './live-harness.js';

const T = 120_000;
let fakes: Fakes;
let second: KubeFake;
let child: ChildProcess;
let url: string;
let stderr = '';

function get(p: string, method = 'GET'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${p}`, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const lastSuccess = async () => {
  const out: Record<string, number> = {};
  for (const m of (await get('/metrics')).text.matchAll(/^negdoctor_last_successful_scan_timestamp_seconds\{cluster="([^"]+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
};
const scans = async () => Number(/^negdoctor_scan_duration_seconds_count (\S+)$/m.exec((await get('/metrics')).text)?.[1] ?? 0);

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const unauthorized = { match: /./, status: 401, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', code: 401 } };

beforeAll(async () => {
  fakes = await startFakes();
  second = await startKubeFake(clusterObjects());
  second.faults.push(unauthorized);
  const kubeconfig = path.join(fakes.dir, 'two-clusters');
  const servers = { good: fakes.kube.url, refused: second.url };
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: Object.entries(servers).map(([name, server]) => ({ name, cluster: { server, 'insecure-skip-tls-verify': true } })),
      users: [{ name: 'u', user: { token: 'kubeconfig-token' } }],
      contexts: Object.keys(servers).map((name) => ({ name, context: { cluster: name, user: 'u' } })),
      'current-context': 'good',
    }),
  );
  child = spawn(process.execPath, [BIN, 'serve', '--kubeconfig', kubeconfig, '--all-contexts', '-A', '--no-cloud', '--listen', '127.0.0.1:0', '--interval', '1h', '--scan-cooldown', '1s'], {
    cwd: ROOT,
    env: cliEnv(fakes.env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const match = /serving on (http:\/\/[^ ]+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`serve exited:\n${stderr}`)));
  });
}, T);

afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all([fakes?.close(), second?.close()]);
});

describe('negdoctor serve on several clusters', () => {
  it('is not ready while one cluster has never been collected, and says so per cluster from the first scrape', async () => {
    // The first scrape may come before the first scan's end; a fleet's clusters are known once the kubeconfig is read.
    await until('the first scan', async () => (await scans()) >= 1);
    expect(await lastSuccess()).toEqual({ good: expect.any(Number), refused: 0 });
    expect((await lastSuccess()).good).toBeGreaterThan(0);
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.text).toMatch(/not every cluster has been scanned successfully/);
  }, T);

  it('is ready once every cluster has been collected, and stays ready when one fails again', async () => {
    second.faults.length = 0;
    await new Promise((r) => setTimeout(r, 1100)); // --scan-cooldown
    const done = await scans();
    expect((await get('/scan', 'POST')).status).toBe(202);
    await until('the second scan', async () => (await scans()) > done);
    expect((await lastSuccess()).refused).toBeGreaterThan(0);
    expect((await get('/readyz')).status).toBe(200);

    second.faults.push(unauthorized);
    await new Promise((r) => setTimeout(r, 1100));
    const again = await scans();
    expect((await get('/scan', 'POST')).status).toBe(202);
    await until('the third scan', async () => (await scans()) > again);
    // A later failure is the stale alert's business (deploy/), not readiness: the pod keeps serving its last report.
    expect((await get('/readyz')).status).toBe(200);
  }, T);
});
