/**
 * The Google Cloud collector against the fake Compute and Container servers,
 * with the real client libraries in between.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointOverride } from '../../src/collectors/gcp/clients.js';
import { classifyGcloudDump, classifyGcloudValue, dataKeysOf, mergeIntoCloudState } from '../../src/collectors/gcp/dumps.js';
import { collectGcp, COLLECTED_GCP_DATA, GCP_IAM_PERMISSIONS, regionOf, shouldInspect, type GcpCollectOptions } from '../../src/collectors/gcp/index.js';
import type { CollectionProgress } from '../../src/collectors/progress.js';
import { DATA } from '../../src/snapshot/data-keys.js';
import type { CloudState } from '../../src/snapshot/types.js';
import { googleErrorBody, permissionDeniedBody, startGcpFake, type GcpFake, type GcpFakeState } from '../fakes/gcp-server.js';

const FIXTURE = new URL('../../fixtures/snapshots/gcp-basic.json', import.meta.url);
const CLUSTER_UID = '7f3a2b1c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const OWN_NEG = 'k8s1-7f3a2b1c-shop-frontend-80-1a2b3c4d';
const ORPHAN_NEG = 'k8s1-deadbeef-legacy-api-8080-9f8e7d6c';
const SIBLING_NEG = 'k8s1-c0ffee00-batch-worker-80-5e6f7a8b';
const FAST_RETRY = { retries: 3, baseDelayMs: 20, maxDelayMs: 1_500 };

function loadState(): GcpFakeState {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as GcpFakeState;
}

let workDir: string;
let tokenFile: string;
let fake: GcpFake;

beforeAll(() => {
  // The collector must never reach for the metadata server, whatever the auth library tries.
  process.env.METADATA_SERVER_DETECTION = 'none';
  process.env.GCE_METADATA_HOST = '127.0.0.1:9';
  workDir = mkdtempSync(join(tmpdir(), 'negdoctor-gcp-'));
  tokenFile = join(workDir, 'token');
  writeFileSync(tokenFile, 'fake-access-token\n');
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

afterEach(async () => {
  await fake?.close();
});

function envFor(server: GcpFake): NodeJS.ProcessEnv {
  return {
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: server.computeEndpoint,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: server.containerEndpoint,
  };
}

function collect(server: GcpFake, overrides: Partial<GcpCollectOptions> = {}, progress?: CollectionProgress) {
  return collectGcp(
    {
      project: 'demo-project',
      location: 'us-central1',
      cluster: 'shop',
      clusterUid: CLUSTER_UID,
      timeoutMs: 20_000,
      requestTimeoutMs: 5_000,
      retry: FAST_RETRY,
      env: envFor(server),
      ...overrides,
    },
    progress,
  );
}

const GCP_KEYS = COLLECTED_GCP_DATA;

/** What the fake answered with an item count, for each list call: requests = pages + NEGs inspected + NEG backends. */
function expectedRequests(pageSize: number): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  const firewallsOnDefault = 6;
  const negs = 4;
  const globalBackendServices = 2;
  const regionalBackendServices = 0;
  // One listNetworkEndpoints per inspected NEG (own, orphan, sibling: not the hand-made one), by their endpoint counts.
  const negEndpointPages = pages(2) + pages(0) + pages(1);
  const negBackends = 2;
  const subnetworksInUsCentral1OnDefault = 2;
  return (
    1 /* getCluster */ +
    1 /* listClusters (no pagination in the GKE API) */ +
    1 /* networks.get */ +
    2 /* networks.getEffectiveFirewalls, regionNetworkFirewallPolicies.getEffectiveFirewalls */ +
    pages(subnetworksInUsCentral1OnDefault) +
    pages(firewallsOnDefault) +
    pages(negs) +
    negEndpointPages +
    pages(globalBackendServices) +
    pages(regionalBackendServices) +
    negBackends +
    2 /* instances.aggregatedList, instanceTemplates.list (the fixture has no node VMs: one empty page each) */
  );
}

