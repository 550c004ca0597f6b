import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { collectKube, redactObject, type KubeCollectOptions, type KubeCollectResult } from '../../src/collectors/kube/index.js';
import type { CollectionProgress } from '../../src/collectors/progress.js';
import { DATA } from '../../src/snapshot/data-keys.js';
import type { KubeObject } from '../../src/snapshot/types.js';
import { startKubeFake, statusBody, writeKubeconfig, type FakeKubeObject, type KubeFake } from '../fakes/kube-server.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/snapshots/kube-basic.json', import.meta.url), 'utf8')) as {
  objects: Array<{ object: FakeKubeObject }>;
};
const clusterObjects = fixture.objects.map((o) => o.object);
const KUBE_SYSTEM_UID = '7f3c9a12-5b8e-4d21-9c0a-1e2f3a4b5c6d';

/** Fast retries so the fault matrix runs in well under a second per case. */
const FAST_RETRY = { retries: 2, baseDelayMs: 10, maxDelayMs: 2_000 };

let fake: KubeFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function scan(options: Partial<KubeCollectOptions> = {}, progress?: CollectionProgress): Promise<KubeCollectResult> {
  fake ??= await startKubeFake(clusterObjects);
  return collectKube({ kubeconfig: fake.writeKubeconfig(), allNamespaces: true, timeoutMs: 10_000, requestTimeoutMs: 1_000, retry: FAST_RETRY, ...options }, progress);
}

const names = (result: KubeCollectResult, kind: string) =>
  result.objects
    .filter((o) => o.kind === kind)
    .map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`)
    .sort();

const fixtureNames = (kind: string, namespace?: string) =>
  clusterObjects
    .filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace))
    .map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`)
    .sort();

const COLLECTED_KINDS = ['Deployment', 'HorizontalPodAutoscaler', 'Service', 'Ingress', 'IngressClass', 'EndpointSlice', 'Pod', 'Node', 'NetworkPolicy', 'BackendConfig', 'ServiceNetworkEndpointGroup'];

