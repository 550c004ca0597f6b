/**
 * Google Cloud firewall evaluation for INGRESS traffic from the load
 * balancer's health checkers to GKE nodes (and the pods behind them).
 *
 * The question asked is always "does every address of this source range reach
 * this TCP port on nodes with these tags / this service account?". Because a
 * range may be covered piecewise by several rules, the evaluation works on
 * address intervals (bigint, per IP family) rather than on single addresses.
 *
 * VPC firewall rules are walked in their effective order: an allow decides
 * the part of the range it covers; a deny that reaches any still-undecided
 * address blocks the range; whatever is left at the end hits the implied deny.
 * Which rules match a probe is in ./firewall/match.ts; the order of the rules
 * and of the policies around them is in ./firewall/order.ts.
 *
 * Within a policy the rules run by priority; `allow`, `deny` and
 * `apply_security_profile_group` (an allow whose traffic is inspected) end
 * evaluation for the addresses they match; `goto_next`, and any address no
 * rule of the policy matches, pass on to the next level.
 */
import { intersect, isEmpty, parseCidr, subtract, toCidrs, type IntervalSet } from './firewall/address-ranges.js';
import {
  destinationMatches,
  isIngress,
  policyRuleL4Matches,
  policyRuleSource,
  policyTargetMatches,
  protocolPortMatches,
  unresolvedSources,
  vpcAction,
  vpcSourceSet,
  type FirewallPolicyRule,
  type FirewallQuery,
  type FirewallTarget,
} from './firewall/match.js';
import {
  DEFAULT_PRIORITY,
  orderedVpcRules,
  policyType,
  stagesOf,
  type EnforcementOrder,
  type FirewallPolicy,
} from './firewall/order.js';
import { joinWords } from '../util/words.js';
import type { GcpFirewall } from '../snapshot/types.js';

/** The health-check source ranges GKE documents for Ingress / NEG backends. */
export const HEALTH_CHECK_RANGES_IPV4: readonly string[] = ['130.211.0.0/22', '35.191.0.0/16'];
/** The IPv6 health-check ranges, relevant for IPv6 (dual-stack) endpoints. */
export const HEALTH_CHECK_RANGES_IPV6: readonly string[] = ['2600:2d00:1:b029::/64', '2600:2d00:1:1::/64'];

/** Which policy rule decided, so a finding can name it. */
export interface PolicyRuleRef {
  policy: FirewallPolicy;
  rule: FirewallPolicyRule;
  /** True when the rule decided before any VPC firewall rule was considered. */
  beforeVpc?: boolean;
}

export interface FirewallAllowed {
  allowed: true;
  /** The VPC allow rule(s) that together admit the whole range, in evaluation order. */
  rules: GcpFirewall[];
  /** Policy rules that admitted (part of) the range, when policies were evaluated. */
  policyRules?: PolicyRuleRef[];
  /** Rules whose match depended on what is not known, and how they were taken. */
  unknowns?: string[];
  reason: string;
}

export interface FirewallBlocked {
  allowed: false;
  /** The VPC deny rule that blocks (part of) the range. */
  blockedBy?: GcpFirewall;
  /** The policy deny rule that blocks (part of) the range. */
  blockedByPolicyRule?: PolicyRuleRef;
  /** The CIDRs of the range the blocking deny hits. */
  blockedRanges?: string[];
  /** Set for the implied deny: CIDRs of the range that no allow covers. */
  uncovered?: string[];
  /** Allow rules that decided other parts of the range before it was blocked. */
  partlyAllowedBy?: GcpFirewall[];
  /** Allow rules matching source and target but not this protocol/port (e.g. a rule opening only node ports). */
  nearMisses?: GcpFirewall[];
  /** Rules whose match depended on what is not known, and how they were taken. */
  unknowns?: string[];
  reason: string;
}

export type FirewallVerdict = FirewallAllowed | FirewallBlocked;

function describeRule(rule: GcpFirewall): string {
  return `"${rule.name}" (priority ${rule.priority ?? DEFAULT_PRIORITY})`;
}

/** How a policy is named in messages: kind, user's name, and id/parent where known. */
export function describePolicy(policy: FirewallPolicy): string {
  const type = policyType(policy);
  const shown = policy.shortName ?? policy.displayName ?? policy.name;
  const ids = [policy.name !== shown ? policy.name : undefined, policy.parent].filter((v): v is string => Boolean(v));
  const kind =
    type === 'HIERARCHY'
      ? 'hierarchical firewall policy'
      : type === 'NETWORK'
        ? 'global network firewall policy'
        : type === 'NETWORK_REGIONAL'
          ? 'regional network firewall policy'
          : type.startsWith('SYSTEM')
            ? 'system firewall policy'
            : 'firewall policy';
  return `${kind} "${shown}"${ids.length ? ` (${ids.join(', ')})` : ''}`;
}