describe('collectGcp against the fake', () => {
  it('collects the cluster, network, firewalls, NEGs, endpoints, backend services and health', async () => {
    fake = await startGcpFake(loadState());
    const started: string[] = [];
    const done = new Map<string, number>();
    const result = await collect(fake, {}, {
      onStart: (r) => started.push(r),
      onDone: (r, total) => done.set(r, total),
    });

    expect(result.errors).toEqual([]);
    for (const key of GCP_KEYS) expect(result.data[key], key).toEqual({ state: 'collected' });

    // Hierarchical and global policies from the global call, the us-central1 regional policy from the regional one.
    expect(result.cloud.firewallPolicies?.map((p) => [p.type, p.name, p.region ?? null])).toEqual([
      ['HIERARCHY', '381947265019', null],
      ['NETWORK', 'demo-global', null],
      ['NETWORK_REGIONAL', 'demo-us-central1', 'us-central1'],
    ]);
    expect(result.cloud.firewallPolicies?.[0]).toMatchObject({ shortName: 'org-baseline', rules: expect.arrayContaining([expect.objectContaining({ priority: 1000, action: 'deny', match: { layer4Configs: [{ ipProtocol: 'tcp', ports: ['23'] }], srcIpRanges: ['0.0.0.0/0'] } })]) as unknown });
    // Only the cluster network's subnets of its region.
    expect(result.cloud.subnetworks?.map((s) => [s.name, s.ipCidrRange, s.purpose, s.role ?? null])).toEqual([
      ['default', '10.128.0.0/20', 'PRIVATE', null],
      ['proxy-only-us-central1', '10.129.0.0/23', 'REGIONAL_MANAGED_PROXY', 'ACTIVE'],
    ]);

    const cloud = result.cloud;
    expect(cloud.project).toBe('demo-project');
    expect(cloud.clusterName).toBe('shop');
    const shop = cloud.clusters?.find((c) => c.name === 'shop');
    expect(shop).toMatchObject({
      name: 'shop',
      location: 'us-central1',
      network: 'default',
      clusterUid: CLUSTER_UID,
      currentMasterVersion: '1.30.5-gke.1014001',
      ipAllocationPolicy: { useIpAliases: true, clusterIpv4CidrBlock: '10.4.0.0/14' },
      addonsConfig: { httpLoadBalancing: { disabled: false } },
      locations: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
    });
    expect(shop?.nodePools).toEqual([
      {
        name: 'default-pool',
        config: { tags: ['gke-shop-node', 'web'], serviceAccount: 'shop-nodes@demo-project.iam.gserviceaccount.com' },
        locations: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
        version: '1.30.5-gke.1014001',
      },
      {
        name: 'spot-pool',
        config: { tags: ['gke-shop-node', 'spot'], serviceAccount: 'default' },
        locations: ['us-central1-a', 'us-central1-b'],
        version: '1.30.5-gke.1014001',
      },
    ]);
    const batch = cloud.clusters?.find((c) => c.name === 'batch');
    expect(batch).toMatchObject({ location: 'us-east1-b', addonsConfig: { httpLoadBalancing: { disabled: true } } });

    expect(cloud.networks).toHaveLength(1);
    expect(cloud.networks?.[0]).toMatchObject({ name: 'default', autoCreateSubnetworks: true });
    expect(cloud.networks?.[0]?.IPv4Range).toBeUndefined();

    // Only the rules of the cluster's network; the other VPC's rule is filtered out by the server.
    expect(cloud.firewalls?.map((f) => f.name).sort()).toEqual([
      'allow-hc-admin-disabled',
      'allow-health-checks',
      'default-allow-internal',
      'default-allow-ssh',
      'deny-hc-metrics',
      'k8s-fw-l7--7f3a2b1c5d6e4f70',
    ]);
    expect(cloud.firewalls?.find((f) => f.name === 'deny-hc-metrics')).toMatchObject({
      priority: 900,
      direction: 'INGRESS',
      disabled: false,
      sourceRanges: ['35.191.0.0/16'],
      targetTags: ['gke-shop-node'],
      denied: [{ IPProtocol: 'tcp', ports: ['9090'] }],
    });
    // Absent repeated fields stay absent (not []), like gcloud's JSON.
    expect(cloud.firewalls?.find((f) => f.name === 'allow-health-checks')?.denied).toBeUndefined();

    expect(cloud.negs?.map((n) => n.name).sort()).toEqual([ORPHAN_NEG, SIBLING_NEG, OWN_NEG, 'manual-web-neg'].sort());
    const endpoints = Object.fromEntries((cloud.negs ?? []).map((n) => [n.name, n.endpoints]));
    expect(endpoints[OWN_NEG]).toEqual([
      { ipAddress: '10.4.0.5', port: 8080, instance: 'gke-shop-default-pool-3f2a1b9c-abcd' },
      { ipAddress: '10.4.1.7', port: 8080, instance: 'gke-shop-default-pool-3f2a1b9c-efgh' },
    ]);
    expect(endpoints[ORPHAN_NEG]).toEqual([]);
    expect(endpoints[SIBLING_NEG]).toEqual([{ ipAddress: '10.20.0.9', port: 80, instance: 'gke-batch-default-pool-c0ffee00-wxyz' }]);
    expect(endpoints['manual-web-neg']).toBeUndefined();

    expect(cloud.backendServices?.map((b) => b.name).sort()).toEqual([SIBLING_NEG, OWN_NEG].sort());
    expect(cloud.backendServices?.find((b) => b.name === OWN_NEG)).toMatchObject({
      connectionDraining: { drainingTimeoutSec: 0 },
      loadBalancingScheme: 'EXTERNAL',
      backends: [{ group: expect.stringContaining(`/networkEndpointGroups/${OWN_NEG}`) as string, balancingMode: 'RATE' }],
    });
    const own = cloud.backendHealth?.find((h) => h.group.endsWith(OWN_NEG));
    expect(own?.backendService).toMatch(new RegExp(`/global/backendServices/${OWN_NEG}$`));
    expect(own?.healthStatus.map((s) => [s.ipAddress, s.port, s.healthState])).toEqual([
      ['10.4.0.5', 8080, 'HEALTHY'],
      ['10.4.1.7', 8080, 'UNHEALTHY'],
    ]);
    expect(cloud.backendHealth).toHaveLength(2);

    // No proto helper keys (`_name: "name"`) or client internals leak into the snapshot.
    const json = JSON.stringify(cloud);
    expect(json).not.toMatch(/"_[A-Za-z]+":/);

    expect(new Set(started)).toEqual(
      new Set(['cluster', 'clusters', 'network', 'firewalls', 'firewall-policies', 'subnetworks', 'negs', 'neg-endpoints', 'backend-services', 'backend-health', 'node-vms']),
    );
    expect(done.get('firewalls')).toBe(6);
    expect(done.get('negs')).toBe(4);
    expect(done.get('neg-endpoints')).toBe(3);
    // No node VMs in the fixture: read, and none (the node tags then come from the describe and the cluster id).
    expect(cloud.nodeVms).toEqual([]);
  });

  it('only reads: GETs, plus the read-only POSTs listNetworkEndpoints and getHealth', async () => {
    fake = await startGcpFake(loadState());
    await collect(fake);
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const req of fake.requests) {
      const readOnly = req.method === 'GET' || (req.method === 'POST' && /\/(listNetworkEndpoints|getHealth)$/.test(req.path));
      // getEffectiveFirewalls is a GET in both its global and regional forms.
      if (req.path.endsWith('/getEffectiveFirewalls')) expect(req.method).toBe('GET');
      expect(readOnly, `${req.method} ${req.path}`).toBe(true);
    }
    const posts = fake.requests.filter((r) => r.method === 'POST');
    expect(posts.filter((r) => r.path.endsWith('/getHealth')).map((r) => JSON.parse(r.body ?? '{}') as unknown)).toEqual(
      expect.arrayContaining([{ group: expect.stringContaining(OWN_NEG) as string }]),
    );
  });

  it('sends one request per list page, per inspected NEG and per NEG backend — never one per object', async () => {
    fake = await startGcpFake(loadState());
    const result = await collect(fake);
    expect(result.requests).toBe(expectedRequests(500));
    expect(result.requests).toBe(17);
    expect(fake.requests).toHaveLength(result.requests);
    // No per-object GETs of things a list already returned.
    const perObject = fake.requests.filter(
      (r) => r.method === 'GET' && /\/(firewalls|networkEndpointGroups|backendServices)\/[^/]+$/.test(r.path),
    );
    expect(perObject).toEqual([]);
  });

  it('follows maxResults/pageToken pagination and gets the same state', async () => {
    fake = await startGcpFake(loadState());
    const whole = await collect(fake);
    await fake.close();
    fake = await startGcpFake(loadState());
    const paged = await collect(fake, { pageSize: 2 });
    expect(paged.errors).toEqual([]);
    expect(paged.cloud).toEqual(whole.cloud);
    expect(paged.requests).toBe(expectedRequests(2));
    expect(paged.requests).toBe(20);
    const firewallCalls = fake.requests.filter((r) => r.path.endsWith('/global/firewalls'));
    expect(firewallCalls.map((r) => r.query.maxResults)).toEqual(['2', '2', '2']);
    expect(firewallCalls.map((r) => Boolean(r.query.pageToken))).toEqual([false, true, true]);
    expect(firewallCalls[0]?.query.filter).toBe('network eq ".*/projects/demo-project/global/networks/default"');
  });

  it('follows pages the server shortens on its own', async () => {
    fake = await startGcpFake(loadState(), { maxPageSize: 1 });
    const result = await collect(fake);
    expect(result.errors).toEqual([]);
    expect(result.cloud.firewalls).toHaveLength(6);
    expect(result.cloud.negs).toHaveLength(4);
    expect(fake.requests.filter((r) => r.path.includes('/aggregated/networkEndpointGroups'))).toHaveLength(4);
  });

  describe('faults', () => {
    it('a 403 on firewalls names compute.firewalls.list, marks only firewalls, and is not retried', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({
        match: '/global/firewalls',
        status: 403,
        body: permissionDeniedBody('compute.firewalls.list', 'projects/demo-project'),
      });
      const result = await collect(fake);
      expect(result.data[DATA.gcpFirewalls]?.state).toBe('error');
      expect(result.data[DATA.gcpFirewalls]?.reason).toContain('compute.firewalls.list');
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ source: 'gcp', data: DATA.gcpFirewalls, status: 403 });
      expect(result.errors[0]?.message).toContain('compute.firewalls.list');
      expect(result.errors[0]?.message).toContain("Required 'compute.firewalls.list' permission");
      for (const key of GCP_KEYS.filter((k) => k !== DATA.gcpFirewalls)) expect(result.data[key]?.state, key).toBe('collected');
      expect(result.cloud.firewalls).toBeUndefined();
      expect(result.cloud.negs).toHaveLength(4);
      expect(fake.requests.filter((r) => r.path.endsWith('/global/firewalls'))).toHaveLength(1);
    });

    it('a 403 on getHealth names compute.backendServices.get', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: '/getHealth', status: 403, times: 1, body: permissionDeniedBody('compute.backendServices.get', 'projects/demo-project') });
      const result = await collect(fake);
      expect(result.data[DATA.gcpBackendHealth]?.state).toBe('error');
      expect(result.errors.map((e) => e.message).join('\n')).toContain('compute.backendServices.get');
      expect(result.cloud.backendHealth).toHaveLength(1);
    });

    it('a 429 is retried after Retry-After', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({
        match: '/aggregated/networkEndpointGroups',
        status: 429,
        times: 1,
        headers: { 'retry-after': '1' },
        body: googleErrorBody(429, 'Quota exceeded for quota metric read requests', 'rateLimitExceeded'),
      });
      const retries: Array<{ resource: string; attempt: number; delayMs: number }> = [];
      const started = Date.now();
      const result = await collect(fake, {}, { onRetry: (resource, attempt, delayMs) => retries.push({ resource, attempt, delayMs }) });
      expect(result.errors).toEqual([]);
      expect(result.data[DATA.gcpNegs]?.state).toBe('collected');
      expect(retries).toEqual([{ resource: 'negs', attempt: 1, delayMs: 1_000 }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(result.requests).toBe(18);
    });

    it('a 500 then success is retried', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: '/clusters/shop', status: 500, times: 1, body: googleErrorBody(500, 'Internal error') });
      const result = await collect(fake);
      expect(result.errors).toEqual([]);
      expect(result.data[DATA.gcpCluster]?.state).toBe('collected');
      expect(fake.requests.filter((r) => r.path.endsWith('/clusters/shop'))).toHaveLength(2);
    });

    it('a 500 that persists is recorded after the retries, with its status', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: '/global/backendServices', method: 'GET', status: 503, body: googleErrorBody(503, 'Backend unavailable') });
      const result = await collect(fake, { retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 } });
      expect(result.data[DATA.gcpBackendServices]?.state).toBe('error');
      expect(result.errors).toEqual([expect.objectContaining({ data: DATA.gcpBackendServices, status: 503 })]);
      expect(result.errors[0]?.message).toContain('Backend unavailable');
      expect(fake.requests.filter((r) => r.path.endsWith('/global/backendServices'))).toHaveLength(3);
      expect(result.data[DATA.gcpNegs]?.state).toBe('collected');
    });

    it('a connection reset is retried', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: '/global/backendServices', method: 'GET', reset: true, times: 1 });
      const result = await collect(fake);
      expect(result.errors).toEqual([]);
      expect(result.cloud.backendServices).toHaveLength(2);
      expect(fake.requests.filter((r) => r.path.endsWith('/global/backendServices'))).toHaveLength(2);
    });

    it('a truncated body is retried', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: '/global/firewalls', truncate: true, times: 1 });
      const result = await collect(fake);
      expect(result.errors).toEqual([]);
      expect(result.cloud.firewalls).toHaveLength(6);
    });

    it('a request that hangs past the request timeout is abandoned and retried', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: `/networkEndpointGroups/${OWN_NEG}/listNetworkEndpoints`, hang: true, times: 1 });
      const started = Date.now();
      const result = await collect(fake, { requestTimeoutMs: 300 });
      expect(result.errors).toEqual([]);
      expect(result.cloud.negs?.find((n) => n.name === OWN_NEG)?.endpoints).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('a request that always hangs fails its key only', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: '/getHealth', hang: true });
      const result = await collect(fake, { requestTimeoutMs: 200, retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 } });
      expect(result.data[DATA.gcpBackendHealth]?.state).toBe('error');
      expect(result.errors).toHaveLength(2);
      expect(result.errors[0]?.message).toMatch(/no answer within 200 ms/);
      for (const key of GCP_KEYS.filter((k) => k !== DATA.gcpBackendHealth)) expect(result.data[key]?.state, key).toBe('collected');
    });

    it('stops at the collection timeout and says so', async () => {
      fake = await startGcpFake(loadState(), { latencyMs: 3_000 });
      const started = Date.now();
      const result = await collect(fake, { timeoutMs: 400 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result.data[DATA.gcpCluster]?.state).toBe('error');
      expect(result.data[DATA.gcpFirewalls]?.state).toBe('error');
      expect(result.errors.every((e) => e.message.includes('timed out after 400 ms'))).toBe(true);
      // The cluster (and so its network) never came back: the policies and subnets cannot be asked for.
      expect(result.data[DATA.gcpFirewallPolicies]?.state).toBe('missing');
    });

    it('a 403 on the effective firewalls names compute.networks.getEffectiveFirewalls and leaves the VPC rules', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({
        match: '/getEffectiveFirewalls',
        status: 403,
        body: permissionDeniedBody('compute.networks.getEffectiveFirewalls', 'projects/demo-project/global/networks/default'),
      });
      const result = await collect(fake);
      expect(result.data[DATA.gcpFirewallPolicies]?.state).toBe('error');
      expect(result.data[DATA.gcpFirewallPolicies]?.reason).toContain('permission compute.networks.getEffectiveFirewalls is missing');
      expect(result.errors.map((e) => e.message).join('\n')).toContain('compute.networks.getRegionEffectiveFirewalls');
      expect(result.cloud.firewallPolicies).toBeUndefined();
      expect(result.data[DATA.gcpFirewalls]?.state).toBe('collected');
      expect(result.data[DATA.gcpSubnetworks]?.state).toBe('collected');
    });

    it('a 403 on the regional effective firewalls keeps the global policies and says what is missing', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({
        match: '/regions/us-central1/firewallPolicies/getEffectiveFirewalls',
        status: 403,
        body: permissionDeniedBody('compute.networks.getRegionEffectiveFirewalls', 'projects/demo-project/global/networks/default'),
      });
      const result = await collect(fake);
      expect(result.data[DATA.gcpFirewallPolicies]?.state).toBe('collected');
      expect(result.data[DATA.gcpFirewallPolicies]?.reason).toMatch(/regional network firewall policies of us-central1 were not read and not evaluated: .*compute\.networks\.getRegionEffectiveFirewalls/);
      expect(result.cloud.firewallPolicies?.map((p) => p.name)).toEqual(['381947265019', 'demo-global']);
    });

    it('a 403 on subnetworks names compute.subnetworks.list', async () => {
      fake = await startGcpFake(loadState());
      fake.faults.push({ match: '/subnetworks', status: 403, body: permissionDeniedBody('compute.subnetworks.list', 'projects/demo-project/regions/us-central1') });
      const result = await collect(fake);
      expect(result.data[DATA.gcpSubnetworks]).toMatchObject({ state: 'error', reason: expect.stringContaining('compute.subnetworks.list') as string });
    });

    it("a 403 on the instances keeps the templates (collected, with the gap said) and names compute.instances.list; both denied is an error", async () => {
      const state = loadState();
      state.instanceTemplates = [{ name: 'gke-shop-default-pool-1a2b3c4d', properties: { machineType: 'e2-standard-4', tags: { items: ['gke-shop-3f2a1b9c-node'] }, labels: { 'goog-k8s-cluster-name': 'shop' } } }];
      state.instances = [{ name: 'gke-shop-default-pool-1a2b3c4d-x1', zone: 'us-central1-a', machineType: 'e2-standard-4', networkInterfaces: [], labels: { 'goog-k8s-cluster-name': 'shop' } }];
      fake = await startGcpFake(state);
      fake.faults.push({ match: '/aggregated/instances', status: 403, body: permissionDeniedBody('compute.instances.list', 'projects/demo-project') });
      const result = await collect(fake);
      expect(result.data[DATA.gcpNodeVms]).toMatchObject({ state: 'collected', reason: expect.stringContaining('only part of the node VMs') as string });
      expect(result.cloud.nodeVms?.map((vm) => [vm.kind, vm.name, vm.tags])).toEqual([['instanceTemplate', 'gke-shop-default-pool-1a2b3c4d', ['gke-shop-3f2a1b9c-node']]]);
      expect(result.errors.map((e) => e.message).join('\n')).toContain('compute.instances.list');
      await fake.close();

      fake = await startGcpFake(state);
      fake.faults.push({ match: '/aggregated/instances', status: 403, body: permissionDeniedBody('compute.instances.list', 'projects/demo-project') });
      fake.faults.push({ match: '/global/instanceTemplates', status: 403, body: permissionDeniedBody('compute.instanceTemplates.list', 'projects/demo-project') });
      const denied = await collect(fake);
      expect(denied.data[DATA.gcpNodeVms]?.state).toBe('error');
      expect(denied.cloud.nodeVms).toBeUndefined();
    });

    it('a missing cluster leaves its network unknown and lists every firewall rule', async () => {
      fake = await startGcpFake(loadState());
      const result = await collect(fake, { cluster: 'gone' });
      expect(result.data[DATA.gcpCluster]?.state).toBe('error');
      expect(result.errors[0]).toMatchObject({ data: DATA.gcpCluster, status: 404 });
      expect(result.data[DATA.gcpNetwork]).toEqual({ state: 'missing', reason: 'the cluster could not be read, so its network is unknown' });
      expect(result.cloud.firewalls).toHaveLength(7);
      expect(result.cloud.clusters?.map((c) => c.name)).toEqual(['shop', 'batch']);
    });

    it('without credentials nothing is requested and every key says why', async () => {
      fake = await startGcpFake(loadState());
      const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
      process.env.GOOGLE_APPLICATION_CREDENTIALS = join(workDir, 'no-such-credentials.json');
      try {
        const env = envFor(fake);
        delete env.CLOUDSDK_AUTH_ACCESS_TOKEN_FILE;
        const result = await collect(fake, { env });
        expect(result.requests).toBe(0);
        expect(fake.requests).toHaveLength(0);
        for (const key of GCP_KEYS) expect(result.data[key]?.state, key).toBe('error');
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]?.message).toMatch(/no Google Cloud credentials/);
      } finally {
        if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
        else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
      }
    });
  });
});

