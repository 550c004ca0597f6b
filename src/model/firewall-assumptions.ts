/**
 * Partial objects (what people paste: no network, no targetTags, no node
 * pools): rules evaluate with the fields present and say what they assumed
 * for the ones missing. These helpers name those assumptions; they never
 * fill a field in.
 */
import type { GcpFirewall, GkeCluster } from '../snapshot/types.js';
import { sample } from '../util/text.js';

const quoted = (rules: readonly GcpFirewall[]) => sample(rules.map((r) => `"${r.name}"`));

/** What the firewall evaluation takes for granted about rules and a cluster missing fields, as sentences. */
export function firewallAssumptions(firewalls: readonly GcpFirewall[], cluster: GkeCluster, network: string | undefined): string[] {
  const out: string[] = [];
  const noNetwork = firewalls.filter((r) => !r.network);
  if (noNetwork.length > 0) {
    out.push(`${quoted(noNetwork)} ${noNetwork.length === 1 ? 'names' : 'name'} no network and ${noNetwork.length === 1 ? 'was' : 'were'} taken as ${network ? `rules of network ${network}` : "rules of the cluster's network"}`);
  }
  const noDirection = firewalls.filter((r) => !r.direction);
  if (noDirection.length > 0 && noDirection.length < firewalls.length) {
    out.push(`${quoted(noDirection)} ${noDirection.length === 1 ? 'names' : 'name'} no direction and ${noDirection.length === 1 ? 'was' : 'were'} taken as INGRESS (GCE's default)`);
  } else if (noDirection.length > 0) {
    out.push("the rules name no direction and were taken as INGRESS (GCE's default)");
  }
  if (!network) out.push('the cluster names no network, so rules of every network were counted');
  if (!cluster.nodePools?.length) out.push('the cluster input lists no node pools, so node tags and service accounts are unknown');
  return out;
}

/** Whether node targets are unknown (no node pools in the cluster input). */
export function nodeTargetsUnknown(cluster: GkeCluster): boolean {
  return !cluster.nodePools?.length;
}

/** The rules as if every one applied to every node: what an unknown node tag could at most let through. */
export function ignoringTargets(firewalls: readonly GcpFirewall[]): GcpFirewall[] {
  return firewalls.map((r) => (r.targetTags?.length || r.targetServiceAccounts?.length ? { ...r, targetTags: [], targetServiceAccounts: [] } : r));
}

/** Enabled allow rules that target tags or service accounts: the ones an unknown node target leaves open. */
export function targetedAllows(firewalls: readonly GcpFirewall[]): GcpFirewall[] {
  return firewalls.filter((r) => r.disabled !== true && r.allowed?.length && (r.targetTags?.length || r.targetServiceAccounts?.length));
}
