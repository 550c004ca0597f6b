/** Nodes: zones (as the NEG controller reads them, from providerID; pkg/utils/zonegetter) and pod CIDRs. */
import type { Model } from './index.js';
import { asArray, asRecord, asString, get, stringMap } from '../util/values.js';
import { nameOf } from './workloads.js';
import type { SnapshotObject } from '../snapshot/types.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';

// ---------------------------------------------------------------------------
// Nodes and zones

const PROVIDER_ID = /^gce:\/\/([^/]+)\/([^/]*)\/([^/]+)$/;

/** The zone the NEG controller uses: parsed from `gce://<project>/<zone>/<instance>` (zonegetter), not from labels. */
export function providerZone(node: SnapshotObject): string | undefined {
  const id = asString(get(node.object.spec, 'providerID'));
  if (!id) return undefined;
  const match = PROVIDER_ID.exec(id);
  return match && match[2] ? match[2] : undefined;
}

export function labelZone(node: SnapshotObject): string | undefined {
  const labels = stringMap(node.object.metadata.labels);
  return labels[ZONE_LABEL] || labels[LEGACY_ZONE_LABEL] || undefined;
}

export function nodeZone(node: SnapshotObject): string | undefined {
  return providerZone(node) ?? labelZone(node);
}

export function nodesByName(model: Model): Map<string, SnapshotObject> {
  const map = new Map<string, SnapshotObject>();
  for (const node of model.kind('Node')) map.set(nameOf(node), node);
  return map;
}

export function nodePodCidrs(node: SnapshotObject): string[] {
  const spec = asRecord(node.object.spec) ?? {};
  const cidrs = asArray(spec.podCIDRs).filter((c): c is string => typeof c === 'string');
  const single = asString(spec.podCIDR);
  if (single && !cidrs.includes(single)) cidrs.push(single);
  return cidrs;
}