describe('collector helpers', () => {
  it('maps gcloud endpoint overrides to host, port and scheme', () => {
    expect(parseEndpointOverride('http://127.0.0.1:8080/compute/v1/', 'X', '/compute/v1/')).toEqual({
      apiEndpoint: '127.0.0.1',
      port: 8080,
      protocol: 'http',
    });
    expect(parseEndpointOverride('https://container.googleapis.com/', 'X', '/')).toEqual({
      apiEndpoint: 'container.googleapis.com',
      port: 443,
      protocol: 'https',
    });
    expect(() => parseEndpointOverride('http://127.0.0.1:8080/compute/beta/', 'X', '/compute/v1/')).toThrow(/path must be/);
    expect(() => parseEndpointOverride('not a url', 'X', '/')).toThrow(/not a URL/);
  });

  it('inspects this cluster’s NEGs and GKE NEGs that may be orphaned, nothing else', () => {
    const zone = 'https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a';
    expect(shouldInspect({ name: OWN_NEG, zone }, CLUSTER_UID)).toBe(true);
    expect(shouldInspect({ name: ORPHAN_NEG, zone }, CLUSTER_UID)).toBe(true);
    expect(shouldInspect({ name: 'custom-name', zone, description: JSON.stringify({ 'cluster-uid': CLUSTER_UID, namespace: 'a', 'service-name': 'b', port: '80' }) }, CLUSTER_UID)).toBe(true);
    expect(shouldInspect({ name: 'manual-web-neg', zone, description: 'hand-made' }, CLUSTER_UID)).toBe(false);
    expect(shouldInspect({ name: 'k8s1-7f3a2b1c-x-y-80-12345678' }, CLUSTER_UID)).toBe(false);
  });

  it('derives the region of a zone', () => {
    expect(regionOf('us-central1-a')).toBe('us-central1');
    expect(regionOf('europe-west4')).toBe('europe-west4');
  });

  it('documents the IAM permissions it needs', () => {
    const permissions = GCP_IAM_PERMISSIONS.map((p) => p.permission);
    expect(permissions).toContain('compute.firewalls.list');
    expect(permissions).toContain('container.clusters.get');
    expect(permissions).toContain('compute.networkEndpointGroups.list');
    expect(new Set(permissions).size).toBe(permissions.length);
  });
});

