/**
 * The firewall fix a finding prints, verified by the evaluator that found the
 * block: each command is also built as the rule it creates (or the change it
 * makes), added to the evidence, and every blocked (range, port, node target)
 * question is asked again. Only a set of commands that clears them all is
 * printed; otherwise the finding says what still blocks.
 *
 * - Past a VPC deny: an allow at a priority that beats it (lower number;
 *   at equal priority the deny would win), naming the rule it beats.
 * - Past a firewall policy rule: a new, narrow allow in that policy ahead of
 *   the blocking rule, on a free priority, matching only the blocked ranges
 *   and ports (and the nodes' service account when known). Never an action
 *   change on someone else's rule: a catch-all deny turned into goto_next
 *   would pass every source on.
 *
 * The commands come out as plain strings, in the order they are to be run.
 */
import type { FirewallQuery, FirewallPolicyRule, FirewallTarget } from '../analysis/firewall/match.js';
import { DEFAULT_PRIORITY, policyType, type FirewallPolicy } from '../analysis/firewall/order.js';
import { describePolicy, type FirewallBlocked, type FirewallVerdict } from '../analysis/firewall/verdict.js';
import type { FixStep } from '../findings.js';
import type { GcpFirewall } from '../snapshot/types.js';
import { lastSegment } from '../util/text.js';

/** One blocked (range, port, node target) question and the verdict that blocked it. */
export interface BlockedPair {
  range: string;
  port: number;
  target: FirewallTarget;
  verdict: FirewallBlocked;
}

/** What the fix is checked against: the context's evaluator, with other rules and policies. */
export interface FixEvidence {
  firewalls: readonly GcpFirewall[];
  policies?: readonly FirewallPolicy[];
  network?: string;
  region?: string;
  /** The node tag a VPC allow targets; undefined = unknown (the command says NODE_TAG). */
  nodeTag?: string;
  evaluateIn(firewalls: readonly GcpFirewall[], policies: readonly FirewallPolicy[] | undefined, query: FirewallQuery): FirewallVerdict;
}

export interface VerifiedFix {
  /** The commands, in order; empty when no fix could be verified. */
  commands: string[];
  /** The sentence a finding shows after "Fix: ". */
  text: string;
  /** The commands as data, each with what it does (the reports show them as blocks to copy). */
  steps: FixStep[];
}

/** The placeholder for a node tag the inputs do not give. */
export const NODE_TAG = 'NODE_TAG';

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
const quote = (command: string) => `\`${command}\``;

function queryOf(pair: BlockedPair, evidence: Pick<FixEvidence, 'network'>): FirewallQuery {
  return { sourceRange: pair.range, port: pair.port, target: pair.target, ...(evidence.network ? { network: evidence.network } : {}) };
}

/** The questions still blocked once `firewalls` and `policies` stand; an unknown node tag is taken as carried by the nodes. */
export function stillBlocked(
  evidence: FixEvidence,
  pairs: readonly BlockedPair[],
  firewalls: readonly GcpFirewall[],
  policies: readonly FirewallPolicy[] | undefined,
): BlockedPair[] {
  const out: BlockedPair[] = [];
  for (const pair of pairs) {
    const query = queryOf(pair, evidence);
    if (evidence.nodeTag === undefined) query.target = { ...query.target, tags: [...query.target.tags, NODE_TAG] };
    const verdict = evidence.evaluateIn(firewalls, policies, query);
    if (!verdict.allowed) out.push({ ...pair, verdict });
  }
  return out;
}

/** The highest free priority of `policy` ahead of `priority`, if any. */
function freePriorityBefore(policy: FirewallPolicy, priority: number): number | undefined {
  const used = new Set((policy.rules ?? []).map((r) => r.priority));
  for (let p = priority - 1; p >= 0; p--) if (!used.has(p)) return p;
  return undefined;
}

function policyKey(policy: FirewallPolicy): string {
  return `${policy.type ?? ''}/${policy.name}`;
}

interface Candidate {
  sentences: string[];
  /** The commands, each with what it does. */
  steps: FixStep[];
  firewalls: GcpFirewall[];
  policies: FirewallPolicy[] | undefined;
  /** Why a cause has no command (a deny no allow can beat…). */
  problems: string[];
}

