/**
 * `negdoctor scan` and `negdoctor snapshot`, run as the built CLI against the
 * fake Kubernetes and Google Cloud servers: read-only at the HTTP level,
 * redacted snapshots, replay giving the same findings, -f manifests, the
 * Google Cloud part skipped with the flag to pass, and the exit codes.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { statusBody } from '../fakes/kube-server.js';
import { clusterObjects, closedPort, runCliAsync, startFakes, type AsyncRun, type Fakes, type JsonReport, notEvaluatedBesidesLogs } from './live-harness.js';
import { ROOT } from './cli.js';

const T = 180_000;
/** Rules of the built CLI's catalog that need Google Cloud data. */
let GCP_RULES: string[];

let fakes: Fakes;
let baseline: AsyncRun;
let baselineReport: JsonReport;
let work: string;

beforeAll(async () => {
  const catalog = JSON.parse((await runCliAsync(['rules', '--format', 'json'])).stdout) as { rules: Array<{ id: string; needs: string[] }> };
  GCP_RULES = catalog.rules.filter((r) => r.needs.some((k) => k.startsWith('gcp:'))).map((r) => r.id);
  work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-scan-'));
  fakes = await startFakes();
  baseline = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env });
  baselineReport = JSON.parse(baseline.stdout) as JsonReport;
}, T);

afterAll(async () => {
  await fakes?.close();
});

/** Findings with second-resolution ages (evidence `…Seconds`) blanked: the only thing a later collection changes. */
function withoutClock(findings: JsonReport['findings']): unknown {
  return JSON.parse(JSON.stringify(findings, (key, value: unknown) => (/Seconds$/.test(key) && typeof value === 'number' ? 'N' : value)));
}

const scanArgs = (...more: string[]) => ['--kubeconfig', fakes.kubeconfig, '-A', ...more];

