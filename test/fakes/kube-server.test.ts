import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CONTEXT, startKubeFake, type FakeKubeObject, type KubeFake } from './kube-server.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/snapshots/kube-basic.json', import.meta.url), 'utf8')) as {
  objects: Array<{ object: FakeKubeObject }>;
};
const objects = fixture.objects.map((o) => o.object);

let fake: KubeFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${fake!.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('fake Kubernetes API server', () => {
  it('serves version and discovery documents', async () => {
    fake = await startKubeFake(objects);
    expect((await get('/version')).body.gitVersion).toMatch(/^v1\.\d+/);
    expect((await get('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await get('/apis')).body.groups as Array<{ name: string; preferredVersion: { groupVersion: string } }>;
    const names = groups.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'autoscaling', 'networking.k8s.io', 'discovery.k8s.io', 'cloud.google.com', 'networking.gke.io']));
    // The fixture holds Gateway objects: the Gateway API and GKE's policy CRDs are installed together (one bundle).
    expect(names).toContain('gateway.networking.k8s.io');
    const policies = (await get('/apis/networking.gke.io/v1')).body.resources as Array<{ name: string }>;
    expect(policies.map((r) => r.name).sort()).toEqual(['gcpbackendpolicies', 'gcpgatewaypolicies', 'healthcheckpolicies']);
    expect((await get('/apis/gateway.networking.k8s.io/v1beta1')).body.resources).toEqual([expect.objectContaining({ name: 'referencegrants' })]);
    const core = (await get('/api/v1')).body;
    expect(core).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    expect(core.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'pods', kind: 'Pod', namespaced: true })]));
    const gke = (await get('/apis/networking.gke.io/v1beta1')).body.resources as Array<{ name: string }>;
    // FrontendConfig has no object in the fixture: not installed, so not discovered either.
    expect(gke.map((r) => r.name)).toEqual(['servicenetworkendpointgroups']);
    expect((await get('/apis/autoscaling/v2')).body.resources).toEqual([expect.objectContaining({ name: 'horizontalpodautoscalers' })]);
  });

  it('without Gateway objects, the Gateway API and its policy CRDs are not installed', async () => {
    fake = await startKubeFake(objects.filter((o) => !/^(gateway\.networking\.k8s\.io|networking\.gke\.io\/v1$)/.test(o.apiVersion)));
    const names = ((await get('/apis')).body.groups as Array<{ name: string }>).map((g) => g.name);
    expect(names).not.toContain('gateway.networking.k8s.io');
    expect((await get('/apis/networking.gke.io/v1/healthcheckpolicies')).status).toBe(404);
  });

  it('serves typed lists without item type meta, custom resources with it, and single GETs', async () => {
    fake = await startKubeFake(objects);
    const pods = (await get('/api/v1/pods')).body;
    expect(pods).toMatchObject({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
    const items = pods.items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(4);
    expect(items[0]).not.toHaveProperty('kind');
    const scoped = (await get('/api/v1/namespaces/shop/pods')).body.items as Array<{ metadata: { name: string } }>;
    expect(scoped.map((p) => p.metadata.name)).toEqual(['cart-6f7e8-pqrst']);
    expect((await get('/api/v1/namespaces/nowhere/pods')).body.items).toEqual([]);
    const bc = (await get('/apis/cloud.google.com/v1/namespaces/default/backendconfigs')).body;
    expect(bc).toMatchObject({ kind: 'BackendConfigList', items: [{ kind: 'BackendConfig', apiVersion: 'cloud.google.com/v1' }] });
    const ns = await get('/api/v1/namespaces/kube-system');
    expect(ns.status).toBe(200);
    expect(ns.body).toMatchObject({ kind: 'Namespace', metadata: { name: 'kube-system', uid: '7f3c9a12-5b8e-4d21-9c0a-1e2f3a4b5c6d' } });
    expect((await get('/apis/networking.k8s.io/v1/ingressclasses')).body.items).toHaveLength(1);
  });

  it('paginates with limit and an opaque continue token', async () => {
    fake = await startKubeFake(objects);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (await get(`/api/v1/pods?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`)).body as {
        items: Array<{ metadata: { name: string } }>;
        metadata: { continue?: string };
      };
      names.push(...page.items.map((i) => i.metadata.name));
      token = page.metadata.continue;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    expect((await get('/api/v1/pods?continue=garbage')).status).toBe(400);
  });

  it('answers 404 Status objects for unknown paths and not-installed CRDs, 405 for writes', async () => {
    fake = await startKubeFake(objects);
    for (const path of ['/api/v1/widgets', '/apis/networking.gke.io/v1beta1/namespaces/default/frontendconfigs', '/apis/nope/v1', '/healthz/x']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
    }
    expect((await get('/api/v1/namespaces/default/pods/missing')).body.message).toBe('pods "missing" not found');
    const post = await fetch(`${fake.url}/api/v1/namespaces/default/pods`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
  });

  it('lets a test choose which CRDs are installed', async () => {
    fake = await startKubeFake(objects, { notInstalled: ['cloud.google.com/backendconfigs'] });
    expect((await get('/apis/cloud.google.com/v1/backendconfigs')).status).toBe(404);
    expect((await get('/apis/networking.gke.io/v1beta1/frontendconfigs')).status).toBe(200);
  });

  it('logs requests and injects faults through the shared HTTP fake', async () => {
    fake = await startKubeFake(objects);
    fake.faults.push({ match: '/api/v1/nodes', status: 503, times: 1 });
    expect((await get('/api/v1/nodes')).status).toBe(503);
    expect((await get('/api/v1/nodes')).status).toBe(200);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v1/nodes', '/api/v1/nodes']);
  });

  it('writes a kubeconfig for a GKE-named context', async () => {
    fake = await startKubeFake(objects);
    const file = fake.writeKubeconfig({ namespace: 'shop' });
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      'current-context': string;
      clusters: Array<{ cluster: { server: string; 'insecure-skip-tls-verify': boolean } }>;
      contexts: Array<{ context: { namespace?: string } }>;
    };
    expect(config['current-context']).toBe(FAKE_CONTEXT);
    expect(config.clusters[0]!.cluster).toEqual({ server: fake.url, 'insecure-skip-tls-verify': true });
    expect(config.contexts[0]!.context.namespace).toBe('shop');
  });
});
