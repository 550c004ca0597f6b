/**
 * The order in which firewall policies and VPC firewall rules are evaluated.
 *
 * VPC firewall rules: lower `priority` wins (default 1000); at equal priority
 * deny beats allow.
 *
 * Firewall policies and VPC rules are evaluated in the order Cloud NGFW
 * documents ("Evaluation order for firewall policies and rules",
 * docs.cloud.google.com/firewall/docs/firewall-policies-rule-eval-order):
 *   1. hierarchical policies, organization first, then the folders down to
 *      the project (the order the effective-firewalls API lists them in);
 *   2. system firewall policies (Google-managed);
 *   3. with the network's `networkFirewallPolicyEnforcementOrder`
 *      AFTER_CLASSIC_FIREWALL (the default): VPC firewall rules, then the
 *      global network policies, then the regional ones; with
 *      BEFORE_CLASSIC_FIREWALL the two network policy levels come before the
 *      VPC rules;
 *   4. the implied deny.
 * A policy without a `type` is taken as hierarchical.
 */
import type { GcpFirewall } from '../../snapshot/types.js';
import {
  destinationMatches,
  isIngress,
  sameNetwork,
  stringList,
  vpcAction,
  vpcTargetMatches,
  type FirewallPolicyRule,
  type FirewallQuery,
} from './match.js';

/** The priority of a VPC firewall rule that names none (the API default). */
export const DEFAULT_PRIORITY = 1000;

/**
 * The policy types of the effective-firewalls answers (NETWORK and
 * SYSTEM from networks.getEffectiveFirewalls; NETWORK_REGIONAL,
 * SYSTEM_GLOBAL and SYSTEM_REGIONAL from regionNetworkFirewallPolicies.getEffectiveFirewalls).
 */
export type FirewallPolicyType = 'HIERARCHY' | 'SYSTEM' | 'SYSTEM_GLOBAL' | 'SYSTEM_REGIONAL' | 'NETWORK' | 'NETWORK_REGIONAL';

export interface FirewallPolicy {
  /** For hierarchical policies the numeric id Google allocated; for network policies the user's name. */
  name: string;
  /** Hierarchical policies: the user's name (`shortName`; `displayName` is its deprecated twin). */
  shortName?: string;
  displayName?: string;
  /** HIERARCHY, NETWORK, NETWORK_REGIONAL, SYSTEM…; absent = hierarchical. */
  type?: FirewallPolicyType | (string & {});
  /** Hierarchical policies: `organizations/123` or `folders/456`, when known (firewall-policies describe). */
  parent?: string;
  /** Association priority of network policies: lower runs first within a level. */
  priority?: number;
  rules?: FirewallPolicyRule[];
  [k: string]: unknown;
}

/** The network's `networkFirewallPolicyEnforcementOrder`; absent means AFTER_CLASSIC_FIREWALL. */
export type EnforcementOrder = 'AFTER_CLASSIC_FIREWALL' | 'BEFORE_CLASSIC_FIREWALL';

/** Rules of one VPC, in effective order, for the traffic described by `query`. */
export function orderedVpcRules(firewalls: readonly GcpFirewall[], query: FirewallQuery): GcpFirewall[] {
  const candidates = firewalls.filter(
    (rule) =>
      isIngress(rule.direction) &&
      rule.disabled !== true &&
      sameNetwork(rule.network, query.network) &&
      vpcTargetMatches(rule, query.target) &&
      destinationMatches(stringList(rule['destinationRanges']), query.destination),
  );
  // Stable sort: priority, then deny before allow, then input order.
  return candidates
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => {
      const priority = (a.rule.priority ?? DEFAULT_PRIORITY) - (b.rule.priority ?? DEFAULT_PRIORITY);
      if (priority !== 0) return priority;
      const deny = Number(vpcAction(b.rule).action === 'deny') - Number(vpcAction(a.rule).action === 'deny');
      if (deny !== 0) return deny;
      return a.index - b.index;
    })
    .map((entry) => entry.rule);
}

/** The policy's type; a policy without one (hand-written or older snapshots) is taken as hierarchical. */
export function policyType(policy: FirewallPolicy): FirewallPolicyType | (string & {}) {
  return policy.type ?? 'HIERARCHY';
}

type Stage = { kind: 'policy'; policy: FirewallPolicy } | { kind: 'vpc' };

const STAGE_OF_TYPE: Record<string, number> = { HIERARCHY: 0, SYSTEM: 1, SYSTEM_GLOBAL: 1, SYSTEM_REGIONAL: 2, NETWORK: 4, NETWORK_REGIONAL: 5 };

/**
 * The evaluation order of the policies and the VPC rules. Hierarchical
 * policies keep their given order (organization first, as the API lists
 * them); network policies of one level run by association priority.
 * Unknown types are placed with the network policies.
 */
export function stagesOf(policies: readonly FirewallPolicy[], order: EnforcementOrder | undefined): Stage[] {
  const vpcRank = order === 'BEFORE_CLASSIC_FIREWALL' ? 6 : 3;
  const ranked = policies.map((policy, index) => ({ policy, index, rank: STAGE_OF_TYPE[policyType(policy)] ?? 5 }));
  ranked.sort((a, b) => a.rank - b.rank || (a.rank >= 4 ? (a.policy.priority ?? 0) - (b.policy.priority ?? 0) : 0) || a.index - b.index);
  const stages: Stage[] = [];
  let vpcPlaced = false;
  for (const entry of ranked) {
    if (!vpcPlaced && entry.rank > vpcRank) {
      stages.push({ kind: 'vpc' });
      vpcPlaced = true;
    }
    stages.push({ kind: 'policy', policy: entry.policy });
  }
  if (!vpcPlaced) stages.push({ kind: 'vpc' });
  return stages;
}