describe('collectKube against the fake API server', () => {
  it('collects every kind across namespaces, with type meta and cluster facts', async () => {
    const result = await scan();
    expect(result.unreachable).toBeUndefined();
    expect(result.errors).toEqual([]);
    for (const kind of COLLECTED_KINDS) expect(names(result, kind), kind).toEqual(fixtureNames(kind));
    const pod = result.objects.find((o) => o.kind === 'Pod')!;
    expect(pod.apiVersion).toBe('v1');
    expect(result.objects.find((o) => o.kind === 'Deployment')!.apiVersion).toBe('apps/v1');
    expect(result.objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!.apiVersion).toBe('autoscaling/v2');
    expect(result.cluster).toEqual({
      context: 'gke_my-project_us-central1_demo',
      server: fake!.url,
      serverVersion: 'v1.30.5-gke.1014001',
      kubeSystemUid: KUBE_SYSTEM_UID,
      project: 'my-project',
      location: 'us-central1',
      name: 'demo',
    });
    for (const key of [DATA.workloads, DATA.workloadStatus, DATA.pods, DATA.services, DATA.ingresses, DATA.ingressStatus, DATA.endpointSlices, DATA.nodes, DATA.events, DATA.backendConfigs, DATA.serviceNegs, DATA.hpas, DATA.networkPolicies, DATA.ingressClasses]) {
      expect(result.data[key], key).toEqual({ state: 'collected' });
    }
    // Timestamps stay exactly as the server sent them (the typed client would turn them into Dates).
    expect(pod.metadata.creationTimestamp).toBe('2024-10-01T10:00:00Z');
    // Readiness gates and their conditions survive.
    expect((pod.spec as { readinessGates: unknown[] }).readinessGates).toEqual([{ conditionType: 'cloud.google.com/load-balancer-neg-ready' }]);
  });

  it('marks a CRD that is not installed as collected-but-empty, not as an error', async () => {
    // A cluster without the Gateway API (and so without GKE's policy CRDs).
    fake = await startKubeFake(clusterObjects.filter((o) => !/^(gateway\.networking\.k8s\.io|networking\.gke\.io\/v1$)/.test(o.apiVersion)));
    const result = await scan();
    expect(result.data[DATA.frontendConfigs]).toEqual({ state: 'collected', reason: expect.stringContaining('FrontendConfig CRD (networking.gke.io/v1beta1) is not installed') });
    // Without the Gateway API there is nothing to judge: the Gateway rules are not evaluated, with the reason, and it is no error.
    expect(result.data[DATA.gateways]).toEqual({ state: 'missing', reason: expect.stringContaining('Gateway CRD (gateway.networking.k8s.io/v1) is not installed') });
    expect(result.data[DATA.gatewayPolicies]).toEqual({ state: 'missing', reason: expect.stringContaining('HealthCheckPolicy CRD (networking.gke.io/v1) is not installed') });
    expect(result.errors).toEqual([]);
  });

  it('sees GatewayClasses, Gateways (with status), routes and GKE policies', async () => {
    const result = await scan();
    expect(result.errors).toEqual([]);
    for (const kind of ['GatewayClass', 'Gateway', 'HTTPRoute', 'HealthCheckPolicy']) expect(names(result, kind), kind).toEqual(fixtureNames(kind));
    expect(names(result, 'Gateway')).toEqual(['shop/store']);
    expect(result.objects.find((o) => o.kind === 'Gateway')!.status).toMatchObject({ addresses: [{ value: '34.120.7.19' }] });
    for (const key of [DATA.gateways, DATA.gatewayPolicies, DATA.gatewayStatus]) expect(result.data[key], key).toEqual({ state: 'collected' });
    // GKE installs the policy CRDs with the Gateway API: the kinds without objects (GRPCRoute, ReferenceGrant, GCPBackendPolicy) are simply empty.
    expect(names(result, 'GRPCRoute')).toEqual([]);
    expect(fake!.requests.some((r) => r.path === '/apis/gateway.networking.k8s.io/v1beta1/referencegrants')).toBe(true);
  });

  it('keeps only events about collected objects in scope', async () => {
    const result = await scan();
    const reasons = result.objects.filter((o) => o.kind === 'Event').map((o) => o.reason).sort();
    // Dropped: the ReplicaSet's SuccessfulCreate and the ConfigMap's Updated.
    expect(reasons).toEqual(['Attach', 'NodeReady', 'ScalingReplicaSet', 'Sync', 'SyncNetworkEndpointGroupFailed', 'Unhealthy']);
  });

  it('is read-only: the request log holds only GETs, and no Secret or ConfigMap path', async () => {
    await scan();
    expect(fake!.requests.length).toBeGreaterThan(10);
    expect(new Set(fake!.requests.map((r) => r.method))).toEqual(new Set(['GET']));
    expect(fake!.requests.filter((r) => /secrets|configmaps/.test(r.path))).toEqual([]);
  });

  it('redacts: no Secret/ConfigMap, no env values, no managedFields or last-applied annotation', async () => {
    const result = await scan();
    expect(result.objects.filter((o) => o.kind === 'Secret' || o.kind === 'ConfigMap')).toEqual([]);
    const text = JSON.stringify(result);
    for (const secret of ['hunter2', 'sk-live-web-123', 'sk-live-api-456', 'sk-live-cart-789', 'cm-token-xyz', 'managedFields', 'last-applied-configuration']) {
      expect(text, secret).not.toContain(secret);
    }
    const web = result.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web')!;
    const template = (web.spec as { template: { spec: { containers: Array<{ env: unknown[] }>; initContainers: Array<{ env: unknown[] }> } } }).template.spec;
    // Names and references stay; values go.
    expect(template.containers[0]!.env).toEqual([{ name: 'API_KEY' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-password', key: 'password' } } }]);
    expect(template.initContainers[0]!.env).toEqual([{ name: 'DB_URL' }]);
    // The Service keeps its other annotations.
    const svc = result.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'web')!;
    expect(Object.keys(svc.metadata.annotations ?? {})).toContain('cloud.google.com/neg');
  });

  it('redacts env values in ephemeral containers too', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { ephemeralContainers: [{ name: 'debug', env: [{ name: 'TOKEN', value: 'secret' }] }] },
    };
    expect(redactObject(pod).spec).toEqual({ ephemeralContainers: [{ name: 'debug', env: [{ name: 'TOKEN' }] }] });
    expect((pod.spec as { ephemeralContainers: Array<{ env: Array<{ value?: string }> }> }).ephemeralContainers[0]!.env[0]!.value).toBe('secret');
  });

  it('paginates with page size 2 and reports pages to the progress sink', async () => {
    const pages: Record<string, number[]> = {};
    const done: Record<string, number> = {};
    const result = await scan(
      { pageSize: 2 },
      { onPage: (r, n) => (pages[r] ??= []).push(n), onDone: (r, total) => (done[r] = total) },
    );
    expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
    const podRequests = fake!.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podRequests.map((r) => r.query.limit)).toEqual(['2', '2']);
    expect(podRequests[0]!.query.continue).toBeUndefined();
    expect(podRequests[1]!.query.continue).toBeTruthy();
    expect(pages.pods).toEqual([2, 2]);
    expect(done.pods).toBe(4);
    expect(pages.events).toEqual([2, 2, 2, 2]);
    expect(result.requests).toBe(fake!.requests.length);
  });

  it('scopes to a namespace: the given one, else the context namespace, else default', async () => {
    fake = await startKubeFake(clusterObjects);
    const shop = await collectKube({ kubeconfig: fake.writeKubeconfig(), namespace: 'shop', timeoutMs: 10_000, retry: FAST_RETRY });
    expect(names(shop, 'Pod')).toEqual(fixtureNames('Pod', 'shop'));
    expect(names(shop, 'Service')).toEqual(['shop/cart']);
    // Cluster-scoped kinds are listed whatever the namespace.
    expect(names(shop, 'Node')).toEqual(fixtureNames('Node'));
    expect(names(shop, 'IngressClass')).toEqual(['/gce']);
    expect(fake.requests.some((r) => r.path === '/api/v1/namespaces/shop/pods')).toBe(true);
    expect(fake.requests.some((r) => r.path === '/api/v1/pods')).toBe(false);
    expect(fake.requests.some((r) => r.path === '/apis/cloud.google.com/v1/namespaces/shop/backendconfigs')).toBe(true);

    const fromContext = await collectKube({ kubeconfig: fake.writeKubeconfig({ namespace: 'shop' }), timeoutMs: 10_000, retry: FAST_RETRY });
    expect(names(fromContext, 'Deployment')).toEqual(['shop/cart']);

    const byDefault = await collectKube({ kubeconfig: fake.writeKubeconfig(), timeoutMs: 10_000, retry: FAST_RETRY });
    expect(names(byDefault, 'Deployment')).toEqual(['default/api', 'default/web']);
    expect(byDefault.cluster.kubeSystemUid).toBe(KUBE_SYSTEM_UID);
  });

  it('finds the kubeconfig through KUBECONFIG (a colon-separated list) and honours --context', async () => {
    fake = await startKubeFake(clusterObjects);
    const other = writeKubeconfig('http://127.0.0.1:9', { contextName: 'gke_other-project_europe-west1-b_prod' });
    const mine = fake.writeKubeconfig();
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = `${other}:${mine}`;
    try {
      const result = await collectKube({ context: 'gke_my-project_us-central1_demo', allNamespaces: true, timeoutMs: 10_000, retry: FAST_RETRY });
      expect(result.unreachable).toBeUndefined();
      expect(result.cluster.context).toBe('gke_my-project_us-central1_demo');
      expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
      const missing = await collectKube({ context: 'nope', timeoutMs: 10_000 });
      expect(missing.unreachable?.message).toMatch(/context "nope" not found.*gke_other-project_europe-west1-b_prod/);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});

describe('collectKube credentials', () => {
  it('runs an exec credential plugin (as gke-gcloud-auth-plugin is run) through the client library', async () => {
    fake = await startKubeFake(clusterObjects);
    const dir = mkdtempSync(join(tmpdir(), 'negdoctor-exec-'));
    const marker = join(dir, 'plugin-ran');
    // Like gke-gcloud-auth-plugin, the credential carries an expiry: the client library caches it until then.
    const plugin = `require('fs').appendFileSync(${JSON.stringify(marker)}, 'x'); console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'exec-token', expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }))`;
    const kubeconfig = join(dir, 'kubeconfig');
    const context = 'gke_my-project_us-central1_demo';
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: context, cluster: { server: fake.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: context, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: ['-e', plugin], interactiveMode: 'Never' } } }],
        contexts: [{ name: context, context: { cluster: context, user: context } }],
        'current-context': context,
      }),
    );
    const result = await collectKube({ kubeconfig, allNamespaces: true, timeoutMs: 10_000, retry: FAST_RETRY });
    expect(result.unreachable).toBeUndefined();
    // Run once: /version goes first and alone, so the lists find the credential cached.
    expect(readFileSync(marker, 'utf8')).toBe('x');
    expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
  });

  it('a failing exec plugin: unreachable, with the plugin error', async () => {
    fake = await startKubeFake(clusterObjects);
    const dir = mkdtempSync(join(tmpdir(), 'negdoctor-exec-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: fake.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: ['-e', 'process.stderr.write("not logged in"); process.exit(1)'] } } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'c',
      }),
    );
    const result = await collectKube({ kubeconfig, timeoutMs: 10_000, retry: FAST_RETRY });
    expect(result.unreachable?.message).toContain(fake.url);
    expect(result.unreachable?.message).toContain('could not prepare credentials from the kubeconfig (exec plugin, token or certificate files): not logged in');
    expect(fake.requests).toEqual([]);
  });
});