function describeRuleOfPolicy(ref: PolicyRuleRef): string {
  const ruleName = ref.rule.ruleName ? ` "${ref.rule.ruleName}"` : '';
  return `rule${ruleName} priority ${ref.rule.priority} of ${describePolicy(ref.policy)}`;
}

function evaluate(
  policies: readonly FirewallPolicy[],
  firewalls: readonly GcpFirewall[],
  query: FirewallQuery,
  order?: EnforcementOrder,
): FirewallVerdict {
  const source = parseCidr(query.sourceRange);
  if (!source) throw new Error(`Not a CIDR range or IP address: ${JSON.stringify(query.sourceRange)}`);
  const protocol = query.protocol ?? 'tcp';
  const family = source.family;
  const whole: IntervalSet = { family, spans: [[source.start, source.end]] };
  const what = `${protocol.toLowerCase()} port ${query.port}`;

  let undecided = whole;
  const allowedByPolicy: PolicyRuleRef[] = [];
  const decidingAllows: GcpFirewall[] = [];
  const nearMisses: GcpFirewall[] = [];
  const unknowns: string[] = [];
  let vpcReached = false;
  const withUnknowns = <V extends FirewallVerdict>(verdict: V): V => {
    if (unknowns.length) verdict.unknowns = [...new Set(unknowns)];
    return verdict;
  };
  const deciders = () => [...decidingAllows.map(describeRule), ...allowedByPolicy.map(describeRuleOfPolicy)];

  for (const stage of stagesOf(policies, order)) {
    if (isEmpty(undecided)) break;
    if (stage.kind === 'policy') {
      const { policy } = stage;
      // Addresses that have hit goto_next skip the rest of this policy.
      let pending = undecided;
      const rules = (policy.rules ?? [])
        .filter((rule) => isIngress(rule.direction) && rule.disabled !== true)
        .filter((rule) => destinationMatches(rule.match?.destIpRanges, query.destination))
        .filter((rule) => policyRuleL4Matches(rule, protocol, query.port))
        .sort((a, b) => a.priority - b.priority);
      for (const rule of rules) {
        if (isEmpty(pending)) break;
        const ref: PolicyRuleRef = { policy, rule, ...(vpcReached ? {} : { beforeVpc: true }) };
        const target = policyTargetMatches(rule, query);
        if (target === false) continue;
        const sources = unresolvedSources(rule);
        if (sources.length) unknowns.push(`${describeRuleOfPolicy(ref)} also matches ${joinWords(sources)}, which negdoctor cannot expand; only its srcIpRanges were taken`);
        const hit = intersect(pending, policyRuleSource(rule, family));
        if (isEmpty(hit)) continue;
        if (typeof target === 'string') {
          unknowns.push(`${describeRuleOfPolicy(ref)} (${rule.action}) ${target}; it was taken as not applying to the nodes`);
          continue;
        }
        const action = rule.action.toLowerCase();
        if (action === 'deny') {
          const blockedRanges = toCidrs(hit);
          return withUnknowns({
            allowed: false,
            blockedByPolicyRule: ref,
            blockedRanges,
            ...(decidingAllows.length ? { partlyAllowedBy: decidingAllows } : {}),
            reason: `${describeRuleOfPolicy(ref)} denies ${what} from ${joinWords(blockedRanges)}${ref.beforeVpc ? ' before any VPC rule is considered' : ''}.`,
          });
        }
        pending = subtract(pending, hit);
        if (action === 'goto_next') continue;
        // allow, apply_security_profile_group (allowed, then inspected) and unknown non-deny actions let the traffic through.
        undecided = subtract(undecided, hit);
        allowedByPolicy.push(ref);
      }
      continue;
    }

    // VPC firewall rules.
    vpcReached = true;
    for (const rule of orderedVpcRules(firewalls, query)) {
      if (isEmpty(undecided)) break;
      const { action, entries } = vpcAction(rule);
      const hit = intersect(undecided, vpcSourceSet(rule, family));
      if (isEmpty(hit)) continue;
      if (!protocolPortMatches(entries, protocol, query.port)) {
        if (action === 'allow' && entries.length > 0) nearMisses.push(rule);
        continue;
      }
      if (action === 'deny') {
        const blockedRanges = toCidrs(hit);
        const part = blockedRanges.length === 1 && blockedRanges[0] === toCidrs(whole)[0] ? '' : ` (${joinWords(blockedRanges)} of it)`;
        const verdict: FirewallBlocked = {
          allowed: false,
          blockedBy: rule,
          blockedRanges,
          reason: `Traffic from ${query.sourceRange}${part} to ${what} is blocked by deny rule ${describeRule(rule)}.`,
        };
        if (decidingAllows.length > 0) verdict.partlyAllowedBy = decidingAllows;
        const earlier = deciders();
        if (earlier.length > 0) verdict.reason = verdict.reason.replace(/\.$/, `; ${joinWords(earlier)} ${earlier.length > 1 ? 'allow' : 'allows'} only other parts.`);
        return withUnknowns(verdict);
      }
      undecided = subtract(undecided, hit);
      decidingAllows.push(rule);
    }
  }

  if (isEmpty(undecided)) {
    const names = deciders();
    const allowed: FirewallAllowed = {
      allowed: true,
      rules: decidingAllows,
      reason: `Traffic from ${query.sourceRange} to ${what} is allowed by ${decidingAllows.length === 0 ? joinWords(names) : `${names.length > 1 ? 'rules' : 'rule'} ${joinWords(names)}`}.`,
    };
    if (allowedByPolicy.length > 0) allowed.policyRules = allowedByPolicy;
    return withUnknowns(allowed);
  }

  // The implied deny for whatever is left.
  const uncovered = toCidrs(undecided);
  const partly = !(uncovered.length === 1 && uncovered[0] === toCidrs(whole)[0]);
  const names = deciders();
  let reason = partly
    ? `No firewall rule allows ${what} from ${joinWords(uncovered)} (part of ${query.sourceRange}); ${joinWords(names)} ${names.length > 1 ? 'cover' : 'covers'} only the rest, so the implied deny blocks it.`
    : `No firewall rule allows ${what} from ${query.sourceRange} to the nodes, so the implied deny blocks it.`;
  if (nearMisses.length > 0) {
    const described = nearMisses.map((rule) => {
      const opened = vpcAction(rule)
        .entries.map((entry) => (entry.ports && entry.ports.length > 0 ? `${entry.protocol}:${entry.ports.join(',')}` : entry.protocol))
        .join(', ');
      return `"${rule.name}" opens only ${opened}`;
    });
    reason = reason.replace(/\.$/, ` (${joinWords(described)}).`);
  }
  const verdict: FirewallBlocked = { allowed: false, uncovered, reason };
  if (decidingAllows.length > 0) verdict.partlyAllowedBy = decidingAllows;
  if (nearMisses.length > 0) verdict.nearMisses = nearMisses;
  return withUnknowns(verdict);
}

