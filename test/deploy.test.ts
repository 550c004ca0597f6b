/**
 * deploy/: every kustomization renders with the real `kubectl kustomize`, the
 * render lints clean with negdoctor itself, `kubectl apply --dry-run=client
 * --validate=false` accepts it (kubectl maps kinds through discovery even in
 * client dry-run, so it is pointed at the fake API server, which serves the
 * monitoring CRDs' discovery and sees only GETs), the Deployment is locked
 * down, the image and kube-prometheus-stack's `release` label are set the
 * documented way (an `images:` entry and a patch in the user's own
 * kustomization: kubectl alone), and the alert rules pass `promtool check
 * rules` (whether they fire: test/e2e/serve-alerts.test.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { runCli, ROOT } from './e2e/cli.js';
import { startKubeFake, type KubeFake } from './fakes/kube-server.js';

const KUBECTL = '/usr/bin/kubectl';
const PROMTOOL = '/usr/bin/promtool';
const DEPLOY = path.join(ROOT, 'deploy');
type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };

/** A Debian tool the test drives: under CI a missing one fails; elsewhere the test is skipped with a message. */
function tool(file: string, pkg: string): boolean {
  if (existsSync(file)) return true;
  if (process.env.CI === 'true') throw new Error(`${file} is missing (Debian package ${pkg}, listed in .ci/debian-packages.txt)`);
  console.warn(`skipping: ${file} not installed (apt-get install ${pkg})`);
  return false;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-deploy-'));
/** A user's overlay: the GKE Managed Prometheus overlay plus both documented components (kustomize wants relative paths). */
const userOverlay = path.join(work, 'mine');
/** A user's overlay of the prometheus-operator overlay: their image and their kube-prometheus-stack release name, as deploy/ documents. */
const operatorOverlay = path.join(work, 'mine-operator');

const KUSTOMIZATIONS: Record<string, string> = {
  base: path.join(DEPLOY, 'base'),
  'gke-managed-prometheus': path.join(DEPLOY, 'overlays/gke-managed-prometheus'),
  'prometheus-operator': path.join(DEPLOY, 'overlays/prometheus-operator'),
  'with components': userOverlay,
  'operator, my release': operatorOverlay,
};

const rendered = new Map<string, string>();
let fake: KubeFake;
let kubeconfig: string;
const haveKubectl = tool(KUBECTL, 'kubectl');

beforeAll(async () => {
  const rel = (p: string) => path.relative(userOverlay, p);
  spawnSync('mkdir', ['-p', userOverlay]);
  writeFileSync(
    path.join(userOverlay, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [rel(path.join(DEPLOY, 'overlays/gke-managed-prometheus'))],
      components: [rel(path.join(DEPLOY, 'components/cluster-identity')), rel(path.join(DEPLOY, 'components/workload-identity-gsa'))],
      images: [{ name: 'REGISTRY/negdoctor', newName: 'europe-docker.pkg.dev/acme/tools/negdoctor', newTag: '0.1.0' }],
    }),
  );
  spawnSync('mkdir', ['-p', operatorOverlay]);
  writeFileSync(
    path.join(operatorOverlay, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [path.relative(operatorOverlay, path.join(DEPLOY, 'overlays/prometheus-operator'))],
      images: [{ name: 'REGISTRY/negdoctor', newName: 'ghcr.io/acme/negdoctor', newTag: '0.2.0' }],
      // The patch deploy/overlays/prometheus-operator/kustomization.yaml documents, verbatim.
      patches: [{ target: { group: 'monitoring.coreos.com' }, patch: '- op: replace\n  path: /metadata/labels/release\n  value: my-release' }],
    }),
  );
  if (!haveKubectl) return;
  for (const [name, dir] of Object.entries(KUSTOMIZATIONS)) {
    const run = spawnSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`kubectl kustomize ${name}: ${run.stderr}`);
    rendered.set(name, run.stdout);
  }
  // Every custom type installed: kubectl needs the monitoring CRDs' discovery to map PodMonitoring and friends.
  fake = await startKubeFake([], { notInstalled: [] });
  kubeconfig = fake.writeKubeconfig({ dir: work });
}, 60_000);

afterAll(async () => {
  await fake?.close();
});