describe('collectKube fault matrix', () => {
  it('401 everywhere: unreachable, with the server and context in the message', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/', status: 401, body: statusBody(401, 'Unauthorized', 'Unauthorized') });
    const result = await scan();
    expect(result.unreachable?.message).toContain(fake.url);
    expect(result.unreachable?.message).toContain('gke_my-project_us-central1_demo');
    expect(result.unreachable?.message).toContain('401 Unauthorized');
    expect(result.objects).toEqual([]);
    expect(result.data[DATA.pods]?.state).toBe('error');
    // 401 is not retried, and no list is attempted after /version said the credentials are bad.
    expect(fake.requests.map((r) => r.path)).toEqual(['/version']);
  });

  it('401 on every list even though /version answers: unreachable', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: /^\/apis?\/.+/, status: 401, body: statusBody(401, 'Unauthorized', 'Unauthorized') });
    const result = await scan();
    expect(result.unreachable?.message).toMatch(/every list failed.*401 Unauthorized/);
  });

  it('a server that is not there: unreachable, saying what was tried', async () => {
    const kubeconfig = writeKubeconfig('http://127.0.0.1:9', { contextName: 'gke_p_us-east1_gone' });
    const result = await collectKube({ kubeconfig, timeoutMs: 10_000, retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    expect(result.unreachable?.message).toMatch(/http:\/\/127\.0\.0\.1:9.*gke_p_us-east1_gone.*ECONNREFUSED/);
    expect(result.cluster).toMatchObject({ project: 'p', location: 'us-east1', name: 'gone' });
  });

  it('no kubeconfig file: unreachable with the path it looked for', async () => {
    const result = await collectKube({ kubeconfig: join(mkdtempSync(join(tmpdir(), 'negdoctor-')), 'missing'), timeoutMs: 1_000 });
    expect(result.unreachable?.message).toMatch(/cannot read kubeconfig .*missing/);
  });

  it('403 on one list: that key in error with a useful message, the rest intact', async () => {
    fake = await startKubeFake(clusterObjects);
    const message = 'pods is forbidden: User "dev@example.com" cannot list resource "pods" in API group "" at the cluster scope';
    fake.faults.push({ match: '/api/v1/pods', status: 403, body: statusBody(403, 'Forbidden', message) });
    const result = await scan();
    expect(result.unreachable).toBeUndefined();
    expect(result.errors).toEqual([
      { source: 'kube', data: DATA.pods, status: 403, message: `listing pods in all namespaces: 403 Forbidden: ${message} (needs list on pods)` },
    ]);
    expect(result.data[DATA.pods]).toEqual({ state: 'error', reason: expect.stringContaining('403 Forbidden') });
    expect(names(result, 'Pod')).toEqual([]);
    expect(names(result, 'Service')).toEqual(fixtureNames('Service'));
    expect(result.data[DATA.services]).toEqual({ state: 'collected' });
    // 403 is not retried.
    expect(fake.requests.filter((r) => r.path === '/api/v1/pods')).toHaveLength(1);
  });

  it('one failed workload list puts workloads and workload status in error', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/apis/apps/v1/statefulsets', status: 403, body: statusBody(403, 'Forbidden', 'statefulsets.apps is forbidden') });
    const result = await scan();
    expect(result.data[DATA.workloads]?.state).toBe('error');
    expect(result.data[DATA.workloadStatus]?.state).toBe('error');
    expect(result.errors.map((e) => e.data).sort()).toEqual([DATA.workloadStatus, DATA.workloads].sort());
    expect(result.errors[0]!.message).toContain('(needs list on statefulsets.apps)');
    // The Deployments that were listed are still there.
    expect(names(result, 'Deployment')).toEqual(fixtureNames('Deployment'));
  });

  it('404 on an installed CRD path means "not installed", not an error', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/apis/cloud.google.com/v1/backendconfigs', status: 404, body: statusBody(404, 'NotFound', 'the server could not find the requested resource') });
    const result = await scan();
    expect(result.errors).toEqual([]);
    expect(result.data[DATA.backendConfigs]).toEqual({ state: 'collected', reason: expect.stringContaining('BackendConfig CRD (cloud.google.com/v1) is not installed') });
    expect(names(result, 'BackendConfig')).toEqual([]);
  });

  it('404 on a built-in list is an error (e.g. autoscaling/v2 not served)', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/apis/autoscaling/v2/horizontalpodautoscalers', status: 404, body: statusBody(404, 'NotFound', 'the server could not find the requested resource') });
    const result = await scan();
    expect(result.data[DATA.hpas]?.state).toBe('error');
    expect(result.errors[0]).toMatchObject({ data: DATA.hpas, status: 404 });
  });

  it('429 with Retry-After, then success: waits as asked and collects', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/api/v1/services', status: 429, times: 1, headers: { 'retry-after': '1' }, body: statusBody(429, 'TooManyRequests', 'too many requests') });
    const retries: Array<{ resource: string; attempt: number; delayMs: number }> = [];
    const started = Date.now();
    const result = await scan({}, { onRetry: (resource, attempt, delayMs) => retries.push({ resource, attempt, delayMs }) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(retries).toEqual([{ resource: 'services', attempt: 1, delayMs: 1000 }]);
    expect(result.errors).toEqual([]);
    expect(names(result, 'Service')).toEqual(fixtureNames('Service'));
  });

  it('500 then success', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/api/v1/nodes', status: 500, times: 1, body: statusBody(500, 'InternalError', 'etcd hiccup') });
    const result = await scan();
    expect(result.errors).toEqual([]);
    expect(names(result, 'Node')).toEqual(fixtureNames('Node'));
    expect(fake.requests.filter((r) => r.path === '/api/v1/nodes')).toHaveLength(2);
  });

  it('persistent 503: recorded after the retries, others intact', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/apis/discovery.k8s.io/v1/endpointslices', status: 503, body: statusBody(503, 'ServiceUnavailable', 'the server is currently unable to handle the request') });
    const result = await scan();
    expect(result.data[DATA.endpointSlices]?.state).toBe('error');
    expect(result.errors[0]!.message).toBe(
      'listing endpointslices.discovery.k8s.io in all namespaces: 503 Service Unavailable: the server is currently unable to handle the request',
    );
    expect(fake.requests.filter((r) => r.path === '/apis/discovery.k8s.io/v1/endpointslices')).toHaveLength(FAST_RETRY.retries + 1);
    expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
  });

  it('a connection reset, then success', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/apis/networking.k8s.io/v1/ingresses', reset: true, times: 1 });
    const result = await scan();
    expect(result.errors).toEqual([]);
    expect(names(result, 'Ingress')).toEqual(fixtureNames('Ingress'));
  });

  it('a truncated body, then success: retried at once, not after the request timeout', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/api/v1/pods', truncate: true, times: 1 });
    const retries: unknown[] = [];
    const started = Date.now();
    const result = await scan({ requestTimeoutMs: 5_000 }, { onRetry: (_r, _a, _d, error) => retries.push(error) });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.errors).toEqual([]);
    expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
    expect(String(retries[0])).toMatch(/truncated/);
  });

  it('a body truncated every time: a recorded error, never a crash', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/api/v1/pods', truncate: true });
    const result = await scan();
    expect(result.data[DATA.pods]?.state).toBe('error');
    expect(result.errors).toEqual([{ source: 'kube', data: DATA.pods, message: expect.stringMatching(/^listing pods in all namespaces: response truncated/) }]);
    expect(names(result, 'Node')).toEqual(fixtureNames('Node'));
  });

  it('a hang past the request timeout: retried, then recorded; the scan ends on time', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/apis/networking.k8s.io/v1/networkpolicies', hang: true });
    const started = Date.now();
    const result = await scan({ requestTimeoutMs: 300, retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.data[DATA.networkPolicies]).toEqual({ state: 'error', reason: expect.stringContaining('no complete answer within 300 ms') });
    expect(fake.requests.filter((r) => r.path.endsWith('/networkpolicies'))).toHaveLength(2);
    expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
  });

  it('a hang once: the retry collects it', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/api/v1/events', hang: true, times: 1 });
    const result = await scan({ requestTimeoutMs: 300 });
    expect(result.errors).toEqual([]);
    expect(result.objects.some((o) => o.kind === 'Event')).toBe(true);
  });

  it('the whole-scan timeout stops waiting and records what is missing', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/api/v1/pods', hang: true }, { match: '/api/v1/nodes', hang: true });
    const started = Date.now();
    const result = await scan({ timeoutMs: 600, requestTimeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.unreachable).toBeUndefined();
    expect(result.data[DATA.pods]).toEqual({ state: 'error', reason: expect.stringContaining('ran out of time') });
    expect(result.data[DATA.nodes]?.state).toBe('error');
    expect(names(result, 'Service')).toEqual(fixtureNames('Service'));
  });

  it('410 Gone on a continue token: the list starts over once and completes', async () => {
    fake = await startKubeFake(clusterObjects);
    let injected = false;
    const result = await scan(
      { pageSize: 2 },
      {
        onPage: (resource) => {
          // After the first page of pods, expire the continue token once.
          if (resource === 'pods' && !injected) {
            injected = true;
            fake!.faults.push({ match: '/api/v1/pods', status: 410, times: 1, body: statusBody(410, 'Expired', 'The provided continue parameter is too old') });
          }
        },
      },
    );
    expect(result.errors).toEqual([]);
    expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
    const pods = fake.requests.filter((r) => r.path === '/api/v1/pods');
    expect(pods.map((r) => Boolean(r.query.continue))).toEqual([false, true, false, true]);
  });

  it('a server that never answers /version before the scan deadline: unreachable', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/version', hang: true });
    const result = await scan({ timeoutMs: 300, requestTimeoutMs: 5_000 });
    expect(result.unreachable?.message).toMatch(/ran out of time/);
  });

  it('the kube-system Namespace forbidden: the cluster UID is an error, the lists go on', async () => {
    fake = await startKubeFake(clusterObjects);
    fake.faults.push({ match: '/api/v1/namespaces/kube-system', status: 403, body: statusBody(403, 'Forbidden', 'namespaces "kube-system" is forbidden') });
    const result = await scan();
    expect(result.cluster.kubeSystemUid).toBeUndefined();
    expect(result.errors).toEqual([expect.objectContaining({ data: 'k8s:cluster-uid', status: 403, message: expect.stringContaining('(needs get on namespaces)') })]);
    expect(names(result, 'Pod')).toEqual(fixtureNames('Pod'));
  });
});

