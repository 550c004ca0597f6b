/**
 * The firewall evaluator's answer: allowed or blocked, by which rules, and
 * the sentence a finding shows for it. The evaluator's walk decides; this
 * module only reports what it decided, from an EvaluationRecord.
 */
import type { GcpFirewall } from '../../snapshot/types.js';
import { joinWords } from '../../util/text.js';
import { toCidrs, type IntervalSet } from './address-ranges.js';
import { vpcAction, type FirewallPolicyRule, type FirewallQuery } from './match.js';
import { DEFAULT_PRIORITY, policyType, type FirewallPolicy } from './order.js';

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
  /** Policy deny rules that would have matched the range had their target (secure tag, service account) been resolved. */
  unresolvedDenies?: PolicyRuleRef[];
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

export function describeRuleOfPolicy(ref: PolicyRuleRef): string {
  const ruleName = ref.rule.ruleName ? ` "${ref.rule.ruleName}"` : '';
  return `rule${ruleName} priority ${ref.rule.priority} of ${describePolicy(ref.policy)}`;
}

/** What the walk has recorded on its way to a verdict; every verdict reports from it. */
export interface EvaluationRecord {
  query: FirewallQuery;
  /** The query's whole source range. */
  whole: IntervalSet;
  /** VPC allow rules that decided parts of the range, in evaluation order. */
  decidingAllows: GcpFirewall[];
  /** Policy rules that let parts of the range through, in evaluation order. */
  allowedByPolicy: PolicyRuleRef[];
  /** VPC allow rules that matched source and target but not the protocol/port. */
  nearMisses: GcpFirewall[];
  /** Rules whose match depended on what is not known; repeats are dropped in the verdict. */
  unknowns: string[];
  /** Policy deny rules skipped because their target could not be resolved. */
  unresolvedDenies: PolicyRuleRef[];
}

/** A note for `unknowns`: the policy rule also matches sources negdoctor cannot expand. */
export function unexpandedSourcesNote(ref: PolicyRuleRef, sources: readonly string[]): string {
  return `${describeRuleOfPolicy(ref)} also matches ${joinWords(sources)}, which negdoctor cannot expand; only its srcIpRanges were taken`;
}

/** A note for `unknowns`: whether the policy rule targets the nodes could not be resolved (`target` says why). */
export function unresolvedTargetNote(ref: PolicyRuleRef, target: string): string {
  return `${describeRuleOfPolicy(ref)} (${ref.rule.action}) ${target}; it was taken as not applying to the nodes`;
}

/** The traffic as the explanations name it, e.g. `tcp port 80`. */
function trafficWords(query: FirewallQuery): string {
  return `${(query.protocol ?? 'tcp').toLowerCase()} port ${query.port}`;
}

/** The rules that let parts of the range through so far, named for an explanation. */
function deciders(record: EvaluationRecord): string[] {
  return [...record.decidingAllows.map(describeRule), ...record.allowedByPolicy.map(describeRuleOfPolicy)];
}

function withUnknowns<V extends FirewallVerdict>(record: EvaluationRecord, verdict: V): V {
  if (record.unknowns.length) verdict.unknowns = [...new Set(record.unknowns)];
  return verdict;
}

/** A policy deny rule reached the `hit` part of the range. */
export function blockedByPolicyDeny(record: EvaluationRecord, ref: PolicyRuleRef, hit: IntervalSet): FirewallBlocked {
  const blockedRanges = toCidrs(hit);
  return withUnknowns(record, {
    allowed: false,
    blockedByPolicyRule: ref,
    blockedRanges,
    ...(record.decidingAllows.length ? { partlyAllowedBy: record.decidingAllows } : {}),
    reason: `${describeRuleOfPolicy(ref)} denies ${trafficWords(record.query)} from ${joinWords(blockedRanges)}${ref.beforeVpc ? ' before any VPC rule is considered' : ''}.`,
  });
}

/** A VPC deny rule reached the `hit` part of the range. */
export function blockedByVpcDeny(record: EvaluationRecord, rule: GcpFirewall, hit: IntervalSet): FirewallBlocked {
  const { query, whole, decidingAllows } = record;
  const blockedRanges = toCidrs(hit);
  const part = blockedRanges.length === 1 && blockedRanges[0] === toCidrs(whole)[0] ? '' : ` (${joinWords(blockedRanges)} of it)`;
  const verdict: FirewallBlocked = {
    allowed: false,
    blockedBy: rule,
    blockedRanges,
    reason: `Traffic from ${query.sourceRange}${part} to ${trafficWords(query)} is blocked by deny rule ${describeRule(rule)}.`,
  };
  if (decidingAllows.length > 0) verdict.partlyAllowedBy = decidingAllows;
  const earlier = deciders(record);
  if (earlier.length > 0) verdict.reason = verdict.reason.replace(/\.$/, `; ${joinWords(earlier)} ${earlier.length > 1 ? 'allow' : 'allows'} only other parts.`);
  return withUnknowns(record, verdict);
}

/** Allow rules decided the whole range. */
export function allowedVerdict(record: EvaluationRecord): FirewallAllowed {
  const { query, decidingAllows, allowedByPolicy } = record;
  const names = deciders(record);
  const allowed: FirewallAllowed = {
    allowed: true,
    rules: decidingAllows,
    reason: `Traffic from ${query.sourceRange} to ${trafficWords(query)} is allowed by ${decidingAllows.length === 0 ? joinWords(names) : `${names.length > 1 ? 'rules' : 'rule'} ${joinWords(names)}`}.`,
  };
  if (allowedByPolicy.length > 0) allowed.policyRules = allowedByPolicy;
  if (record.unresolvedDenies.length > 0) allowed.unresolvedDenies = record.unresolvedDenies;
  return withUnknowns(record, allowed);
}

/** The implied deny for the `undecided` part of the range, which no rule allowed. */
export function impliedDenyVerdict(record: EvaluationRecord, undecided: IntervalSet): FirewallBlocked {
  const { query, whole, decidingAllows, nearMisses } = record;
  const what = trafficWords(query);
  const uncovered = toCidrs(undecided);
  const partly = !(uncovered.length === 1 && uncovered[0] === toCidrs(whole)[0]);
  const names = deciders(record);
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
  return withUnknowns(record, verdict);
}
