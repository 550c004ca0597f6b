/**
 * Several clusters from one command, run as the built CLI: `scan --fleet`
 * discovers two GKE clusters through the fake Container API and connects to
 * each as `gcloud container clusters get-credentials` would (endpoint and CA
 * from the API, the access token as bearer), two fake API servers over TLS
 * with their own CAs; `--all-contexts` reads them through a kubeconfig.
 * A cluster that fails is reported and the other still is; exit 3 only when
 * none could be collected.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcpFake, type GcpFake } from '../fakes/gcp-server.js';
import { startKubeFake, type KubeFake } from '../fakes/kube-server.js';
import { makeCertificates, type TestCertificates } from '../fakes/tls.js';
import { clusterObjects, gcpState, runCliAsync } from './live-harness.js';

const T = 180_000;
const SHOP = 'projects/demo-project/locations/us-central1/clusters/shop';
const BATCH = 'projects/demo-project/locations/us-east1-b/clusters/batch';

interface FleetReport {
  findings: Array<{ cluster?: string; ruleId: string; severity: string }>;
  notEvaluated: Array<{ cluster?: string; ruleId: string; reason: string }>;
  errors: Array<{ cluster?: string; message: string }>;
  clusters?: Array<{ cluster: string; collected: boolean; error?: string }>;
}

let certShop: TestCertificates;
let certBatch: TestCertificates;
let shop: KubeFake;
let batch: KubeFake;
let gcp: GcpFake;
let dir: string;
let env: Record<string, string>;

/** Points the fake Container API's clusters at the two API servers, with the given CAs. */
function wireClusters(caShop: string, caBatch: string): void {
  for (const cluster of gcp.state.clusters ?? []) {
    const [server, ca] = cluster.name === 'shop' ? [shop, caShop] : [batch, caBatch];
    cluster.endpoint = `127.0.0.1:${server.port}`;
    cluster.masterAuth = { clusterCaCertificate: ca };
  }
}

beforeAll(async () => {
  certShop = makeCertificates('shop-ca');
  certBatch = makeCertificates('batch-ca');
  shop = await startKubeFake(clusterObjects(), { tls: certShop });
  const batchObjects = clusterObjects();
  const kubeSystem = batchObjects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'kube-system');
  if (kubeSystem) kubeSystem.metadata.uid = '0b1c2d3e-0000-4000-8000-00000000batc';
  batch = await startKubeFake(batchObjects, { tls: certBatch });
  gcp = await startGcpFake(gcpState());
  dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-fleet-'));
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, 'fleet-access-token\n');
  env = {
    HOME: dir,
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: gcp.computeEndpoint,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: gcp.containerEndpoint,
  };
}, T);

afterAll(async () => {
  await Promise.all([shop?.close(), batch?.close(), gcp?.close()]);
});