const execFileAsync = promisify(execFile);

async function kubectlPath(): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('sh', ['-c', 'command -v kubectl']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

const kubectl = await kubectlPath();

/** What kubectl calls each kind the collector reads. */
const KUBECTL_RESOURCES: Array<[kind: string, resource: string]> = [
  ['Deployment', 'deployments.apps'],
  ['HorizontalPodAutoscaler', 'horizontalpodautoscalers.autoscaling'],
  ['Service', 'services'],
  ['Ingress', 'ingresses.networking.k8s.io'],
  ['IngressClass', 'ingressclasses.networking.k8s.io'],
  ['EndpointSlice', 'endpointslices.discovery.k8s.io'],
  ['Pod', 'pods'],
  ['Node', 'nodes'],
  ['NetworkPolicy', 'networkpolicies.networking.k8s.io'],
  ['Event', 'events'],
  ['BackendConfig', 'backendconfigs.cloud.google.com'],
  ['ServiceNetworkEndpointGroup', 'servicenetworkendpointgroups.networking.gke.io'],
];

describe.skipIf(!kubectl)(`faithfulness against kubectl${kubectl ? '' : ' (skipped: kubectl is not on PATH)'}`, () => {
  it('kubectl reads the fake like a real server, and the collector returns what kubectl sees, redacted', async () => {
    fake = await startKubeFake(clusterObjects);
    const kubeconfig = fake.writeKubeconfig();
    const cacheDir = mkdtempSync(join(tmpdir(), 'negdoctor-kubectl-cache-'));
    const collected = await collectKube({ kubeconfig, allNamespaces: true, timeoutMs: 10_000, retry: FAST_RETRY });
    for (const [kind, resource] of KUBECTL_RESOURCES) {
      const { stdout } = await execFileAsync(kubectl!, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, '--request-timeout', '10s', 'get', resource, '-A', '-o', 'json', '--show-managed-fields'], {
        env: { PATH: process.env.PATH ?? '', HOME: cacheDir },
      });
      const items = (JSON.parse(stdout) as { items: KubeObject[] }).items;
      const byKey = (a: KubeObject, b: KubeObject) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
      // kubectl's view equals the fixture: the fake serves real paths and List semantics.
      const expected = clusterObjects.filter((o) => o.kind === kind) as KubeObject[];
      expect(items.sort(byKey), kind).toEqual([...expected].sort(byKey));
      // The collector's view equals kubectl's, after redaction (events also filtered to collected subjects).
      const mine = collected.objects.filter((o) => o.kind === kind).sort(byKey);
      const theirs = items.map(redactObject);
      if (kind === 'Event') expect(theirs.filter((e) => mine.some((m) => m.metadata.name === e.metadata.name))).toEqual(mine);
      else expect(mine, kind).toEqual(theirs);
    }
    expect(new Set(fake.requests.map((r) => r.method))).toEqual(new Set(['GET']));
    // kubectl walked the same list paths, with its own chunking.
    expect(fake.requests.filter((r) => r.path === '/api/v1/pods').map((r) => r.query.limit)).toEqual(['500', '500']);
  });
});
