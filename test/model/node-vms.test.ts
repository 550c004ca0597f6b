/**
 * Node tags and service accounts from the node VMs (src/model/node-vms.ts,
 * src/model/node-tags.ts): only the cluster's VMs count, instances win over
 * templates, and the id-derived tag is checked against what the VMs carry.
 */
import { describe, expect, it } from 'vitest';
import { nodeVmEvidence } from '../../src/model/node-vms.js';
import { gkeNodeTag } from '../../src/model/node-tags.js';
import { nodeTargets } from '../../src/model/firewall-context.js';
import { mapNodeVm } from '../../src/collectors/gcp/map-node-vms.js';
import type { GcpFirewall, GcpNodeVm, GkeCluster } from '../../src/snapshot/types.js';

const cluster: GkeCluster = { name: 'shop', id: '5e6f7a8b0c1d4e2f', nodePools: [{ name: 'default-pool' }, { name: 'batch' }] } as GkeCluster;
const template = (name: string, tags: string[], labels: Record<string, string> = {}, sa = 'nodes@p.iam.gserviceaccount.com'): GcpNodeVm =>
  mapNodeVm('instanceTemplate', { name, properties: { machineType: 'e2-standard-4', tags: { items: tags }, serviceAccounts: [{ email: sa }], labels } });

describe('node VMs', () => {
  it('reads tags, service accounts, cluster and pool from GKE labels and metadata', () => {
    const vm = mapNodeVm('instance', {
      name: 'gke-shop-default-pool-1a2b3c4d-x1',
      tags: { items: ['b', 'a'] },
      serviceAccounts: [{ email: 'nodes@p.iam.gserviceaccount.com' }],
      metadata: { items: [{ key: 'cluster-name', value: 'shop' }, { key: 'instance-template', value: 'projects/1/global/instanceTemplates/t1' }] },
      labels: { 'goog-k8s-node-pool-name': 'default-pool' },
    });
    expect(vm).toMatchObject({ tags: ['a', 'b'], serviceAccounts: ['nodes@p.iam.gserviceaccount.com'], cluster: 'shop', pool: 'default-pool', instanceTemplate: 'projects/1/global/instanceTemplates/t1' });
  });

  it("counts only the cluster's VMs: labels, or a MIG of one of its pools naming the template; not a namesake prefix", () => {
    const vms = [
      template('t-labelled', ['gke-shop-5e6f7a8b-node'], { 'goog-k8s-cluster-name': 'shop', 'goog-k8s-node-pool-name': 'default-pool' }),
      template('t-other', ['gke-shop-eu-00000000-node'], { 'goog-k8s-cluster-name': 'shop-eu' }),
      template('gke-shop-eu-pool-1234abcd', ['x']),
      template('t-unlabelled', ['batch-tag']),
      mapNodeVm('instanceGroupManager', { name: 'gke-shop-batch-9f9f9f9f-grp', baseInstanceName: 'gke-shop-batch-9f9f9f9f', instanceTemplate: 'https://x/global/instanceTemplates/t-unlabelled' }),
    ];
    const evidence = nodeVmEvidence(cluster, vms)!;
    expect(evidence.source).toBe('instance templates');
    expect(evidence.tags).toEqual(['batch-tag', 'gke-shop-5e6f7a8b-node']);
    expect(evidence.poolsWithout).toEqual([]);
  });

  it('instances win over templates for a pool', () => {
    const labels = { 'goog-k8s-cluster-name': 'shop', 'goog-k8s-node-pool-name': 'default-pool' };
    const vms = [template('t', ['old'], labels), mapNodeVm('instance', { name: 'i', machineType: 'm', networkInterfaces: [], tags: { items: ['new'] }, labels })];
    const evidence = nodeVmEvidence(cluster, vms)!;
    expect(evidence.source).toBe('instances');
    expect(evidence.groups.map((g) => g.tags)).toEqual([['new']]);
    expect(evidence.poolsWithout).toEqual(['batch']);
  });

  it('the VMs give the node tag; a namesake tag they lack is stale; the id-derived tag is checked against them', () => {
    const stale: GcpFirewall = { name: 'k8s-fw-l7--x', targetTags: ['gke-shop-1a2b3c4d-node'] } as GcpFirewall;
    const vms = [template('t', ['gke-shop-5e6f7a8b-node'], { 'goog-k8s-cluster-name': 'shop' })];
    const noId = { ...cluster, id: undefined } as GkeCluster;
    expect(gkeNodeTag(noId, [stale])).toMatchObject({ source: 'unknown', unconfirmed: ['gke-shop-1a2b3c4d-node'] });
    expect(gkeNodeTag(noId, [stale], vms)).toMatchObject({ tag: 'gke-shop-5e6f7a8b-node', source: 'instance templates', stale: ['gke-shop-1a2b3c4d-node'], unconfirmed: [] });
    const other = [template('t', ['gke-shop-1a2b3c4d-node'], { 'goog-k8s-cluster-name': 'shop' })];
    expect(gkeNodeTag(cluster, [stale], other)).toMatchObject({ tag: 'gke-shop-1a2b3c4d-node', idTagNotCarried: 'gke-shop-5e6f7a8b-node', stale: [] });
  });

  it('node targets carry the service account the VMs run as; pools without VMs keep the describe', () => {
    const vms = [template('t', ['web'], { 'goog-k8s-cluster-name': 'shop', 'goog-k8s-node-pool-name': 'default-pool' }, 'gke-nodes@p.iam.gserviceaccount.com')];
    expect(nodeTargets(cluster, [], vms)).toEqual([
      { pools: ['default-pool'], target: { tags: ['web'], serviceAccount: 'gke-nodes@p.iam.gserviceaccount.com' } },
      { pools: ['batch'], target: { tags: ['gke-shop-5e6f7a8b-node'] } },
    ]);
  });
});
