/**
 * Shared readers for the Google Cloud rules (SPEC §5 "Google Cloud"): which
 * GKE cluster the snapshot is about, its UID, NEGs and what they belong to,
 * backend-service attachment, and mapping cloud endpoints back to pods.
 *
 * Facts from kubernetes/ingress-gce: a NEG's description holds the kube-system
 * Namespace UID (`cluster-uid`) and the Service it was made for; the `k8s1-`
 * name holds the first 8 characters of the controller's *naming* UID (the
 * kube-system/ingress-uid ConfigMap), which is a different value, so the name
 * prefix is only compared with prefixes seen on NEGs already known to be ours.
 */
import { NEG_STATUS_ANNOTATION, parseNegStatusAnnotation } from '../analysis/annotations.js';
import { isGkeNegName, negNameClusterPrefix, parseNegDescription, type NegDescription } from '../analysis/neg-name.js';
import type { Model, NegService, ServiceInfo } from '../model/index.js';
import { nameOf } from '../model/workloads.js';
import type { GcpNeg, GkeCluster, Snapshot, SnapshotObject } from '../snapshot/types.js';
import { livePods, podIps } from './live-state.js';

/** Last path segment of a URL ("…/zones/us-central1-a" → "us-central1-a"). */
export function lastSegment(value: string | undefined): string {
  if (!value) return '';
  const trimmed = value.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** "us-central1-a/NAME": a NEG's identity (NEGs of one Service share the name across zones). */
export function negKey(neg: GcpNeg): string {
  return `${lastSegment(neg.zone)}/${neg.name}`;
}

/** The NEG key a backend group URL names, or undefined for instance groups and others. */
export function negKeyOfGroup(url: string): string | undefined {
  const match = /zones\/([^/]+)\/networkEndpointGroups\/([^/?]+)/.exec(url);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** The resource identity used for fingerprints of object-less findings. */
export function negResource(neg: GcpNeg): string {
  return `compute/zones/${lastSegment(neg.zone)}/networkEndpointGroups/${neg.name}`;
}

export function negEvidence(neg: GcpNeg): Record<string, unknown> {
  return {
    resource: negResource(neg),
    name: neg.name,
    zone: lastSegment(neg.zone),
    ...(neg.selfLink ? { selfLink: neg.selfLink } : {}),
    ...(neg.network ? { network: lastSegment(neg.network) } : {}),
  };
}

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

/** The NEGs named in the neg-status annotations of the model's Services: certainly this cluster's. */
export function negStatusNames(model: Model): ReadonlyMap<string, { service: ServiceInfo; port: string }> {
  // Rules ask per NEG; the annotations of every Service are parsed once per model.
  return model.memo('cloud-state:negStatusNames', () => computeNegStatusNames(model));
}

function computeNegStatusNames(model: Model): Map<string, { service: ServiceInfo; port: string }> {
  const out = new Map<string, { service: ServiceInfo; port: string }>();
  for (const service of model.services) {
    const parsed = parseNegStatusAnnotation(service.obj.object.metadata.annotations?.[NEG_STATUS_ANNOTATION]);
    if (!parsed.ok) continue;
    for (const [port, name] of Object.entries(parsed.value.network_endpoint_groups ?? {})) out.set(name, { service, port });
  }
  return out;
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
  if (snapshot === model.snapshot) return model.memo('cloud-state:clusterIdentity', () => computeClusterIdentity(snapshot, model));
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

export type Ownership = 'ours' | 'other' | 'unknown';

/** Whether a NEG was made by this cluster's NEG controller, another cluster's, or cannot be told. */
export function negOwnership(neg: GcpNeg, identity: ClusterIdentity): Ownership {
  const description = parseNegDescription(neg.description);
  if (description && identity.uid) return description.clusterUid === identity.uid ? 'ours' : 'other';
  const prefix = negNameClusterPrefix(neg.name);
  if (prefix !== undefined && identity.namePrefixes.size > 0) return identity.namePrefixes.has(prefix) ? 'ours' : 'other';
  return 'unknown';
}

/** Whether GKE made the NEG: a controller-generated name, or a custom name with a controller description. */
export function isGkeNeg(neg: GcpNeg): boolean {
  return isGkeNegName(neg.name) || parseNegDescription(neg.description) !== undefined;
}

/** The Service port a NEG was made for, from its description. */
export function negServiceOf(neg: GcpNeg): NegDescription | undefined {
  return parseNegDescription(neg.description);
}

/**
 * NEGs of one Service port of this cluster: named in its neg-status
 * annotation, or described as made for it (by this cluster, when its UID is known).
 */
export function negsOfServicePort(negs: readonly GcpNeg[], service: ServiceInfo, port: number, identity: ClusterIdentity): GcpNeg[] {
  const parsed = parseNegStatusAnnotation(service.obj.object.metadata.annotations?.[NEG_STATUS_ANNOTATION]);
  const statusName = parsed.ok ? parsed.value.network_endpoint_groups?.[String(port)] : undefined;
  // Indexed rather than a filter over every NEG (with its description parsed) per Service port; same NEGs, in list order.
  const index = negIndex(negs);
  const hits = new Set<number>();
  if (statusName !== undefined) for (const i of index.byName.get(statusName) ?? []) hits.add(i);
  for (const i of index.byService.get(`${service.namespace}\0${service.name}\0${String(port)}`) ?? []) {
    if (identity.uid && index.descriptions[i]!.clusterUid !== identity.uid) continue;
    hits.add(i);
  }
  return [...hits].sort((a, b) => a - b).map((i) => negs[i]!);
}

interface NegIndex {
  length: number;
  byName: Map<string, number[]>;
  /** `namespace\0serviceName\0port` of the parsed description. */
  byService: Map<string, number[]>;
  descriptions: Array<NegDescription | undefined>;
}

const negIndexes = new WeakMap<readonly GcpNeg[], NegIndex>();

function negIndex(negs: readonly GcpNeg[]): NegIndex {
  const cached = negIndexes.get(negs);
  if (cached && cached.length === negs.length) return cached;
  const index: NegIndex = { length: negs.length, byName: new Map(), byService: new Map(), descriptions: [] };
  negs.forEach((neg, i) => {
    pushIndex(index.byName, neg.name, i);
    const description = parseNegDescription(neg.description);
    index.descriptions.push(description);
    if (description) pushIndex(index.byService, `${description.namespace}\0${description.serviceName}\0${description.port}`, i);
  });
  negIndexes.set(negs, index);
  return index;
}

function pushIndex(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

/** The NEG Service (and port) of the model a NEG was made for. */
export function negServiceInModel(model: Model, neg: GcpNeg): { neg: NegService; portIndex: number } | undefined {
  const description = parseNegDescription(neg.description);
  const status = negStatusNames(model).get(neg.name);
  const namespace = description?.namespace ?? status?.service.namespace;
  const name = description?.serviceName ?? status?.service.name;
  const port = description?.port ?? status?.port;
  if (namespace === undefined || name === undefined || port === undefined) return undefined;
  for (const negService of model.negServices) {
    const s = negService.service;
    if (s.namespace !== namespace || s.name !== name) continue;
    const index = negService.ports.findIndex((p) => String(p.servicePort.port) === port);
    if (index >= 0) return { neg: negService, portIndex: index };
  }
  return undefined;
}

/** The Service object a NEG description names, if the snapshot holds it. */
export function describedService(model: Model, neg: GcpNeg): ServiceInfo | undefined {
  const description = parseNegDescription(neg.description);
  if (description) return model.servicesNamed(description.namespace || 'default', description.serviceName)[0];
  const status = negStatusNames(model).get(neg.name);
  return status?.service;
}

/** Live pods by IP, for mapping NEG endpoints back to pods. */
export function podsByIp(model: Model): ReadonlyMap<string, SnapshotObject> {
  // Built once per model: backend-unhealthy, the correlation keys and the path pictures all ask.
  return model.memo('cloud-state:podsByIp', () => {
    const out = new Map<string, SnapshotObject>();
    for (const pod of livePods(model)) for (const ip of podIps(pod)) if (!out.has(ip)) out.set(ip, pod);
    return out;
  });
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

export function sample(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