/** kubectl without blocking this event loop: the fake API server answers from it. */
function kubectlAsync(args: string[], input: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const docs = (name: string): Doc[] => parseAllDocuments(rendered.get(name)!).map((d) => d.toJS() as Doc);
const kinds = (name: string) => docs(name).map((d) => d.kind).sort();

describe.skipIf(!haveKubectl)('deploy/ kustomizations', () => {
  it('render the base and each overlay with the objects they promise', () => {
    const base = ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Namespace', 'NetworkPolicy', 'Service', 'ServiceAccount'];
    expect(kinds('base')).toEqual(base);
    expect(kinds('gke-managed-prometheus')).toEqual([...base, 'PodMonitoring', 'Rules'].sort());
    expect(kinds('prometheus-operator')).toEqual([...base, 'PrometheusRule', 'ServiceMonitor'].sort());
  });

  it.each(Object.keys(KUSTOMIZATIONS))('%s: lints clean with negdoctor', (name) => {
    const run = runCli(['lint', '-', '--format', 'json', '--fail-on', 'info'], { input: rendered.get(name)! });
    const report = JSON.parse(run.stdout) as { findings: unknown[]; summary: { objects: number } };
    expect(report.findings).toEqual([]);
    expect(report.summary.objects).toBe(docs(name).length);
    expect(run.status).toBe(0);
  });

  it.each(Object.keys(KUSTOMIZATIONS))('%s: kubectl apply --dry-run=client accepts it', async (name) => {
    const before = fake.requests.length;
    const run = await kubectlAsync(['--kubeconfig', kubeconfig, 'apply', '--dry-run=client', '--validate=false', '-f', '-'], rendered.get(name)!);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(docs(name).length);
    expect(run.stdout).not.toMatch(/^(?!.*\(dry run\)$).+$/m);
    expect(fake.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('runs serve locked down: non-root, read-only root, no escalation, no capabilities, bounded, probed', () => {
    const deployment = docs('base').find((d) => d.kind === 'Deployment')!;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.args[0]).toBe('serve');
    expect(container.args).toContain('--listen=:8080');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    // No published image: a placeholder that cannot pass for a real one, which the user's overlay replaces.
    expect(container.image).toBe('REGISTRY/negdoctor:VERSION');
    expect(pod.securityContext.runAsUser).toBe(1000); // deploy/Dockerfile's USER
    const mine = docs('with components');
    expect(mine.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].image).toBe('europe-docker.pkg.dev/acme/tools/negdoctor:0.1.0');
    expect(mine.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--project=PROJECT_ID', '--location=LOCATION', '--cluster=CLUSTER_NAME']));
    expect(mine.find((d) => d.kind === 'ServiceAccount')!.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'GSA_NAME@PROJECT_ID.iam.gserviceaccount.com' });
  });

  it("carries kube-prometheus-stack's default `release` label, which the user's overlay can change", () => {
    const release = (name: string) => docs(name).filter((d) => d.apiVersion.startsWith('monitoring.coreos.com/')).map((d) => [d.kind, (d.metadata as { labels?: Record<string, string> }).labels?.release]);
    expect(release('prometheus-operator')).toEqual([['PrometheusRule', 'kube-prometheus-stack'], ['ServiceMonitor', 'kube-prometheus-stack']]);
    expect(release('operator, my release')).toEqual([['PrometheusRule', 'my-release'], ['ServiceMonitor', 'my-release']]);
    expect(docs('operator, my release').find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/negdoctor:0.2.0');
    const documented = readFileSync(path.join(DEPLOY, 'overlays/prometheus-operator/kustomization.yaml'), 'utf8');
    expect(documented).toContain('#     - target: {group: monitoring.coreos.com}\n#       patch: |-\n#         - op: replace\n#           path: /metadata/labels/release\n#           value: my-release');
  });

  it('admits only the metrics scraper', () => {
    const policy = (name: string) => docs(name).find((d) => d.kind === 'NetworkPolicy')!.spec;
    expect(policy('prometheus-operator').policyTypes).toEqual(['Ingress']);
    expect(policy('prometheus-operator').ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
        ports: [{ port: 'metrics', protocol: 'TCP' }],
      },
    ]);
    expect(policy('gke-managed-prometheus').ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gmp-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'collector' } } },
    ]);
  });
});

describe.skipIf(!haveKubectl)('alert rules', () => {
  it('are the same for prometheus-operator and Managed Prometheus, and promtool accepts them', () => {
    const groups = (name: string, kind: string) => docs(name).find((d) => d.kind === kind)!.spec.groups;
    expect(groups('gke-managed-prometheus', 'Rules')).toEqual(groups('prometheus-operator', 'PrometheusRule'));
    if (!tool(PROMTOOL, 'prometheus')) return;
    const file = path.join(work, 'rules.yaml');
    writeFileSync(file, stringify({ groups: groups('prometheus-operator', 'PrometheusRule') }));
    const check = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
  // Whether they fire: test/e2e/serve-alerts.test.ts, on series scraped from real serve runs.
});

it('deploy/ documents how to get an image (none is published)', () => {
  expect(readFileSync(path.join(DEPLOY, 'base/serve.yaml'), 'utf8')).toContain('no image is published');
});
