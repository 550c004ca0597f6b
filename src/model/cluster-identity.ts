/**
 * Which GKE cluster the snapshot is about, and what identifies its resources in
 * Google Cloud (name, location, network, UID-derived NEG prefix).
 */
import { negNameClusterPrefix, parseNegDescription } from '../analysis/neg-name.js';
import type { Model } from './index.js';
import { nameOf } from './workloads.js';
import type { GkeCluster, Snapshot } from '../snapshot/types.js';
import { lastSegment } from '../util/text.js';
import { negStatusNames } from './neg-status.js';

export function clusterResource(cluster: GkeCluster): string {
  return `container/locations/${cluster.location ?? '-'}/clusters/${cluster.name}`;
}

export function clusterEvidence(cluster: GkeCluster): Record<string, unknown> {
  return {
    resource: clusterResource(cluster),
    cluster: cluster.name,
    ...(cluster.location ? { location: cluster.location } : {}),
    ...(cluster.selfLink ? { selfLink: cluster.selfLink } : {}),
  };
}

export function clusterLabel(cluster: GkeCluster): string {
  return `GKE cluster ${cluster.name}${cluster.location ? ` (${cluster.location})` : ''}`;
}

/** The cluster's network name; with Shared VPC `networkConfig.network` names the host project's network. */
export function clusterNetwork(cluster: GkeCluster): string | undefined {
  const config = cluster.networkConfig as { network?: string } | undefined;
  const name = lastSegment(config?.network) || lastSegment(cluster.network);
  return name || undefined;
}

export interface TargetCluster {
  cluster?: GkeCluster;
  /** Why no single cluster could be picked, when `cluster` is absent. */
  reason?: string;
}

/**
 * The GKE cluster the snapshot is about: the one named by the scan (or the
 * snapshot's cluster info), else the only one in the inputs, else the one
 * whose node instance names (`gke-<cluster>-<pool>-…` in Node providerIDs)
 * point at it.
 */
/**
 * The clusters a cluster-setting rule checks: the one being diagnosed when it
 * is known, else every cluster in the inputs.
 */
export function clustersToCheck(snapshot: Snapshot, model: Model): GkeCluster[] {
  const { cluster } = targetCluster(snapshot, model);
  return cluster ? [cluster] : (snapshot.cloud?.clusters ?? []);
}

export function targetCluster(snapshot: Snapshot, model: Model): TargetCluster {
  const clusters = snapshot.cloud?.clusters ?? [];
  if (clusters.length === 0) return { reason: 'the inputs describe no GKE cluster' };
  const name = snapshot.cloud?.clusterName ?? snapshot.cluster?.name;
  if (name) {
    const location = snapshot.cluster?.location;
    const named = clusters.filter((c) => c.name === name && (!location || !c.location || c.location === location));
    if (named.length >= 1) return { cluster: named[0]! };
    return { reason: `cluster ${name} is not among the clusters in the Google Cloud state` };
  }
  if (clusters.length === 1) return { cluster: clusters[0]! };
  const instances = model
    .kind('Node')
    .map((n) => lastSegment(typeof (n.object.spec as { providerID?: unknown } | undefined)?.providerID === 'string' ? ((n.object.spec as { providerID: string }).providerID) : '') || nameOf(n))
    .filter((n) => n.startsWith('gke-'));
  if (instances.length > 0) {
    const matching = clusters.filter((c) => instances.some((i) => i.startsWith(`gke-${c.name.slice(0, 15)}-`)));
    if (matching.length === 1) return { cluster: matching[0]! };
  }
  return {
    reason: `the inputs describe ${clusters.length} GKE clusters (${clusters.map((c) => c.name).join(', ')}) and nothing says which one is being checked; give the \`gcloud container clusters describe\` output of one cluster, or run \`negdoctor scan\``,
  };
}

export interface ClusterIdentity {
  /** kube-system Namespace UID of this cluster, when known. */
  uid?: string;
  /** Where the UID came from, for messages. */
  uidSource?: 'snapshot' | 'neg-status';
  /** `k8s1-<prefix>` naming prefixes known to be this cluster's. */
  namePrefixes: Set<string>;
}

/**
 * This cluster's UID (kube-system Namespace UID) and NEG name prefixes:
 * the UID from the snapshot, or learnt from the description of a NEG that a
 * Service's neg-status names; the prefixes from NEGs known to be ours.
 */
export function clusterIdentity(snapshot: Snapshot, model: Model): ClusterIdentity {
  // Several rules ask; the answer depends only on the model's own snapshot. Callers only read it.
  if (snapshot === model.snapshot) return model.memo('cluster-identity:clusterIdentity', () => computeClusterIdentity(snapshot, model));
  return computeClusterIdentity(snapshot, model);
}

function computeClusterIdentity(snapshot: Snapshot, model: Model): ClusterIdentity {
  const negs = snapshot.cloud?.negs ?? [];
  const statusNames = negStatusNames(model);
  let uid = snapshot.cluster?.kubeSystemUid || undefined;
  let uidSource: ClusterIdentity['uidSource'] = uid ? 'snapshot' : undefined;
  if (!uid) {
    for (const neg of negs) {
      if (!statusNames.has(neg.name)) continue;
      const description = parseNegDescription(neg.description);
      if (description) {
        uid = description.clusterUid;
        uidSource = 'neg-status';
        break;
      }
    }
  }
  const namePrefixes = new Set<string>();
  for (const name of statusNames.keys()) {
    const prefix = negNameClusterPrefix(name);
    if (prefix !== undefined) namePrefixes.add(prefix);
  }
  if (uid) {
    for (const neg of negs) {
      const prefix = negNameClusterPrefix(neg.name);
      if (prefix !== undefined && parseNegDescription(neg.description)?.clusterUid === uid) namePrefixes.add(prefix);
    }
  }
  return { ...(uid ? { uid, uidSource } : {}), namePrefixes };
}