describe('scan --fleet', () => {
  it('discovers both clusters through the Container API and reports each, findings tagged with the cluster', async () => {
    wireClusters(certShop.caBase64, certBatch.caBase64);
    const run = await runCliAsync(['scan', '--fleet', 'demo-project', '-A', '--format', 'json'], { env });
    expect(run.status, run.stderr).not.toBe(3);
    const report = JSON.parse(run.stdout) as FleetReport;
    expect(report.clusters).toEqual([
      { cluster: SHOP, collected: true },
      { cluster: BATCH, collected: true },
    ]);
    const byCluster = (id: string) => report.findings.filter((f) => f.cluster === id).map((f) => f.ruleId);
    expect(byCluster(SHOP)).toContain('readiness-gate-stuck');
    expect(byCluster(BATCH)).toContain('readiness-gate-stuck');
    // Each cluster was read with its own Google Cloud state: only batch has HTTP load balancing disabled.
    expect(byCluster(BATCH)).toContain('http-load-balancing-disabled');
    expect(byCluster(SHOP)).not.toContain('http-load-balancing-disabled');
    expect(report.findings.every((f) => f.cluster === SHOP || f.cluster === BATCH)).toBe(true);
    // The container API was asked for every location at once, and each API server got the access token as bearer, over TLS.
    expect(gcp.requests.some((r) => r.method === 'GET' && r.path === '/v1/projects/demo-project/locations/-/clusters')).toBe(true);
    for (const server of [shop, batch]) {
      expect(server.url.startsWith('https://')).toBe(true);
      expect(server.requests.length).toBeGreaterThan(10);
      expect(new Set(server.requests.map((r) => r.authorization))).toEqual(new Set(['Bearer fleet-access-token']));
      expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    }
  }, T);

  it('keeps reporting one cluster when the other fails (wrong CA), and a project it cannot list', async () => {
    // batch's certificate is not signed by the CA the API gives for it: the connection must be refused, not trusted.
    wireClusters(certShop.caBase64, certShop.caBase64);
    const run = await runCliAsync(['scan', '--fleet', 'demo-project,other-project', '-A', '--format', 'json'], { env });
    expect(run.status, run.stderr).not.toBe(3);
    const report = JSON.parse(run.stdout) as FleetReport;
    const status = new Map(report.clusters!.map((c) => [c.cluster, c]));
    expect(status.get(SHOP)?.collected).toBe(true);
    expect(status.get(BATCH)?.collected).toBe(false);
    expect(status.get(BATCH)?.error).toMatch(/certificate/i);
    expect(status.get('projects/other-project')?.collected).toBe(false);
    expect(status.get('projects/other-project')?.error).toMatch(/403.*container\.clusters\.list/);
    expect(report.findings.some((f) => f.cluster === SHOP)).toBe(true);
    expect(report.findings.some((f) => f.cluster === BATCH)).toBe(false);
    expect(report.errors.some((e) => e.cluster === BATCH)).toBe(true);
    expect(run.stderr).toContain(`${BATCH}: nothing could be collected`);
  }, T);

  it('groups the text report by cluster and tags SARIF results', async () => {
    wireClusters(certShop.caBase64, certBatch.caBase64);
    const text = await runCliAsync(['scan', '--fleet', 'demo-project', '-A', '--concurrency', '1'], { env });
    expect(text.stdout).toContain(`Cluster ${SHOP}\n`);
    expect(text.stdout).toContain(`Cluster ${BATCH}\n`);
    // Clusters in the order discovery sorted them, each with its own findings under it.
    expect(text.stdout.indexOf(`Cluster ${SHOP}`)).toBeLessThan(text.stdout.indexOf(`Cluster ${BATCH}`));
    expect(text.stdout).toMatch(/from 2 clusters\./);
    const sarif = await runCliAsync(['scan', '--fleet', 'demo-project', '-A', '--format', 'sarif'], { env });
    const results = (JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ message: { text: string }; properties: { cluster?: string } }> }> }).runs[0]!.results;
    expect(new Set(results.map((r) => r.properties.cluster))).toEqual(new Set([SHOP, BATCH]));
    expect(results.every((r) => r.message.text.startsWith(`Cluster ${r.properties.cluster}: `))).toBe(true);
  }, T);

  it('writes one snapshot per cluster, which replays on its own', async () => {
    wireClusters(certShop.caBase64, certBatch.caBase64);
    const out = path.join(dir, 'snapshots');
    const run = await runCliAsync(['snapshot', '--fleet', 'demo-project', '-A', '-o', out], { env });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['gke_demo-project_us-central1_shop.json', 'gke_demo-project_us-east1-b_batch.json']);
    const saved = JSON.parse(readFileSync(path.join(out, 'gke_demo-project_us-east1-b_batch.json'), 'utf8')) as { cluster: { name: string; location: string } };
    expect(saved.cluster).toMatchObject({ name: 'batch', location: 'us-east1-b' });
    const replay = await runCliAsync(['scan', '--snapshot', path.join(out, 'gke_demo-project_us-east1-b_batch.json'), '--format', 'json'], { env });
    expect((JSON.parse(replay.stdout) as FleetReport).findings.map((f) => f.ruleId)).toContain('http-load-balancing-disabled');
  }, T);

  it('exits 3 when no cluster could be collected', async () => {
    wireClusters(certBatch.caBase64, certShop.caBase64);
    const run = await runCliAsync(['scan', '--fleet', 'demo-project', '-A', '--format', 'json'], { env });
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('nothing could be collected');
    expect(run.stdout).toBe('');
  }, T);
});

describe('scan --contexts / --all-contexts', () => {
  it('scans every context of the kubeconfig, concurrently, one report', async () => {
    const contexts = [
      { name: 'gke_demo-project_us-central1_shop', server: shop.url },
      { name: 'gke_demo-project_us-east1-b_batch', server: batch.url },
    ];
    const kubeconfig = path.join(dir, 'kubeconfig-two');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: contexts.map((c) => ({ name: c.name, cluster: { server: c.server, 'certificate-authority-data': c.name.endsWith('shop') ? certShop.caBase64 : certBatch.caBase64 } })),
        users: [{ name: 'u', user: { token: 'kubeconfig-token' } }],
        contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: 'u' } })),
        'current-context': contexts[0]!.name,
      }),
    );
    const all = await runCliAsync(['scan', '--kubeconfig', kubeconfig, '--all-contexts', '-A', '--format', 'json'], { env });
    const report = JSON.parse(all.stdout) as FleetReport;
    expect(report.clusters).toEqual(contexts.map((c) => ({ cluster: c.name, collected: true })));
    expect(new Set(report.findings.map((f) => f.cluster))).toEqual(new Set(contexts.map((c) => c.name)));

    const one = await runCliAsync(['scan', '--kubeconfig', kubeconfig, '--contexts', contexts[1]!.name, '-A', '--format', 'json'], { env });
    expect((JSON.parse(one.stdout) as FleetReport).clusters).toEqual([{ cluster: contexts[1]!.name, collected: true }]);

    const unknown = await runCliAsync(['scan', '--kubeconfig', kubeconfig, '--contexts', 'nope'], { env });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('context "nope" not found');

    const conflict = await runCliAsync(['scan', '--kubeconfig', kubeconfig, '--all-contexts', '--context', contexts[0]!.name], { env });
    expect(conflict.status).toBe(2);
    expect(conflict.stderr).toContain('--context names one cluster');
  }, T);
});