/** The service account every blocked node carries, when one is known for all. */
function commonAccount(pairs: readonly BlockedPair[]): string | undefined {
  const accounts = unique(pairs.map((p) => p.target.serviceAccount));
  return accounts.length === 1 ? accounts[0] : undefined;
}

function policyCommand(policy: FirewallPolicy, priority: number, ranges: string[], ports: number[], account: string | undefined, region: string | undefined): string | undefined {
  const common = `--action=allow --direction=INGRESS --src-ip-ranges=${ranges.join(',')} --layer4-configs=${ports.map((p) => `tcp:${p}`).join(',')}${account ? ` --target-service-accounts=${account}` : ''}`;
  const type = policyType(policy);
  if (type === 'HIERARCHY') return `gcloud compute firewall-policies rules create ${priority} --firewall-policy=${policy.name} ${common}`;
  if (type === 'NETWORK') return `gcloud compute network-firewall-policies rules create ${priority} --firewall-policy=${policy.name} --global-firewall-policy ${common}`;
  if (type === 'NETWORK_REGIONAL') {
    const where = typeof policy.region === 'string' ? lastSegment(policy.region) : region;
    return `gcloud compute network-firewall-policies rules create ${priority} --firewall-policy=${policy.name} --firewall-policy-region=${where ?? 'REGION'} ${common}`;
  }
  return undefined; // system policies are Google's
}

/** Builds the commands (and the rules they create) for every cause seen so far. */
function candidateFor(evidence: FixEvidence, byPolicy: Map<string, BlockedPair[]>, vpcPairs: readonly BlockedPair[], ruleName: string): Candidate {
  const candidate: Candidate = { sentences: [], steps: [], firewalls: [...evidence.firewalls], policies: evidence.policies ? [...evidence.policies] : undefined, problems: [] };
  const leftForVpc: BlockedPair[] = [...vpcPairs];
  for (const pairs of byPolicy.values()) {
    const ref = pairs[0]!.verdict.blockedByPolicyRule!;
    const index = candidate.policies?.findIndex((p) => policyKey(p) === policyKey(ref.policy)) ?? -1;
    const policy = index >= 0 ? candidate.policies![index]! : ref.policy;
    const denyPriority = Math.min(...pairs.map((p) => p.verdict.blockedByPolicyRule!.rule.priority));
    const priority = freePriorityBefore(policy, denyPriority);
    const ranges = unique(pairs.map((p) => p.range));
    const ports = unique(pairs.map((p) => p.port)).sort((a, b) => a - b);
    const account = commonAccount(pairs);
    const command = priority === undefined ? undefined : policyCommand(policy, priority, ranges, ports, account, evidence.region);
    if (priority === undefined || !command || index < 0) {
      if (policyType(policy).startsWith('SYSTEM')) candidate.problems.push(`${describePolicy(policy)} is Google's and cannot be changed`);
      else if (priority === undefined) candidate.problems.push(`${describePolicy(policy)} has no free priority ahead of rule ${denyPriority}`);
      leftForVpc.push(...pairs);
      continue;
    }
    const rule: FirewallPolicyRule = {
      priority,
      action: 'allow',
      direction: 'INGRESS',
      match: { srcIpRanges: ranges, layer4Configs: [{ ipProtocol: 'tcp', ports: ports.map(String) }] },
      ...(account ? { targetServiceAccounts: [account] } : {}),
    };
    candidate.policies![index] = { ...policy, rules: [...(policy.rules ?? []), rule] };
    candidate.sentences.push(`${quote(command)} (a new allow ahead of rule ${denyPriority} of ${describePolicy(policy)}, for these ranges and ports only)`);
    candidate.steps.push({ command, explains: `allow ${ranges.join(', ')} on ${ports.map((p) => `tcp:${p}`).join(',')} ahead of rule ${denyPriority} of ${describePolicy(policy)}, for these ranges and ports only` });
  }
  if (leftForVpc.length) {
    const denies = unique(leftForVpc.flatMap((p) => (p.verdict.blockedBy ? [p.verdict.blockedBy] : [])));
    const beat = denies.reduce<GcpFirewall | undefined>((low, rule) => (!low || (rule.priority ?? DEFAULT_PRIORITY) < (low.priority ?? DEFAULT_PRIORITY) ? rule : low), undefined);
    const beatPriority = beat ? (beat.priority ?? DEFAULT_PRIORITY) : undefined;
    if (beatPriority === 0) {
      candidate.problems.push(`deny rule "${beat!.name}" has priority 0, which no allow can beat: narrow it or remove it`);
      return candidate;
    }
    const priority = beatPriority !== undefined ? beatPriority - 1 : undefined;
    const ranges = unique(leftForVpc.map((p) => p.range));
    const ports = unique(leftForVpc.map((p) => p.port)).sort((a, b) => a - b);
    const tag = evidence.nodeTag ?? NODE_TAG;
    const names = new Set(evidence.firewalls.map((r) => r.name));
    let name = ruleName;
    for (let n = 2; names.has(name); n++) name = `${ruleName}-${n}`;
    const command = `gcloud compute firewall-rules create ${name}${evidence.network ? ` --network ${evidence.network}` : ''} --direction INGRESS --allow ${ports.map((p) => `tcp:${p}`).join(',')} --source-ranges ${ranges.join(',')} --target-tags ${tag}${priority !== undefined ? ` --priority ${priority}` : ''}`;
    candidate.firewalls.push({
      name,
      ...(evidence.network ? { network: evidence.network } : {}),
      direction: 'INGRESS',
      allowed: [{ IPProtocol: 'tcp', ports: ports.map(String) }],
      sourceRanges: ranges,
      targetTags: [tag],
      ...(priority !== undefined ? { priority } : {}),
    } as GcpFirewall);
    const beats = beat ? ` (priority ${priority} beats deny rule "${beat.name}" at ${beatPriority})` : '';
    const placeholder = evidence.nodeTag === undefined ? ` with ${NODE_TAG} the nodes' network tag, which the inputs do not give` : '';
    candidate.sentences.push(`${quote(command)}${beats}${placeholder}`);
    candidate.steps.push({ command, explains: `allow ${ranges.join(', ')} on ${ports.map((p) => `tcp:${p}`).join(',')} to the nodes (tag ${tag}) in the VPC firewall${beats}${placeholder}` });
  }
  return candidate;
}

