/**
 * The shipped alerts (deploy/overlays/prometheus-operator, rendered by the real
 * `kubectl kustomize`) under the real `promtool test rules`, on series scraped
 * from real `negdoctor serve` runs against the fakes, one run per scenario:
 *
 *   healthy  a clean cluster that scans fine          → no alert
 *   errors   the fixture cluster with error findings  → NegdoctorErrorFinding
 *   never    every request refused (401) from start   → NegdoctorScanNeverSucceeded
 *   stale    scans fine once, then every request 401  → NegdoctorScanStale
 *   down     scans fine, then the process is stopped  → NegdoctorMetricsAbsent
 *
 * /metrics is scraped once a second, with serve's --interval at INTERVAL
 * seconds, for at least MIN_WINDOW seconds and until the run has shown what
 * it is for (on a loaded machine the first scan can take a while), at most
 * MAX_WINDOW. promtool has no wall
 * clock: its time starts at 0, so time 0 is the first scrape and the timestamp
 * gauge is moved by the same amount; a series a scrape did not have is missing
 * there (`_`), as Prometheus would store it. Alerts whose `for:` outlasts the
 * window (10 and 15 minutes) are judged on the scraped series continued with
 * their last scraped value: the state the run ended in, lasting. Each serve
 * also answers /readyz, checked on the way: ready only once it has scanned.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { startGcpFake } from '../fakes/gcp-server.js';
import { startKubeFake } from '../fakes/kube-server.js';
import { BIN, cliEnv, ROOT } from './cli.js';
import { clusterObjects, gcpState, GKE_CONTEXT, startFakes, type Fakes } from './live-harness.js';

const KUBECTL = '/usr/bin/kubectl';
const PROMTOOL = '/usr/bin/promtool';
const INTERVAL = 4;
const MIN_WINDOW = 20;
const MAX_WINDOW = 120;
/** Samples after the window, continuing the last scraped value: past the 15-minute `for:` of NegdoctorMetricsAbsent and 5 minutes of look-back. */
const EXTEND = 22 * 60;
const T = 240_000;

function tool(file: string, pkg: string): boolean {
  if (existsSync(file)) return true;
  if (process.env.CI === 'true') throw new Error(`${file} is missing (Debian package ${pkg}, listed in .ci/debian-packages.txt)`);
  console.warn(`skipping: ${file} not installed (apt-get install ${pkg})`);
  return false;
}
const haveTools = tool(KUBECTL, 'kubectl') && tool(PROMTOOL, 'prometheus');

function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout'))); // Prometheus' default scrape timeout is 10 s
    req.on('error', reject);
  });
}

interface Run {
  name: string;
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** Per scrape: series (with job and instance, as Prometheus labels them) → value; undefined when the scrape failed. */
  scrapes: Array<Map<string, number> | undefined>;
  readyz: number[];
  t0: number;
}

