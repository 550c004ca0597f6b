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
 * Which rules match a probe is in ./match.ts; the order of the rules and of
 * the policies around them is in ./order.ts; the verdicts and their
 * explanations are in ./verdict.ts.
 *
 * Within a policy the rules run by priority; `allow`, `deny` and
 * `apply_security_profile_group` (an allow whose traffic is inspected) end
 * evaluation for the addresses they match; `goto_next`, and any address no
 * rule of the policy matches, pass on to the next level.
 */
import type { GcpFirewall } from '../../snapshot/types.js';
import { intersect, isEmpty, parseCidr, subtract, type IntervalSet } from './address-ranges.js';
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
  type FirewallQuery,
  type FirewallTarget,
} from './match.js';
import { orderedVpcRules, stagesOf, type EnforcementOrder, type FirewallPolicy } from './order.js';
import {
  allowedVerdict,
  blockedByPolicyDeny,
  blockedByVpcDeny,
  impliedDenyVerdict,
  unexpandedSourcesNote,
  unresolvedTargetNote,
  type EvaluationRecord,
  type FirewallVerdict,
  type PolicyRuleRef,
} from './verdict.js';

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
  const record: EvaluationRecord = { query, whole, decidingAllows: [], allowedByPolicy: [], nearMisses: [], unknowns: [], unresolvedDenies: [] };

  let undecided = whole;
  let vpcReached = false;

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
        // Equal priorities cannot come from the API; when an input has them, deny first (the safe reading).
        .sort((a, b) => a.priority - b.priority || Number(b.action.toLowerCase() === 'deny') - Number(a.action.toLowerCase() === 'deny'));
      for (const rule of rules) {
        if (isEmpty(pending)) break;
        const ref: PolicyRuleRef = { policy, rule, ...(vpcReached ? {} : { beforeVpc: true }) };
        const target = policyTargetMatches(rule, query);
        if (target === false) continue;
        const sources = unresolvedSources(rule);
        if (sources.length) record.unknowns.push(unexpandedSourcesNote(ref, sources));
        const hit = intersect(pending, policyRuleSource(rule, family));
        if (isEmpty(hit)) continue;
        if (typeof target === 'string') {
          record.unknowns.push(unresolvedTargetNote(ref, target));
          if (rule.action.toLowerCase() === 'deny') record.unresolvedDenies.push(ref);
          continue;
        }
        const action = rule.action.toLowerCase();
        if (action === 'deny') return blockedByPolicyDeny(record, ref, hit);
        pending = subtract(pending, hit);
        if (action === 'goto_next') continue;
        // allow, apply_security_profile_group (allowed, then inspected) and unknown non-deny actions let the traffic through.
        undecided = subtract(undecided, hit);
        record.allowedByPolicy.push(ref);
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
        if (action === 'allow' && entries.length > 0) record.nearMisses.push(rule);
        continue;
      }
      if (action === 'deny') return blockedByVpcDeny(record, rule, hit);
      undecided = subtract(undecided, hit);
      record.decidingAllows.push(rule);
    }
  }

  return isEmpty(undecided) ? allowedVerdict(record) : impliedDenyVerdict(record, undecided);
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
 * network, in Cloud NGFW's order (see ./order.ts): hierarchical policies as
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
