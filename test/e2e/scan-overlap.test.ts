/**
 * Google Cloud is read beside the Kubernetes lists, not after them: it starts
 * once the API server has answered /version and the kube-system read has
 * settled. Shown with the built CLI against the fakes and a slow list; and a
 * cluster that turns out unreachable still gets no Google Cloud in its
 * result, the Google Cloud collection already started being stopped.
 */
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedRequest } from '../fakes/http-fake.js';
import { closedPort, runCliAsync, startFakes, type Fakes, type JsonReport } from './live-harness.js';

const T = 180_000;
let fakes: Fakes;

/** Arrival time (ms, this process's clock) of each request either fake logs until `stop`. */
function stampArrivals(f: Fakes): { at: WeakMap<LoggedRequest, number>; stop(): void } {
  const at = new WeakMap<LoggedRequest, number>();
  const logs = [f.kube.requests, f.gcp.requests];
  for (const log of logs) {
    const push = log.push.bind(log);
    log.push = (...items: LoggedRequest[]) => {
      for (const item of items) at.set(item, performance.now());
      return push(...items);
    };
  }
  return { at, stop: () => logs.forEach((log) => delete (log as { push?: unknown }).push) };
}

beforeAll(async () => {
  fakes = await startFakes();
}, T);

afterAll(async () => {
  await fakes?.close();
});

const withoutClock = (report: JsonReport) =>
  JSON.parse(JSON.stringify(report.findings, (key, value: unknown) => (/Seconds$/.test(key) && typeof value === 'number' ? 'N' : value))) as unknown;

describe('Google Cloud beside the Kubernetes lists', () => {
  it('reads Google Cloud while a slow list is still unanswered, and reports the same findings', async () => {
    const sequential = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env });
    const { at, stop } = stampArrivals(fakes);
    fakes.kube.requests.length = 0;
    fakes.gcp.requests.length = 0;
    const delayMs = 4_000;
    fakes.kube.faults.push({ match: /^\/api\/v1\/pods$/, latencyMs: delayMs });
    let run;
    try {
      run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env, timeoutMs: 120_000 });
    } finally {
      fakes.kube.faults.length = 0;
      stop();
    }
    expect(run.stderr).toBe('');
    const pods = fakes.kube.requests.find((r) => r.path === '/api/v1/pods')!;
    const podsAnswered = at.get(pods)! + delayMs;
    const cloud = fakes.gcp.requests.map((r) => at.get(r)!);
    expect(cloud.length).toBeGreaterThan(5);
    // Every Google Cloud read went out while the pods list was still waiting for its answer.
    expect(Math.max(...cloud)).toBeLessThan(podsAnswered);
    // …and only after the kube-system read, whose UID names the cluster's NEGs.
    const kubeSystem = fakes.kube.requests.find((r) => r.path === '/api/v1/namespaces/kube-system')!;
    expect(Math.min(...cloud)).toBeGreaterThan(at.get(kubeSystem)!);
    expect(withoutClock(JSON.parse(run.stdout) as JsonReport)).toEqual(withoutClock(JSON.parse(sequential.stdout) as JsonReport));
  }, T);

  it('without the kube-system UID (403) Google Cloud is still read, beside the lists', async () => {
    fakes.kube.requests.length = 0;
    fakes.gcp.requests.length = 0;
    fakes.kube.faults.push({ match: '/api/v1/namespaces/kube-system', status: 403, body: { kind: 'Status', message: 'forbidden' } });
    let run;
    try {
      run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env });
    } finally {
      fakes.kube.faults.length = 0;
    }
    expect(run.stderr).toMatch(/kube-system Namespace.*403/);
    expect(fakes.gcp.requests.some((r) => r.path.endsWith('/aggregated/networkEndpointGroups'))).toBe(true);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.notEvaluated.map((n) => n.reason).join('\n')).not.toMatch(/Google Cloud was not read/);
  }, T);
});

describe('an unreachable cluster still reads no Google Cloud', () => {
  it('/version unanswered (closed port): not one Google Cloud request', async () => {
    fakes.gcp.requests.length = 0;
    const port = await closedPort();
    const kubeconfig = fakes.kube.writeKubeconfig({ dir: mkdtempSync(path.join(fakes.dir, 'closed-')), server: `http://127.0.0.1:${port}` });
    const run = await runCliAsync(['scan', '--kubeconfig', kubeconfig, '--format', 'json', '--timeout', '20'], { env: fakes.env });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(fakes.gcp.requests).toEqual([]);
  }, T);

  it('/version and kube-system answered, then every list unanswered: exit 3, and the started Google Cloud collection is stopped', async () => {
    fakes.kube.requests.length = 0;
    fakes.gcp.requests.length = 0;
    // Every list is reset (retried, then "no answer": ~15 s for all of them, longer on a loaded machine).
    // Google Cloud answers far later: its first reads are still out when the lists have failed, the
    // reads that follow them must never be sent, and the CLI exits without waiting for those answers.
    fakes.kube.faults.push({ match: /^\/apis?\/(?!v1\/namespaces\/kube-system$)/, reset: true });
    fakes.gcp.faults.push({ match: /./, latencyMs: 90_000 });
    let run;
    const started = Date.now();
    try {
      run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json', '--timeout', '100'], { env: fakes.env, timeoutMs: 150_000 });
    } finally {
      fakes.kube.faults.length = 0;
      fakes.gcp.faults.length = 0;
    }
    expect(run.status).toBe(3);
    // The CLI did not wait for the abandoned Google Cloud calls (90 s) to be answered.
    expect(Date.now() - started).toBeLessThan(80_000);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/every list failed/);
    expect(run.stderr).not.toMatch(/Google Cloud/);
    // Google Cloud had started (the server had answered /version and kube-system)…
    expect(fakes.kube.requests.some((r) => r.path === '/api/v1/namespaces/kube-system')).toBe(true);
    expect(fakes.gcp.requests.some((r) => r.path.endsWith('/aggregated/networkEndpointGroups'))).toBe(true);
    // …and was stopped with the lists: nothing that follows a first answer (the cluster's network, its
    // firewall rules, the endpoints of a NEG, backend health) was asked for.
    expect(fakes.gcp.requests.filter((r) => /\/global\/networks\/|\/firewalls$|listNetworkEndpoints$|getHealth$/.test(r.path))).toEqual([]);
  }, T);
});