function addCauses(pairs: readonly BlockedPair[], byPolicy: Map<string, BlockedPair[]>, vpcPairs: BlockedPair[]): void {
  for (const pair of pairs) {
    const ref = pair.verdict.blockedByPolicyRule;
    if (!ref) {
      vpcPairs.push(pair);
      continue;
    }
    const key = policyKey(ref.policy);
    byPolicy.set(key, [...(byPolicy.get(key) ?? []), pair]);
  }
}

/**
 * The verified fix for `blocked`. Fixing one cause can uncover the next (a
 * VPC deny behind a policy deny), so the causes found on re-evaluation join
 * the fix, a few rounds at most.
 */
export function verifiedFixCommands(evidence: FixEvidence, blocked: readonly BlockedPair[], ruleName: string): VerifiedFix {
  const byPolicy = new Map<string, BlockedPair[]>();
  const vpcPairs: BlockedPair[] = [];
  let pending: readonly BlockedPair[] = blocked;
  for (let round = 0; round < 4; round++) {
    addCauses(pending, byPolicy, vpcPairs);
    const candidate = candidateFor(evidence, byPolicy, vpcPairs, ruleName);
    pending = stillBlocked(evidence, blocked, candidate.firewalls, candidate.policies);
    if (pending.length === 0) return { commands: candidate.steps.map((step) => step.command), text: candidate.sentences.join('; and '), steps: candidate.steps };
    if (candidate.problems.length) return unverified(candidate.problems, pending);
  }
  return unverified([], pending);
}

function unverified(problems: readonly string[], pending: readonly BlockedPair[]): VerifiedFix {
  const why = problems.length ? problems.join('; ') : `with the allows negdoctor would add, still: ${pending[0]!.verdict.reason.replace(/\.$/, '')}`;
  return { commands: [], text: `no firewall command negdoctor can verify clears it (${why}); the owner of the blocking rule must change it`, steps: [] };
}

/** Whether enabling the named disabled VPC rules alone clears every blocked question. */
export function enablingClears(evidence: FixEvidence, blocked: readonly BlockedPair[], names: readonly string[]): boolean {
  const enabled = evidence.firewalls.map((r) => (names.includes(r.name) ? { ...r, disabled: false } : r));
  return stillBlocked({ ...evidence, nodeTag: evidence.nodeTag ?? '' }, blocked, enabled, evidence.policies).length === 0;
}
