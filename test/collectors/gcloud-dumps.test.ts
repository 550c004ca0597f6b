/**
 * gcloud `--format=json` dumps recognized for `lint`, by kind or by shape.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyGcloudDump, classifyGcloudValue, dataKeysOf, mergeIntoCloudState } from '../../src/collectors/gcp/dumps.js';
import { DATA } from '../../src/snapshot/data-keys.js';
import type { CloudState } from '../../src/snapshot/types.js';
import type { GcpFakeState } from '../fakes/gcp-server.js';

const state = JSON.parse(readFileSync(new URL('../../fixtures/snapshots/gcp-basic.json', import.meta.url), 'utf8')) as GcpFakeState;
const firewall = state.firewalls![0]!;
const neg = state.networkEndpointGroups![0]!;
const backendService = state.backendServices![0]!;
const network = state.networks![0]!;
const legacyNetwork = state.networks![1]!;
const cluster = state.clusters![0]!;

function strip(value: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
}

describe('classifyGcloudValue', () => {
  it('recognizes resources by kind', () => {
    expect(classifyGcloudValue(firewall)?.type).toBe('firewall');
    expect(classifyGcloudValue(network)?.type).toBe('network');
    expect(classifyGcloudValue(neg)?.type).toBe('neg');
    expect(classifyGcloudValue(backendService)?.type).toBe('backendService');
    expect(classifyGcloudValue({ kind: 'compute#backendServiceGroupHealth', healthStatus: [{ ipAddress: '10.0.0.1', port: 80, healthState: 'HEALTHY' }] })).toEqual({
      type: 'backendHealth',
      value: { backendService: '', group: '', healthStatus: [{ ipAddress: '10.0.0.1', port: 80, healthState: 'HEALTHY' }] },
    });
  });

  it('recognizes resources without kind by their shape', () => {
    expect(classifyGcloudValue(strip(firewall, 'kind'))?.type).toBe('firewall');
    expect(classifyGcloudValue({ name: 'deny', sourceRanges: ['0.0.0.0/0'], denied: [{ IPProtocol: 'all' }] })?.type).toBe('firewall');
    expect(classifyGcloudValue(strip(neg, 'kind'))?.type).toBe('neg');
    expect(classifyGcloudValue({ healthStatus: [] })?.type).toBe('backendHealth');
    expect(classifyGcloudValue(strip(legacyNetwork, 'kind'))).toMatchObject({ type: 'network', value: { name: 'legacy-net', IPv4Range: '10.240.0.0/16' } });
    expect(classifyGcloudValue({ name: 'default', x_gcloud_subnet_mode: 'AUTO' })?.type).toBe('network');
    expect(classifyGcloudValue(strip(backendService, 'kind'))?.type).toBe('backendService');
  });

  it('recognizes gcloud container clusters describe and list output', () => {
    const described = classifyGcloudValue(cluster);
    expect(described).toMatchObject({
      type: 'cluster',
      value: {
        name: 'shop',
        location: 'us-central1',
        network: 'default',
        ipAllocationPolicy: { useIpAliases: true },
        addonsConfig: { httpLoadBalancing: { disabled: false } },
        nodePools: [{ name: 'default-pool', config: { tags: ['gke-shop-node', 'web'] } }, { name: 'spot-pool' }],
      },
    });
    // `clusters list` prints fewer fields; currentMasterVersion alone is enough.
    expect(classifyGcloudValue({ name: 'x', location: 'us-east1', currentMasterVersion: '1.30.1-gke.1' })?.type).toBe('cluster');
    expect(classifyGcloudValue({ name: 'x', ipAllocationPolicy: {} })?.value).toMatchObject({ ipAllocationPolicy: { useIpAliases: false } });
  });

  it('reads gcloud get-health output: [{backend, status: {healthStatus, kind}}]', () => {
    const group = 'https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/networkEndpointGroups/k8s1-a';
    const dump = [
      { backend: group, status: { healthStatus: [{ ipAddress: '10.4.0.5', port: 8080, healthState: 'UNHEALTHY', forwardingRule: 'x' }], kind: 'compute#backendServiceGroupHealth' } },
      { backend: `${group}-empty`, status: { kind: 'compute#backendServiceGroupHealth' } },
    ];
    expect(classifyGcloudDump(dump)).toEqual([
      { type: 'backendHealth', value: { backendService: '', group, healthStatus: [{ ipAddress: '10.4.0.5', port: 8080, healthState: 'UNHEALTHY', forwardingRule: 'x' }] } },
      { type: 'backendHealth', value: { backendService: '', group: `${group}-empty`, healthStatus: [] } },
    ]);
  });

  it('ignores Kubernetes objects, unknown kinds and other JSON', () => {
    expect(classifyGcloudValue({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ipAllocationPolicy: {} } })).toBeUndefined();
    expect(classifyGcloudValue({ apiVersion: 'apps/v1', kind: 'Deployment', nodePools: [] })).toBeUndefined();
    expect(classifyGcloudValue({ kind: 'compute#route', name: 'r', nextHopGateway: 'default-internet-gateway' })).toBeUndefined();
    expect(classifyGcloudValue({ name: 'x', allowed: [] })).toBeUndefined();
    expect(classifyGcloudValue(null)).toBeUndefined();
    expect(classifyGcloudValue([firewall])).toBeUndefined();
    expect(classifyGcloudValue('compute#firewall')).toBeUndefined();
  });

  it('keeps unknown keys without failing', () => {
    expect(classifyGcloudValue({ ...firewall, somethingNew: { nested: true } })?.value).toMatchObject({ name: firewall.name, somethingNew: { nested: true } });
  });
});

describe('classifyGcloudDump', () => {
  it('reads lists, single objects and raw API list answers', () => {
    expect(classifyGcloudDump(state.firewalls).map((i) => i.type)).toEqual(state.firewalls!.map(() => 'firewall'));
    expect(classifyGcloudDump(cluster).map((i) => i.type)).toEqual(['cluster']);
    expect(classifyGcloudDump({ kind: 'compute#firewallList', items: state.firewalls }).length).toBe(state.firewalls!.length);
    const aggregated = {
      kind: 'compute#networkEndpointGroupAggregatedList',
      items: { 'zones/us-central1-a': { networkEndpointGroups: [neg] }, 'zones/us-central1-b': { warning: { code: 'NO_RESULTS_ON_PAGE' } } },
    };
    expect(classifyGcloudDump(aggregated).map((i) => (i.value as { name?: string }).name)).toEqual([neg.name]);
    expect(classifyGcloudDump({ clusters: state.clusters }).map((i) => i.type)).toEqual(['cluster', 'cluster']);
    expect(classifyGcloudDump([{ apiVersion: 'v1', kind: 'Pod', metadata: {} }, 42, 'x'])).toEqual([]);
  });
});

describe('mergeIntoCloudState', () => {
  it('adds each kind to its list, once per resource, later wins', () => {
    const items = classifyGcloudDump([...state.firewalls!, ...state.networkEndpointGroups!, ...state.backendServices!, network, cluster]);
    const start: CloudState = { project: 'demo-project' };
    const merged = mergeIntoCloudState(start, items);
    expect(start).toEqual({ project: 'demo-project' });
    expect(merged.project).toBe('demo-project');
    expect(merged.firewalls).toHaveLength(state.firewalls!.length);
    expect(merged.negs).toHaveLength(state.networkEndpointGroups!.length);
    expect(merged.backendServices).toHaveLength(2);
    expect(merged.networks?.map((n) => n.name)).toEqual(['default']);
    expect(merged.clusters?.map((c) => c.name)).toEqual(['shop']);
    expect(merged.backendHealth).toBeUndefined();

    const changed = { ...firewall, priority: 10 };
    const again = mergeIntoCloudState(merged, classifyGcloudDump([changed]));
    expect(again.firewalls).toHaveLength(state.firewalls!.length);
    expect(again.firewalls?.find((f) => f.name === firewall.name)?.priority).toBe(10);
  });

  it('names the data keys a dump provides', () => {
    const items = classifyGcloudDump([firewall, neg, cluster]);
    expect(dataKeysOf(items).sort()).toEqual([DATA.gcpCluster, DATA.gcpFirewalls, DATA.gcpNegs].sort());
  });
});

describe('firewall policy and subnet dumps', () => {
  const hierarchical = {
    kind: 'compute#firewallPolicy',
    name: '283746501928',
    shortName: 'org-baseline',
    displayName: 'org-baseline',
    parent: 'organizations/123456789012',
    selfLink: 'https://www.googleapis.com/compute/v1/locations/global/firewallPolicies/283746501928',
    associations: [{ name: 'org-association', attachmentTarget: 'organizations/123456789012' }],
    rules: [{ priority: 1000, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['35.191.0.0/16'], layer4Configs: [{ ipProtocol: 'all' }] } }],
  };
  const regionalPolicy = {
    kind: 'compute#firewallPolicy',
    name: 'shop-us-central1-policy',
    region: 'https://www.googleapis.com/compute/v1/projects/shop-prod/regions/us-central1',
    selfLink: 'https://www.googleapis.com/compute/v1/projects/shop-prod/regions/us-central1/firewallPolicies/shop-us-central1-policy',
    rules: [],
  };

  it('`gcloud compute firewall-policies describe` is a hierarchical policy; `network-firewall-policies describe` a network one (by selfLink)', () => {
    expect(classifyGcloudValue(hierarchical)).toMatchObject({ type: 'firewallPolicy', value: { type: 'HIERARCHY', parent: 'organizations/123456789012' } });
    expect(classifyGcloudValue(regionalPolicy)).toMatchObject({ type: 'firewallPolicy', value: { type: 'NETWORK_REGIONAL' } });
    const global = { ...regionalPolicy, name: 'g', region: undefined, selfLink: 'https://www.googleapis.com/compute/v1/projects/shop-prod/global/firewallPolicies/g' };
    expect(classifyGcloudValue(global)).toMatchObject({ type: 'firewallPolicy', value: { type: 'NETWORK' } });
    // Without kind, by shape.
    expect(classifyGcloudValue(strip(hierarchical, 'kind'))?.type).toBe('firewallPolicy');
    // `firewall-policies list` prints a list.
    expect(classifyGcloudDump([hierarchical, regionalPolicy]).map((i) => i.type)).toEqual(['firewallPolicy', 'firewallPolicy']);
  });

  it('an effective-firewalls answer gives firewalls and policies, and marks the policies collected even when there are none', () => {
    const items = classifyGcloudDump({ firewalls: [firewall], firewallPolicys: [{ name: '283746501928', type: 'HIERARCHY', rules: hierarchical.rules }] });
    expect(items.map((i) => i.type)).toEqual(['firewall', 'firewallPolicy', 'effectiveFirewalls']);
    expect(dataKeysOf(items).sort()).toEqual([DATA.gcpFirewallPolicies, DATA.gcpFirewalls].sort());
    const none = classifyGcloudDump({ firewalls: [firewall] });
    expect(dataKeysOf(none)).toContain(DATA.gcpFirewallPolicies);
    // Other objects with a `firewalls` key are not effective-firewalls answers.
    expect(classifyGcloudDump({ firewalls: [firewall], name: 'x' }).some((i) => i.type === 'effectiveFirewalls')).toBe(false);
  });

  it('the effective answer (type) and describe (parent, shortName) of one policy merge into one', () => {
    const items = [...classifyGcloudDump({ firewallPolicys: [{ name: '283746501928', type: 'HIERARCHY', rules: hierarchical.rules }] }), ...classifyGcloudDump(hierarchical)];
    const merged = mergeIntoCloudState({} as CloudState, items).firewallPolicies;
    expect(merged).toHaveLength(1);
    expect(merged?.[0]).toMatchObject({ name: '283746501928', type: 'HIERARCHY', shortName: 'org-baseline', parent: 'organizations/123456789012' });
  });

  it('`gcloud compute networks subnets list` items are subnetworks, by kind or shape', () => {
    const subnet = {
      kind: 'compute#subnetwork',
      name: 'proxy-only-us-central1',
      ipCidrRange: '10.129.0.0/23',
      network: 'https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/default',
      region: 'https://www.googleapis.com/compute/v1/projects/shop-prod/regions/us-central1',
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'ACTIVE',
    };
    expect(classifyGcloudDump([subnet, strip(subnet, 'kind')]).map((i) => i.type)).toEqual(['subnetwork', 'subnetwork']);
    expect(dataKeysOf(classifyGcloudDump([subnet]))).toEqual([DATA.gcpSubnetworks]);
    // Kubernetes objects are never gcloud resources.
    expect(classifyGcloudValue({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, name: 'x', ipCidrRange: '10.0.0.0/8', network: 'n' })).toBeUndefined();
  });
});

describe('backend health answers that name no group', () => {
  it('are kept apart by their endpoints, and one given twice is kept once', () => {
    const answer = (ip: string) => ({ kind: 'compute#backendServiceGroupHealth', healthStatus: [{ ipAddress: ip, port: 8080, healthState: 'UNHEALTHY' }] });
    const items = [answer('10.4.0.7'), answer('10.4.1.9'), answer('10.4.0.7')].flatMap((a) => classifyGcloudDump(a));
    const health = mergeIntoCloudState({}, items).backendHealth ?? [];
    expect(health.map((h) => h.healthStatus.map((s) => s.ipAddress))).toEqual([['10.4.0.7'], ['10.4.1.9']]);
  });
});
