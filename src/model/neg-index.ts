/**
 * Network endpoint groups as the NEG controller names and describes them
 * (kubernetes/ingress-gce pkg/utils/namer, pkg/neg/types): which NEGs serve a
 * Service port, which cluster owns a NEG, and the Service a NEG's description names.
 */
import { NEG_STATUS_ANNOTATION, parseNegStatusAnnotation } from '../analysis/annotations.js';
import { isGkeNegName, negNameClusterPrefix, parseNegDescription, type NegDescription } from '../analysis/neg-name.js';
import type { Model, NegService } from './index.js';
import type { ServiceInfo } from './services.js';
import type { GcpNeg } from '../snapshot/types.js';
import { lastSegment } from '../util/text.js';
import type { ClusterIdentity } from './cluster-identity.js';
import { negStatusNames } from './neg-status.js';

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