/**
 * Whether INGRESS traffic from `query.sourceRange` reaches `query.port` on the
 * target node, under VPC firewall rules only.
 * Throws when `query.sourceRange` is not a CIDR (validate config with isValidCidr).
 */
export function evaluateFirewallIngress(firewalls: readonly GcpFirewall[], query: FirewallQuery): FirewallVerdict {
  return evaluate([], firewalls, query);
}

/**
 * Like evaluateFirewallIngress, with the firewall policies that apply to the
 * network, in Cloud NGFW's order (see the header): hierarchical policies as
 * given (organization first), system policies, then the VPC rules and the
 * network policies as `enforcementOrder` says (default AFTER_CLASSIC_FIREWALL).
 */
export function evaluateFirewallIngressWithPolicies(
  policies: readonly FirewallPolicy[],
  firewalls: readonly GcpFirewall[],
  query: FirewallQuery,
  enforcementOrder?: EnforcementOrder,
): FirewallVerdict {
  return evaluate(policies, firewalls, query, enforcementOrder);
}

export interface FirewallMatrixInput {
  sourceRanges: readonly string[];
  ports: readonly number[];
  targets: readonly FirewallTarget[];
  protocol?: string;
  network?: string;
  policies?: readonly FirewallPolicy[];
  enforcementOrder?: EnforcementOrder;
}

export interface FirewallMatrixEntry {
  sourceRange: string;
  port: number;
  target: FirewallTarget;
  verdict: FirewallVerdict;
}

/** Evaluates every (source range × port × target) combination; entries are grouped by target, then port, then range. */
export function evaluateFirewallMatrix(firewalls: readonly GcpFirewall[], input: FirewallMatrixInput): FirewallMatrixEntry[] {
  const entries: FirewallMatrixEntry[] = [];
  for (const target of input.targets) {
    for (const port of input.ports) {
      for (const sourceRange of input.sourceRanges) {
        const query: FirewallQuery = { sourceRange, port, target };
        if (input.protocol !== undefined) query.protocol = input.protocol;
        if (input.network !== undefined) query.network = input.network;
        entries.push({ sourceRange, port, target, verdict: evaluate(input.policies ?? [], firewalls, query, input.enforcementOrder) });
      }
    }
  }
  return entries;
}