function startServe(name: string, fakes: Fakes): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'serve', '--kubeconfig', fakes.kubeconfig, '-A', '--listen', '127.0.0.1:0', '--interval', `${INTERVAL}s`, '--scan-cooldown', '1s'], {
    cwd: ROOT,
    env: cliEnv(fakes.env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: serve did not start:\n${stderr}`)), 60_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const match = /serving on (http:\/\/[^ ]+)/.exec(stderr);
      if (match && timer) {
        clearTimeout(timer);
        resolve({ name, child, url: match[1]!, stderr: () => stderr, scrapes: [], readyz: [], t0: Date.now() });
      }
    });
    child.on('exit', () => reject(new Error(`${name}: serve exited:\n${stderr}`)));
  });
}

/** negdoctor_* samples of a /metrics text, labelled as Prometheus labels a scrape of this instance. */
function parseMetrics(text: string, instance: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(negdoctor_\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [`instance="${instance}"`, 'job="negdoctor"', ...(match[2] ? [match[2]] : [])].join(',');
    out.set(`${match[1]}{${labels}}`, Number(match[3]));
  }
  return out;
}

/** The last-success timestamp of a scrape, on promtool's clock (0: never; undefined: no scrape or no series). */
function lastSuccessAt(run: Run, k: number): number | undefined {
  const scraped = run.scrapes[k];
  const v = scraped && [...scraped].find(([key]) => key.startsWith('negdoctor_last_successful_scan_timestamp_seconds{'))?.[1];
  return v === undefined ? undefined : v > 0 ? v - run.t0 / 1000 : 0;
}

/** The scrape where the last-success timestamp first turned non-zero (Infinity: never). */
function firstSuccess(run: Run): number {
  const k = run.scrapes.findIndex((_, i) => (lastSuccessAt(run, i) ?? 0) > 0);
  return k < 0 ? Infinity : k;
}

/** negdoctor_scan_duration_seconds_count at scrape k. */
function scans(run: Run, k: number): number {
  return run.scrapes[k]?.get(`negdoctor_scan_duration_seconds_count{instance="${run.name}",job="negdoctor"}`) ?? 0;
}

/**
 * Scrapes /metrics (and /readyz) once a second, MIN_WINDOW to MAX_WINDOW times, until `done(k, run)`
 * (after scrape k); `at(k, run)` runs before scrape k.
 */
async function scrape(run: Run, done: (k: number, run: Run) => boolean, at: (k: number, run: Run) => Promise<void> | void = () => undefined): Promise<void> {
  for (let k = 0; k < MAX_WINDOW && (k < MIN_WINDOW || !done(k - 1, run)); k++) {
    const wait = run.t0 + k * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Sample k is a scrape that started in second k; a second the previous scrape overran has none, as in Prometheus.
    if (Date.now() >= run.t0 + (k + 1) * 1000) {
      run.scrapes.push(undefined);
      run.readyz.push(0);
      continue;
    }
    await at(k, run);
    try {
      const [metrics, readyz] = await Promise.all([get(`${run.url}/metrics`), get(`${run.url}/readyz`)]);
      run.scrapes.push(parseMetrics(metrics.text, run.name));
      run.readyz.push(readyz.status);
    } catch {
      run.scrapes.push(undefined);
      run.readyz.push(0);
    }
  }
}

/** promtool input series: one sample a second from time 0 (the first scrape), then the last value EXTEND more times. */
function inputSeries(run: Run): Array<{ series: string; values: string }> {
  const names = new Set(run.scrapes.flatMap((s) => (s ? [...s.keys()] : [])));
  return [...names].sort().map((series) => {
    const values = run.scrapes.map((s) => {
      const v = s?.get(series);
      if (v === undefined) return '_';
      // The timestamp gauge on promtool's clock (0 = the first scrape); 0 (never) stays 0.
      if (series.startsWith('negdoctor_last_successful_scan_timestamp_seconds') && v > 0) return (v - run.t0 / 1000).toFixed(3);
      return String(v);
    });
    const last = values[values.length - 1]!;
    return { series, values: `${values.join(' ')} ${last === '_' ? `_x${EXTEND}` : `${last}x${EXTEND}`}` };
  });
}

/** Labels of a firing alert: the rule's own (severity) and those the expression keeps. */
type Expected = { exp_labels: Record<string, string>; exp_annotations: Record<string, string> };
const DESCRIPTION_NEVER = 'Every scan since negdoctor serve started has failed; see negdoctor_scan_errors_total (by stage) and the pod log.';
const never = (instance: string, cluster: string): Expected => ({
  exp_labels: { severity: 'warning', instance, job: 'negdoctor', cluster },
  exp_annotations: { summary: `negdoctor has never scanned ${cluster} successfully`, description: DESCRIPTION_NEVER },
});
/** `age`: seconds, shown as Prometheus' humanizeDuration shows less than a minute (%.4g). */
const stale = (instance: string, cluster: string, age: number): Expected => ({
  exp_labels: { severity: 'warning', instance, job: 'negdoctor', cluster },
  exp_annotations: {
    summary: `negdoctor has not scanned ${cluster} successfully for 3 intervals`,
    description: `The served findings for ${cluster} are ${Number(age.toPrecision(4))}s old; see negdoctor_scan_errors_total and the pod log.`,
  },
});
const absent = (): Expected => ({ exp_labels: { severity: 'warning' }, exp_annotations: { summary: 'negdoctor metrics are missing: the pod is down or not scraped' } });
const errorFinding = (labels: Record<string, string>, count: number): Expected => ({
  exp_labels: { severity: 'warning', cluster: labels.cluster!, namespace: labels.namespace!, rule: labels.rule! },
  exp_annotations: {
    summary: `negdoctor: ${labels.rule} in ${labels.cluster} ${labels.namespace}`,
    description: `negdoctor reports ${count} error finding(s) of rule ${labels.rule}; run \`negdoctor explain ${labels.rule}\` and see /report.json for the objects.`,
  },
});
const labelsOf = (series: string) => Object.fromEntries([...series.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

describe.runIf(haveTools)('the shipped alerts on series scraped from negdoctor serve (promtool test rules)', () => {
  const runs = new Map<string, Run>();
  const closers: Array<() => Promise<void>> = [];
  let work: string;
  let rulesFile: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-alerts-'));
    const rendered = spawnSync(KUBECTL, ['kustomize', path.join(ROOT, 'deploy/overlays/prometheus-operator')], { encoding: 'utf8' });
    if (rendered.status !== 0) throw new Error(`kubectl kustomize: ${rendered.stderr}`);
    const rule = parseAllDocuments(rendered.stdout)
      .map((d) => d.toJS() as { kind: string; spec: { groups: unknown[] } })
      .find((d) => d.kind === 'PrometheusRule')!;
    rulesFile = path.join(work, 'rules.yaml');
    writeFileSync(rulesFile, stringify({ groups: rule.spec.groups }));

    // healthy: the fixture cluster's namespaces and nodes, no workload; its project's network and firewalls.
    const healthyKube = await startKubeFake(clusterObjects().filter((o) => o.kind === 'Namespace' || o.kind === 'Node'));
    const { project, clusters, networks, subnetworks, firewalls, firewallPolicies } = gcpState();
    const healthyGcp = await startGcpFake({ project, clusters, networks, subnetworks, firewalls, firewallPolicies });
    const base = await startFakes();
    const healthy: Fakes = { ...base, kube: healthyKube, gcp: healthyGcp, kubeconfig: healthyKube.writeKubeconfig({ dir: base.dir, contextName: GKE_CONTEXT }), env: { ...base.env, CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: healthyGcp.computeEndpoint, CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: healthyGcp.containerEndpoint } };
    closers.push(() => base.close(), () => healthyKube.close(), () => healthyGcp.close());
    const fakes = { healthy, errors: await startFakes(), never: await startFakes(), stale: await startFakes(), down: healthy };
    for (const name of ['errors', 'never', 'stale'] as const) closers.push(() => fakes[name].close());
    const unauthorized = { match: /./, status: 401, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', code: 401 } };
    fakes.never.kube.faults.push(unauthorized);

    const names = Object.keys(fakes) as Array<keyof typeof fakes>;
    for (const [i, run] of (await Promise.all(names.map((name) => startServe(name, fakes[name])))).entries()) runs.set(names[i]!, run);
    const sinceSuccess = (run: Run, k: number) => (lastSuccessAt(run, k) ? k - lastSuccessAt(run, k)! : -1);
    let killedAt = -1;
    await Promise.all([
      // Long enough after a success that a gauge that stopped moving would have gone stale.
      scrape(runs.get('healthy')!, (k, run) => k - firstSuccess(run) > 3 * INTERVAL + 2),
      scrape(runs.get('errors')!, (k, run) => sinceSuccess(run, k) >= 0),
      scrape(runs.get('never')!, (k, run) => scans(run, k) >= 2),
      // Broken once the first scan has succeeded; done once 3 intervals have passed since.
      scrape(
        runs.get('stale')!,
        (k, run) => sinceSuccess(run, k) > 3 * INTERVAL + 2,
        (k, run) => {
          if (k > 0 && (lastSuccessAt(run, k - 1) ?? 0) > 0 && fakes.stale.kube.faults.length === 0) fakes.stale.kube.faults.push(unauthorized);
        },
      ),
      // Stopped after its first success: the scrapes after fail.
      scrape(
        runs.get('down')!,
        (k) => killedAt >= 0 && k >= killedAt + 3,
        (k, run) => {
          if (killedAt < 0 && k > 3 && (lastSuccessAt(run, k - 1) ?? 0) > 0) {
            run.child.kill('SIGKILL');
            killedAt = k;
          }
        },
      ),
    ]);
  }, T);

  afterAll(async () => {
    for (const run of runs.values()) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await Promise.all(closers.map((close) => close()));
  });

  /** Samples of scrape k of a run whose series start with `prefix`. */
  const values = (name: string, k: number, prefix: string) => [...(runs.get(name)!.scrapes[k] ?? [])].filter(([s]) => s.startsWith(prefix));
  const TS = 'negdoctor_last_successful_scan_timestamp_seconds{';
  const errorSeries = (name: string) => values(name, runs.get(name)!.scrapes.length - 1, 'negdoctor_findings{').filter(([s, v]) => s.includes('severity="error"') && v > 0);

  /** The last scrape of a run. */
  const end = (name: string) => runs.get(name)!.scrapes.length - 1;

  it('the runs are what their names say (readiness included)', () => {
    // From the first scrape that answered: the cluster's series, at 0.
    const first = runs.get('never')!.scrapes.findIndex(Boolean);
    expect(values('never', first, TS).map(([, v]) => v)).toEqual([0]);
    expect(values('never', end('never'), TS).map(([, v]) => v)).toEqual([0]);
    expect(scans(runs.get('never')!, end('never'))).toBeGreaterThanOrEqual(2);
    expect(runs.get('never')!.readyz).not.toContain(200);
    expect(runs.get('never')!.readyz).toContain(503);
    const healthy = runs.get('healthy')!;
    expect(end('healthy') - firstSuccess(healthy)).toBeGreaterThan(3 * INTERVAL + 2);
    expect(lastSuccessAt(healthy, end('healthy'))).toBeGreaterThan(end('healthy') - 3 * INTERVAL);
    expect(errorSeries('healthy')).toEqual([]);
    expect(healthy.readyz.at(-1)).toBe(200);
    expect(errorSeries('errors').length).toBeGreaterThan(0);
    expect(runs.get('errors')!.readyz.at(-1)).toBe(200);
    const stale = runs.get('stale')!;
    expect(lastSuccessAt(stale, end('stale'))).toBeGreaterThan(0);
    expect(end('stale') - lastSuccessAt(stale, end('stale'))!).toBeGreaterThan(3 * INTERVAL + 2);
    expect(stale.readyz.at(-1)).toBe(200); // scanned once: it stays ready, the alert tells the rest
    expect(runs.get('down')!.scrapes.at(-1)).toBeUndefined();
    expect(runs.get('down')!.scrapes.some((scraped) => scraped && (lastSuccessAt(runs.get('down')!, runs.get('down')!.scrapes.indexOf(scraped)) ?? 0) > 0)).toBe(true);
  });

  it('every alert fires on its failure and none on a healthy serve', () => {
    const at = (name: string) => `${end(name)}s`;
    const staleTs = lastSuccessAt(runs.get('stale')!, end('stale'))!;
    const expected: Record<string, Record<string, Record<string, Expected[]>>> = {
      healthy: { [at('healthy')]: { NegdoctorScanNeverSucceeded: [], NegdoctorScanStale: [] }, '11m': { NegdoctorErrorFinding: [] }, '21m': { NegdoctorMetricsAbsent: [] } },
      errors: {
        [at('errors')]: { NegdoctorScanNeverSucceeded: [], NegdoctorScanStale: [], NegdoctorErrorFinding: [] },
        '9m': { NegdoctorErrorFinding: [] },
        // One alert per (cluster, namespace, rule) once it lasted 10 minutes.
        '11m': { NegdoctorErrorFinding: errorSeries('errors').map(([series, v]) => errorFinding(labelsOf(series), v)) },
        '21m': { NegdoctorMetricsAbsent: [] },
      },
      never: { '2s': { NegdoctorScanStale: [] }, [at('never')]: { NegdoctorScanNeverSucceeded: [never('never', GKE_CONTEXT)], NegdoctorScanStale: [] }, '11m': { NegdoctorErrorFinding: [] } },
      stale: {
        [`${Math.ceil(staleTs) + 3 * INTERVAL - 1}s`]: { NegdoctorScanStale: [] },
        // time() - the last success (from the same series, on promtool's clock).
        [at('stale')]: { NegdoctorScanStale: [stale('stale', GKE_CONTEXT, end('stale') - Number(staleTs.toFixed(3)))], NegdoctorScanNeverSucceeded: [] },
      },
      down: { [at('down')]: { NegdoctorMetricsAbsent: [] }, '21m': { NegdoctorMetricsAbsent: [absent()] } },
    };
    const tests = Object.entries(expected).map(([name, times]) => ({
      name,
      interval: '1s',
      input_series: inputSeries(runs.get(name)!),
      alert_rule_test: Object.entries(times).flatMap(([eval_time, alerts]) => Object.entries(alerts).map(([alertname, exp_alerts]) => ({ eval_time, alertname, exp_alerts }))),
    }));

    const file = path.join(work, 'alerts.test.yaml');
    writeFileSync(file, stringify({ rule_files: [rulesFile], evaluation_interval: '1s', tests }));
    const run = spawnSync(PROMTOOL, ['test', 'rules', file], { cwd: work, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  }, T);
});
