/**
 * The tags and service accounts a cluster's nodes really carry, from its
 * node VMs as Compute reports them: instances, instance templates and
 * managed instance groups (`gcloud compute instances list`,
 * `instance-templates list`, `instance-groups managed list`, or scan).
 *
 * A VM is the cluster's when GKE's label `goog-k8s-cluster-name` (or the
 * metadata `cluster-name`) names it, or when its name (a MIG's base
 * instance name, a template's name) is `gke-<cluster>-<pool>-…` for one of
 * the cluster's node pools. Instances win over templates for a pool: a
 * template says what new nodes get, an instance what a node has.
 */
import type { GcpNodeVm, GkeCluster } from '../snapshot/types.js';
import { lastSegment } from '../util/text.js';

export interface NodeVmGroup {
  pools: string[];
  tags: string[];
  serviceAccount?: string;
}

export interface NodeVmEvidence {
  /** What the evidence is, for the finding: "instances", "instance templates" or both. */
  source: 'instances' | 'instance templates' | 'instances and instance templates';
  groups: NodeVmGroup[];
  /** Node pools of the describe with no VM among the inputs (their targets still come from the describe). */
  poolsWithout: string[];
  /** Every tag some node carries. */
  tags: string[];
}

/** The pool a `gke-<cluster>-<pool>-…` name stands for, among the cluster's pools. */
function poolByName(cluster: GkeCluster, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const pools = (cluster.nodePools ?? []).map((p) => p.name).sort((a, b) => b.length - a.length);
  return pools.find((pool) => name.startsWith(`gke-${cluster.name}-${pool}-`));
}

/** The cluster's VMs with the pool each belongs to ('' when unknown); undefined pool = not the cluster's. */
function poolOf(cluster: GkeCluster, vm: GcpNodeVm, templatesOfMigs: ReadonlyMap<string, string>): string | undefined {
  if (vm.cluster !== undefined) return vm.cluster === cluster.name ? (vm.pool ?? poolByName(cluster, vm.name) ?? '') : undefined;
  if (vm.kind === 'instanceTemplate') return templatesOfMigs.get(vm.name) ?? poolByName(cluster, vm.name);
  if (vm.kind === 'instance') return (vm.instanceTemplate ? templatesOfMigs.get(lastSegment(vm.instanceTemplate)) : undefined) ?? poolByName(cluster, vm.name);
  return undefined;
}

export function nodeVmEvidence(cluster: GkeCluster, vms: readonly GcpNodeVm[] | undefined): NodeVmEvidence | undefined {
  if (!vms?.length || !cluster.name) return undefined;
  // A MIG names its template: the template is the pool's even without GKE's labels.
  const templatesOfMigs = new Map<string, string>();
  for (const mig of vms) {
    if (mig.kind !== 'instanceGroupManager' || !mig.instanceTemplate) continue;
    const pool = poolByName(cluster, mig.baseInstanceName) ?? poolByName(cluster, mig.name);
    if (pool !== undefined) templatesOfMigs.set(lastSegment(mig.instanceTemplate), pool);
  }
  const byPool = new Map<string, { instances: GcpNodeVm[]; templates: GcpNodeVm[] }>();
  for (const vm of vms) {
    if (vm.kind === 'instanceGroupManager') continue;
    const pool = poolOf(cluster, vm, templatesOfMigs);
    if (pool === undefined) continue;
    let entry = byPool.get(pool);
    if (!entry) byPool.set(pool, (entry = { instances: [], templates: [] }));
    (vm.kind === 'instance' ? entry.instances : entry.templates).push(vm);
  }
  if (byPool.size === 0) return undefined;
  const groups = new Map<string, NodeVmGroup>();
  let fromInstances = false;
  let fromTemplates = false;
  for (const [pool, { instances, templates }] of byPool) {
    const used = instances.length ? instances : templates;
    if (instances.length) fromInstances = true;
    else fromTemplates = true;
    for (const vm of used) {
      const group: NodeVmGroup = { pools: [], tags: vm.tags ?? [], ...(vm.serviceAccounts?.[0] ? { serviceAccount: vm.serviceAccounts[0] } : {}) };
      const key = JSON.stringify([group.tags, group.serviceAccount ?? null]);
      const existing = groups.get(key) ?? group;
      groups.set(key, existing);
      const name = pool || '(node pool unknown)';
      if (!existing.pools.includes(name)) existing.pools.push(name);
    }
  }
  const known = new Set(byPool.keys());
  return {
    source: fromInstances && fromTemplates ? 'instances and instance templates' : fromInstances ? 'instances' : 'instance templates',
    groups: [...groups.values()],
    // VMs of an unnamed pool may be any pool's: then the VMs alone say what the nodes carry.
    poolsWithout: known.has('') ? [] : (cluster.nodePools ?? []).map((p) => p.name).filter((p) => !known.has(p)),
    tags: [...new Set([...groups.values()].flatMap((g) => g.tags))].sort(),
  };
}