// ---------------------------------------------------------------- gcloud

const GCLOUD_TIMEOUT_MS = 30_000;

function runGcloud(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile('gcloud', args, { env, timeout: GCLOUD_TIMEOUT_MS, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const gcloudProbe = await runGcloud(['--version'], { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' }).catch(() => undefined);
const gcloudUsable = gcloudProbe?.code === 0 && gcloudProbe.ms < GCLOUD_TIMEOUT_MS;
if (!gcloudUsable) {
  console.warn(
    `[gcp.test] skipping the gcloud faithfulness checks: ${gcloudProbe ? `gcloud --version exited ${gcloudProbe.code} after ${gcloudProbe.ms} ms` : 'gcloud is not on PATH'}`,
  );
}

describe.skipIf(!gcloudUsable)('the fake is faithful to gcloud', () => {
  let configDir: string;

  function gcloudEnv(server: GcpFake): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: workDir,
      CLOUDSDK_CONFIG: configDir,
      CLOUDSDK_CORE_PROJECT: 'demo-project',
      CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: server.computeEndpoint,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: server.containerEndpoint,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
      METADATA_SERVER_DETECTION: 'none',
      GCE_METADATA_HOST: '127.0.0.1:9',
      GCE_METADATA_ROOT: '127.0.0.1:9',
      NO_PROXY: '127.0.0.1',
    };
  }

  async function gcloudJson(args: string[]): Promise<unknown> {
    const result = await runGcloud([...args, '--format=json'], gcloudEnv(fake));
    if (result.ms >= GCLOUD_TIMEOUT_MS) {
      console.warn(`[gcp.test] gcloud ${args.join(' ')} took ${result.ms} ms; treating as skipped`);
      return undefined;
    }
    expect(result.code, `gcloud ${args.join(' ')}: ${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout) as unknown;
  }

  beforeAll(() => {
    configDir = mkdtempSync(join(workDir, 'gcloud-config-'));
  });

  it('gcloud compute firewall-rules list reads the fake and the collector agrees', { timeout: 60_000 }, async () => {
    fake = await startGcpFake(loadState(), { maxPageSize: 3 });
    const listed = await gcloudJson(['compute', 'firewall-rules', 'list']);
    if (listed === undefined) return;
    const state = loadState();
    // gcloud pages through the fake (3 per page) and prints the raw resources.
    expect(listed).toEqual(state.firewalls);
    const gcloudCalls = fake.requests.filter((r) => r.path === '/compute/v1/projects/demo-project/global/firewalls');
    expect(gcloudCalls).toHaveLength(Math.ceil(state.firewalls!.length / 3));
    console.info(`[gcp.test] gcloud firewall-rules list: ${gcloudCalls.map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query).toString()}`).join(' | ')}`);
    const items = (listed as unknown[]).map((v) => classifyGcloudValue(v));
    expect(items.every((i) => i?.type === 'firewall')).toBe(true);
    const fromDump = mergeIntoCloudState({} as CloudState, items.filter((i) => i !== undefined));
    const live = await collect(fake, { cluster: 'gone' }); // unfiltered: every rule, like gcloud
    expect(live.cloud.firewalls).toEqual(fromDump.firewalls);
  });

  it('gcloud compute network-endpoint-groups list and backend-services get-health read the fake', { timeout: 60_000 }, async () => {
    fake = await startGcpFake(loadState());
    const negs = await gcloudJson(['compute', 'network-endpoint-groups', 'list']);
    if (negs === undefined) return;
    expect((negs as Array<{ name: string }>).map((n) => n.name).sort()).toEqual(
      (loadState().networkEndpointGroups ?? []).map((n) => String(n.name)).sort(),
    );
    const health = await gcloudJson(['compute', 'backend-services', 'get-health', OWN_NEG, '--global']);
    if (health === undefined) return;
    expect(health).toEqual([
      expect.objectContaining({
        backend: expect.stringContaining(`/networkEndpointGroups/${OWN_NEG}`) as string,
        status: expect.objectContaining({ kind: 'compute#backendServiceGroupHealth' }) as object,
      }),
    ]);
    const classified = (health as unknown[]).map((v) => classifyGcloudValue(v));
    expect(classified.every((c) => c?.type === 'backendHealth')).toBe(true);
  });

  it('gcloud compute networks get-effective-firewalls reads the fake, and its dump is judged like the live answer', { timeout: 60_000 }, async () => {
    fake = await startGcpFake(loadState());
    const effective = await gcloudJson(['compute', 'networks', 'get-effective-firewalls', 'default']);
    if (effective === undefined) return;
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /compute/v1/projects/demo-project/global/networks/default/getEffectiveFirewalls');
    const answer = effective as { firewalls?: Array<{ name: string }>; firewallPolicys?: Array<{ name: string; type: string; rules: unknown[] }> };
    expect(answer.firewallPolicys?.map((p) => [p.type, p.name])).toEqual([
      ['HIERARCHY', '381947265019'],
      ['NETWORK', 'demo-global'],
    ]);
    expect(answer.firewalls?.map((f) => f.name).sort()).toEqual((loadState().firewalls ?? []).filter((f) => String(f.network).endsWith('/default')).map((f) => String(f.name)).sort());
    const items = classifyGcloudDump(effective);
    expect(new Set(items.map((i) => i.type))).toEqual(new Set(['firewall', 'firewallPolicy', 'effectiveFirewalls']));
    expect(dataKeysOf(items)).toEqual(expect.arrayContaining([DATA.gcpFirewalls, DATA.gcpFirewallPolicies]));
    // The dump carries the same policy rules as the collector's live answer (gcloud leaves out shortName).
    const live = await collect(fake);
    const fromDump = mergeIntoCloudState({} as CloudState, items).firewallPolicies ?? [];
    for (const policy of fromDump) {
      const same = live.cloud.firewallPolicies?.find((p) => p.name === policy.name);
      expect(same?.type).toBe(policy.type);
      const byPriority = (rules: Array<Record<string, unknown>> | undefined) => [...(rules ?? [])].sort((a, b) => Number(a.priority) - Number(b.priority));
      expect(byPriority(same?.rules)).toEqual(byPriority(policy.rules));
    }
  });

  it('gcloud compute network-firewall-policies get-effective-firewalls --region reads the regional fake', { timeout: 60_000 }, async () => {
    fake = await startGcpFake(loadState());
    const regional = await gcloudJson(['compute', 'network-firewall-policies', 'get-effective-firewalls', '--network', 'default', '--region', 'us-central1']);
    if (regional === undefined) return;
    const call = fake.requests.find((r) => r.path.endsWith('/regions/us-central1/firewallPolicies/getEffectiveFirewalls'));
    expect(call?.method).toBe('GET');
    expect(call?.query.network).toMatch(/\/projects\/demo-project\/global\/networks\/default$/);
    const answer = regional as { firewallPolicys?: Array<{ name: string; type: string }> };
    expect(answer.firewallPolicys?.map((p) => [p.type, p.name])).toEqual([
      ['HIERARCHY', '381947265019'],
      ['NETWORK', 'demo-global'],
      ['NETWORK_REGIONAL', 'demo-us-central1'],
    ]);
    const policies = classifyGcloudDump(regional).filter((i) => i.type === 'firewallPolicy');
    expect(policies.map((i) => (i.value as { type?: string }).type)).toEqual(['HIERARCHY', 'NETWORK', 'NETWORK_REGIONAL']);
  });

  it('gcloud compute networks subnets list reads the fake (aggregated and by region)', { timeout: 60_000 }, async () => {
    fake = await startGcpFake(loadState(), { maxPageSize: 3 });
    const all = await gcloudJson(['compute', 'networks', 'subnets', 'list']);
    if (all === undefined) return;
    expect((all as Array<{ name: string }>).length).toBe(loadState().subnetworks!.length);
    const items = classifyGcloudDump(all);
    expect(items.every((i) => i.type === 'subnetwork')).toBe(true);
    const regional = await gcloudJson(['compute', 'networks', 'subnets', 'list', '--regions', 'us-central1', '--network', 'default']);
    if (regional === undefined) return;
    const fromDump = mergeIntoCloudState({} as CloudState, classifyGcloudDump(regional)).subnetworks;
    const live = await collect(fake);
    expect(live.cloud.subnetworks).toEqual(fromDump);
  });

  it('gcloud container clusters describe reads the fake', { timeout: 60_000 }, async () => {
    fake = await startGcpFake(loadState());
    const cluster = await gcloudJson(['container', 'clusters', 'describe', 'shop', '--region', 'us-central1']);
    if (cluster === undefined) return;
    expect(cluster).toMatchObject({ name: 'shop', network: 'default', ipAllocationPolicy: { useIpAliases: true } });
    expect(classifyGcloudValue(cluster)?.type).toBe('cluster');
  });
});
