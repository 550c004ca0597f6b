/**
 * GKE's own network tag on every node of a cluster, from the truth: GKE tags
 * each node `gke-<cluster>-<hash>-node`, where `<hash>` is the first 8 hex
 * digits of the cluster's `id` (the same `gke-<cluster>-<hash>-…` names its
 * firewall rules carry). Node pools' `config.tags` list only the user's tags.
 *
 * A tag seen only in firewall rules is never taken as a node tag: a rule
 * left behind by a deleted cluster of the same name carries a stale hash,
 * and an allow on that tag would read as "not blocked" while the real nodes
 * are. Such tags are returned as `stale` (the id says otherwise) or
 * `unconfirmed` (no id to check them against).
 */
import type { GcpFirewall, GcpNodeVm, GkeCluster } from '../snapshot/types.js';
import { nodeVmEvidence, type NodeVmEvidence } from './node-vms.js';

/** Network tags are RFC 1035 labels: at most 63 characters. */
const MAX_TAG = 63;

export interface GkeNodeTag {
  /** The node tag, when the cluster's id gives it. */
  tag?: string;
  /** Where it came from, for the finding. */
  source: NodeVmEvidence['source'] | 'cluster id' | 'unknown';
  /** The id-derived tag, when the node VMs do not carry it (they are the truth). */
  idTagNotCarried?: string;
  /** `gke-<cluster>-<hash>-node` tags in firewall rules that are not the cluster's (a deleted namesake's). */
  stale: string[];
  /** `gke-<cluster>-<hash>-node` tags in firewall rules that the inputs cannot confirm (no cluster id). */
  unconfirmed: string[];
}

/** The 8-hex-digit hash of a cluster id, when it has one. */
export function clusterHash(cluster: Pick<GkeCluster, 'id'>): string | undefined {
  const id = typeof cluster.id === 'string' ? cluster.id : undefined;
  return id && /^[0-9a-f]{8}/i.test(id) ? id.slice(0, 8).toLowerCase() : undefined;
}

/** `gke-…-node` tags of firewall rules that could be this cluster's (its name, or a long name shortened). */
function namesakeTags(cluster: GkeCluster, firewalls: readonly GcpFirewall[]): Array<{ tag: string; hash: string }> {
  const out = new Map<string, string>();
  for (const rule of firewalls) {
    for (const tag of rule.targetTags ?? []) {
      const match = /^gke-(.+)-([0-9a-f]{8})-node$/.exec(tag);
      if (!match) continue;
      const prefix = match[1]!;
      if (prefix === cluster.name || (prefix.length >= 20 && cluster.name.startsWith(prefix))) out.set(tag, match[2]!);
    }
  }
  return [...out].map(([tag, hash]) => ({ tag, hash }));
}

/**
 * GKE's node tag: from the node VMs when the inputs hold them (instances,
 * templates; the id-derived tag is checked against what they carry), else
 * from the cluster's id.
 */
export function gkeNodeTag(cluster: GkeCluster, firewalls: readonly GcpFirewall[], vms?: readonly GcpNodeVm[]): GkeNodeTag {
  const fromId = gkeNodeTagFromId(cluster, firewalls);
  const evidence = nodeVmEvidence(cluster, vms);
  if (!evidence) return fromId;
  const carried = evidence.tags.filter((t) => /^gke-.+-[0-9a-f]{8}-node$/.test(t));
  const tag = fromId.tag && carried.includes(fromId.tag) ? fromId.tag : carried[0];
  const seen = namesakeTags(cluster, firewalls).map((s) => s.tag);
  return {
    ...(tag ? { tag } : {}),
    source: evidence.source,
    ...(fromId.tag && !evidence.tags.includes(fromId.tag) ? { idTagNotCarried: fromId.tag } : {}),
    stale: seen.filter((t) => !evidence.tags.includes(t)).sort(),
    unconfirmed: [],
  };
}

function gkeNodeTagFromId(cluster: GkeCluster, firewalls: readonly GcpFirewall[]): GkeNodeTag {
  const seen = namesakeTags(cluster, firewalls);
  const hash = clusterHash(cluster);
  if (!hash) return { source: 'unknown', stale: [], unconfirmed: seen.map((s) => s.tag).sort() };
  // A long cluster name is shortened in the tag: a rule with the right hash shows how; else shorten to fit.
  const full = `gke-${cluster.name}-${hash}-node`;
  const tag = full.length <= MAX_TAG ? full : (seen.find((s) => s.hash === hash)?.tag ?? `gke-${cluster.name.slice(0, MAX_TAG - `gke--${hash}-node`.length)}-${hash}-node`);
  return { tag, source: 'cluster id', stale: seen.filter((s) => s.tag !== tag).map((s) => s.tag).sort(), unconfirmed: [] };
}