describe('negdoctor scan against the fakes', () => {
  it('collects both sides and reports findings from live state and Google Cloud', () => {
    expect(baseline.stderr).toBe('');
    const ids = new Set(baselineReport.findings.map((f) => f.ruleId));
    // Live state (readiness gate), specs (preStop) and Google Cloud (firewall) all made it into the snapshot.
    expect(ids).toContain('readiness-gate-stuck');
    expect(ids).toContain('prestop-hook-missing');
    expect(ids).toContain('firewall-health-check-blocked');
    expect(notEvaluatedBesidesLogs(baselineReport.notEvaluated)).toEqual([]);
    expect(baseline.status).toBe(baselineReport.findings.some((f) => f.severity === 'error') ? 1 : 0);
  });

  it('is read-only: the kube fake saw only GET, the cloud fake only GET and the two read-only POSTs', () => {
    expect(fakes.kube.requests.length).toBeGreaterThan(15);
    expect(fakes.kube.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const gcpWrites = fakes.gcp.requests.filter((r) => r.method !== 'GET' && !/\/(listNetworkEndpoints|getHealth)$/.test(r.path));
    expect(gcpWrites).toEqual([]);
    expect(fakes.gcp.requests.some((r) => r.method === 'POST')).toBe(true);
    // No per-object GET where a list serves: the only named object read is the kube-system Namespace.
    const named = fakes.kube.requests.filter((r) => r.path.startsWith('/api') && r.path.split('/').length > 4 && !r.path.includes('/namespaces/kube-system'));
    expect(named.filter((r) => !/^\/apis?\/[^/]+(\/v[^/]+)?\/[a-z]+$/.test(r.path))).toEqual([]);
    // Secrets and ConfigMaps are never asked for.
    expect(fakes.kube.requests.filter((r) => /secrets|configmaps/.test(r.path))).toEqual([]);
  });

  it('deploy/base/rbac.yaml grants exactly the get/list the collector used', () => {
    const docs = parseAllDocuments(readFileSync(path.join(ROOT, 'deploy/base/rbac.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
    const role = docs.find((d) => d.kind === 'ClusterRole') as { rules: Array<{ apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[]; nonResourceURLs?: string[] }> };
    expect(docs.map((d) => d.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Namespace', 'ServiceAccount']);
    const granted = new Set<string>();
    for (const rule of role.rules) {
      for (const verb of rule.verbs) expect(['get', 'list']).toContain(verb);
      for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) granted.add(`${verb} ${url}`);
      for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) for (const verb of rule.verbs) granted.add(`${verb} ${group}/${resource}${rule.resourceNames ? `/${rule.resourceNames.join(',')}` : ''}`);
    }
    const used = new Set<string>();
    for (const r of fakes.kube.requests) {
      if (r.path === '/version') {
        used.add('get /version');
        continue;
      }
      const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?$/.exec(r.path);
      if (!m) throw new Error(`unexpected path ${r.path}`);
      const [, group = '', , resource, name] = m;
      used.add(name ? `get ${group}/${resource}/${name}` : `list ${group}/${resource}`);
    }
    expect([...granted].sort()).toEqual([...used].sort());
  });

  it('replays: scan → snapshot -o → scan --snapshot gives the same JSON findings', async () => {
    const file = path.join(work, 'bundle.json');
    const snap = await runCliAsync(['snapshot', '-o', file, ...scanArgs()], { env: fakes.env });
    expect(snap.status).toBe(0);
    expect(snap.stdout).toBe('');
    expect(snap.stderr).toMatch(/wrote .*bundle\.json: \d+ objects and Google Cloud state, 0 collection errors/);
    // Replayed offline: no fake, no credentials.
    const replay = await runCliAsync(['scan', '--snapshot', file, '--format', 'json'], { env: { HOME: work } });
    expect(replay.stderr).toBe('');
    const replayed = JSON.parse(replay.stdout) as JsonReport;
    // The snapshot was taken a moment after the scan: ages counted in seconds may differ by that moment.
    expect(withoutClock(replayed.findings)).toEqual(withoutClock(baselineReport.findings));
    expect(replayed.notEvaluated).toEqual(baselineReport.notEvaluated);
    expect(replayed.summary).toEqual(baselineReport.summary);
    expect(replay.status).toBe(baseline.status);
    const again = await runCliAsync(['scan', '--snapshot', file, '--format', 'json'], { env: { HOME: work } });
    expect(again.stdout).toBe(replay.stdout);
  }, T);

  it('writes a redacted snapshot: no Secrets, ConfigMaps, env values, managedFields or last-applied', () => {
    const file = path.join(work, 'bundle.json');
    const text = readFileSync(file, 'utf8');
    const snapshot = JSON.parse(text) as { apiVersion: string; kind: string; source: string; objects: Array<{ object: { kind: string } }>; cluster: Record<string, string> };
    expect(snapshot).toMatchObject({ apiVersion: 'negdoctor.dev/v1', kind: 'Snapshot', source: 'live' });
    expect(snapshot.cluster).toMatchObject({ project: 'demo-project', location: 'us-central1', name: 'shop', kubeSystemUid: expect.any(String) });
    const kinds = new Set(snapshot.objects.map((o) => o.object.kind));
    expect(kinds.has('Secret')).toBe(false);
    expect(kinds.has('ConfigMap')).toBe(false);
    expect(text).not.toContain('managedFields');
    expect(text).not.toContain('last-applied-configuration');
    // Every secret-ish value of the cluster: Secret and ConfigMap data, env values.
    const values: string[] = [];
    for (const o of clusterObjects()) {
      if (o.kind === 'Secret' || o.kind === 'ConfigMap') {
        for (const v of Object.values({ ...((o.data as object) ?? {}), ...((o.stringData as object) ?? {}) })) values.push(String(v));
      }
      JSON.stringify(o, (key, value: unknown) => {
        if (key === 'env' && Array.isArray(value)) for (const e of value as Array<{ value?: string }>) if (e.value) values.push(e.value);
        return value;
      });
    }
    expect(values.length).toBeGreaterThan(2);
    for (const v of values) expect(text, v).not.toContain(JSON.stringify(v));
  });

  it('exits 2 for a snapshot with a wrong apiVersion, saying so', async () => {
    const saved = JSON.parse(readFileSync(path.join(work, 'bundle.json'), 'utf8')) as Record<string, unknown>;
    const wrong = path.join(work, 'wrong-version.json');
    writeFileSync(wrong, JSON.stringify({ ...saved, apiVersion: 'negdoctor.dev/v9' }));
    const run = await runCliAsync(['scan', '--snapshot', wrong], { env: { HOME: work } });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/negdoctor\.dev\/v9/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, T);

  it('merges -f manifests: they replace their live object, and findings on them point at file and line', async () => {
    const live = clusterObjects().find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')!;
    // The change under review: a second replica for api.
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', labels: live.metadata.labels },
      spec: { ...(live.spec as object), replicas: 2 },
    };
    const dir = mkdtempSync(path.join(work, 'manifests-'));
    writeFileSync(path.join(dir, 'api.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const run = await runCliAsync(['scan', ...scanArgs('--file', dir, '--format', 'json')], { env: fakes.env });
    expect(run.stderr).toMatch(/1 manifest object from -f: 1 replaced their live object, 0 added/);
    type Located = { ruleId: string; location: { file: string; line: number } | null; object: { name: string; kind: string } | null };
    const report = JSON.parse(run.stdout) as { findings: Located[] };
    const onApi = (f: Located) => f.object?.kind === 'Deployment' && f.object.name === 'api';
    const before = (baselineReport.findings as unknown as Located[]).filter(onApi).map((f) => f.ruleId);
    const after = report.findings.filter(onApi);
    expect(before).toContain('single-replica-backend');
    // Two replicas: no longer a single replica, but now they need a zone spread.
    expect(after.map((f) => f.ruleId).sort()).toEqual([...before.filter((id) => id !== 'single-replica-backend'), 'zone-spread-missing'].sort());
    for (const f of after) expect(f.location, f.ruleId).toMatchObject({ file: expect.stringContaining('api.json'), line: expect.any(Number) });
    // Everything else is the live cluster's, unchanged.
    const others = (findings: Located[]) => withoutClock(findings.filter((f) => !onApi(f)) as unknown as JsonReport['findings']);
    expect(others(report.findings)).toEqual(others(baselineReport.findings as unknown as Located[]));
  }, T);
});

describe('Google Cloud skipped', () => {
  it('without a project: Google Cloud rules are not evaluated, the reason names --project', async () => {
    const other = await startFakes({ contextName: 'kind-demo' });
    try {
      const run = await runCliAsync(['scan', '--kubeconfig', other.kubeconfig, '-A', '--format', 'json'], { env: other.env });
      const report = JSON.parse(run.stdout) as JsonReport;
      expect(GCP_RULES.length).toBeGreaterThan(0);
      for (const id of GCP_RULES) {
        expect(report.notEvaluated.find((n) => n.ruleId === id)?.reason, id).toMatch(/no Google Cloud project.*kind-demo.*--project/);
      }
      expect(other.gcp.requests).toEqual([]);
      // The Kubernetes side is whole.
      expect(report.notEvaluated.map((n) => n.ruleId).sort()).toEqual([...GCP_RULES].sort());
    } finally {
      await other.close();
    }
  }, T);

  it('--no-cloud reads no Google Cloud; -n scopes the lists to one namespace', async () => {
    const other = await startFakes();
    try {
      const run = await runCliAsync(['scan', '--kubeconfig', other.kubeconfig, '-n', 'shop', '--no-cloud', '--format', 'json'], { env: other.env });
      const report = JSON.parse(run.stdout) as JsonReport & { findings: Array<{ object: { namespace: string | null } | null }> };
      expect(other.gcp.requests).toEqual([]);
      for (const id of GCP_RULES) expect(report.notEvaluated.find((n) => n.ruleId === id)?.reason).toMatch(/--no-cloud/);
      expect(other.kube.requests.some((r) => r.path === '/api/v1/namespaces/shop/pods')).toBe(true);
      expect(other.kube.requests.some((r) => r.path === '/api/v1/pods')).toBe(false);
      for (const f of report.findings) if (f.object?.namespace) expect(f.object.namespace).toBe('shop');
    } finally {
      await other.close();
    }
  }, T);
});

describe('exit 3: nothing could be collected', () => {
  const DEMO_HINT = /negdoctor scan --snapshot fixtures\/demo\/snapshot\.json/;

  it('an unreachable API server (closed port): says what was tried and how to see a report', async () => {
    const port = await closedPort();
    const kubeconfig = fakes.kube.writeKubeconfig({ dir: mkdtempSync(path.join(work, 'closed-')), server: `http://127.0.0.1:${port}` });
    const run = await runCliAsync(['scan', '--kubeconfig', kubeconfig, '--timeout', '20'], { env: fakes.env });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`http://127.0.0.1:${port}`);
    expect(run.stderr).toContain(kubeconfig);
    expect(run.stderr).toMatch(/ECONNREFUSED/);
    expect(run.stderr).toMatch(DEMO_HINT);
    const out = path.join(work, 'never.json');
    const snap = await runCliAsync(['snapshot', '-o', out, '--kubeconfig', kubeconfig], { env: fakes.env });
    expect(snap.status).toBe(3);
    expect(existsSync(out)).toBe(false);
  }, T);

  it('no kubeconfig at all', async () => {
    const home = mkdtempSync(path.join(work, 'home-'));
    const run = await runCliAsync(['scan'], { env: { ...fakes.env, HOME: home } });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create .*\.kube\/config/);
    expect(run.stderr).toMatch(DEMO_HINT);
  }, T);

  it('credentials rejected (401 from the API server)', async () => {
    fakes.kube.faults.push({ match: /./, status: 401, body: statusBody(401, 'Unauthorized', 'Unauthorized') });
    try {
      const run = await runCliAsync(['scan', ...scanArgs()], { env: fakes.env });
      expect(run.status).toBe(3);
      expect(run.stderr).toMatch(/401 Unauthorized/);
      expect(run.stderr).toMatch(/get-credentials/);
    } finally {
      fakes.kube.faults.length = 0;
    }
  }, T);
});

describe('startup cost', () => {
  it('rules, lint and scan --snapshot never load client-node, the Google Cloud clients or ink', async () => {
    // A resolve hook that reports every heavy package the CLI imports.
    const hook = path.join(work, 'heavy-hook.mjs');
    // The hooks run on a thread of their own: write straight to fd 2, which the CLI's exit cannot cut off.
    const resolver = `import { writeSync } from 'node:fs'; export async function resolve(s, c, n) { const r = await n(s, c); if (/node_modules\\/(@kubernetes|@google-cloud|ink|react)\\//.test(r.url)) writeSync(2, 'HEAVY ' + r.url + '\\n'); return r; }`;
    writeFileSync(hook, `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolver)}));\n`);
    const env = { NODE_OPTIONS: `--import ${hook}`, HOME: work };
    for (const args of [['rules'], ['lint', 'fixtures/demo/shop.yaml'], ['scan', '--snapshot', 'fixtures/demo/snapshot.json']]) {
      const run = await runCliAsync(args, { env });
      expect(run.stderr.split('\n').filter((l) => l.startsWith('HEAVY')), args.join(' ')).toEqual([]);
    }
    // The hook works: a live scan does load the Kubernetes client.
    const live = await runCliAsync(['scan', '--kubeconfig', path.join(work, 'missing-kubeconfig')], { env });
    expect(live.stderr).toMatch(/HEAVY .*@kubernetes\/client-node/);
  }, T);
});

describe('usage errors', () => {
  it('-n and -A together, and a bad --timeout, are usage errors (exit 2)', async () => {
    expect((await runCliAsync(['scan', '-n', 'a', '-A'])).status).toBe(2);
    const bad = await runCliAsync(['scan', '--timeout', 'soon']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/positive number of seconds/);
  }, T);

  it('a snapshot file that does not exist is exit 2', async () => {
    const run = await runCliAsync(['scan', '--snapshot', path.join(work, 'nope.json')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cannot read snapshot .*nope\.json: no such file/);
  }, T);
});
