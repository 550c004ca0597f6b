/**
 * Google Cloud firewall evaluation for INGRESS traffic from the load
 * balancer's health checkers to GKE nodes (and the pods behind them).
 *
 * The question asked is always "does every address of this source range reach
 * this TCP port on nodes with these tags / this service account?". Because a
 * range may be covered piecewise by several rules, the evaluation works on
 * address intervals (bigint, per IP family) rather than on single addresses.
 *
 * Model (VPC firewall rules):
 *   - only enabled INGRESS rules on the queried network apply;
 *   - lower `priority` wins (default 1000); at equal priority deny beats allow;
 *   - probes carry no network tags or service accounts, so only
 *     `sourceRanges` can match a probe; a rule with no source at all gets
 *     0.0.0.0/0 (what the API fills in for ingress rules);
 *   - targets: no targetTags/targetServiceAccounts = every instance;
 *   - walking rules in effective order, an allow decides the part of the range
 *     it covers; a deny that reaches any still-undecided address blocks the
 *     range; whatever is left at the end hits the implied deny.
 *
 * Firewall policies (hierarchical, then global/regional network policies as
 * the caller orders them) are evaluated before VPC rules: within a policy the
 * rules run by priority, `allow` and `deny` decide, `goto_next` (and any
 * address no rule of the policy matches) passes on to the next policy and
 * finally to the VPC rules.
 *
 * Limits, knowingly accepted:
 *   - `destinationRanges` / `match.destIpRanges` are honoured only when the
 *     query names a destination address; otherwise they are treated as matching.
 *   - Policy sources other than `srcIpRanges` (address groups, FQDNs, geo,
 *     threat intelligence) never match; secure tags match only when the query
 *     lists the node's secure tags.
 *   - Policy enforcement order relative to VPC rules (`BEFORE_CLASSIC_FIREWALL`)
 *     is not modelled: every policy given is evaluated before the VPC rules.
 *   - `apply_security_profile_group` is treated as allow (it lets traffic
 *     through to inspection), logging and other actions are ignored.
 *   - Networks are compared by their last path segment only, so two networks
 *     with the same name in different (Shared VPC) projects are not told apart.
 */
import type ipaddr from 'ipaddr.js';
import { ipaddrLib } from '../model/lazy.js';
import type { GcpFirewall } from '../snapshot/types.js';

/** The health-check source ranges GKE documents for Ingress / NEG backends. */
export const HEALTH_CHECK_RANGES_IPV4: readonly string[] = ['130.211.0.0/22', '35.191.0.0/16'];
/** The IPv6 health-check ranges, relevant for IPv6 (dual-stack) endpoints. */
export const HEALTH_CHECK_RANGES_IPV6: readonly string[] = ['2600:2d00:1:b029::/64', '2600:2d00:1:1::/64'];

const DEFAULT_PRIORITY = 1000;

/** The node (instance) a probe is addressed to, as firewall targets see it. */
export interface FirewallTarget {
  /** Network tags of the node (node pool `config.tags`). */
  tags: readonly string[];
  /** The node's service account e-mail. */
  serviceAccount?: string;
  /** Secure tags bound to the node, for network firewall policies (tag value names). */
  secureTags?: readonly string[];
}

export interface FirewallQuery {
  /** Source CIDR (or single address) the traffic comes from, e.g. 130.211.0.0/22. */
  sourceRange: string;
  /** Destination port. */
  port: number;
  /** IP protocol name or number; default `tcp`. */
  protocol?: string;
  target: FirewallTarget;
  /** Network name or URL; when given, rules on other networks are ignored. */
  network?: string;
  /** Destination address (pod or node IP), only used against destination ranges. */
  destination?: string;
}

/** A rule of a hierarchical or network firewall policy, as the Compute API returns it. */
export interface FirewallPolicyRule {
  priority: number;
  action: 'allow' | 'deny' | 'goto_next' | 'apply_security_profile_group' | (string & {});
  direction?: 'INGRESS' | 'EGRESS';
  disabled?: boolean;
  description?: string;
  ruleName?: string;
  match?: {
    srcIpRanges?: string[];
    destIpRanges?: string[];
    layer4Configs?: Array<{ ipProtocol: string; ports?: string[] }>;
    srcSecureTags?: Array<{ name: string; state?: string }>;
    [k: string]: unknown;
  };
  targetServiceAccounts?: string[];
  targetSecureTags?: Array<{ name: string; state?: string }>;
  /** Network URLs the rule is limited to (hierarchical policies). */
  targetResources?: string[];
  [k: string]: unknown;
}

export interface FirewallPolicy {
  name: string;
  /** Display name of hierarchical policies (`shortName` / `displayName`), for messages. */
  displayName?: string;
  rules?: FirewallPolicyRule[];
  [k: string]: unknown;
}

/** Which policy rule decided, so a finding can name it. */
export interface PolicyRuleRef {
  policy: FirewallPolicy;
  rule: FirewallPolicyRule;
}

export interface FirewallAllowed {
  allowed: true;
  /** The VPC allow rule(s) that together admit the whole range, in evaluation order. */
  rules: GcpFirewall[];
  /** Policy rules that admitted (part of) the range, when policies were evaluated. */
  policyRules?: PolicyRuleRef[];
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
  reason: string;
}

export type FirewallVerdict = FirewallAllowed | FirewallBlocked;

// ---------------------------------------------------------------------------
// Address intervals

type Family = 'ipv4' | 'ipv6';

/** Inclusive [start, end] address intervals of one family, sorted and disjoint. */
interface IntervalSet {
  family: Family;
  spans: Array<[bigint, bigint]>;
}

const FAMILY_BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function bytesToBigint(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bigintToAddress(value: bigint, family: Family): string {
  const byteCount = FAMILY_BITS[family] / 8;
  const bytes: number[] = new Array<number>(byteCount);
  let rest = value;
  for (let i = byteCount - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  const address = ipaddrLib().fromByteArray(bytes);
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

interface ParsedCidr {
  family: Family;
  start: bigint;
  end: bigint;
}

/**
 * Parsed ranges by text. The same few rule ranges are evaluated for every
 * (Service × port × node target × health-check range) query of a scan, and
 * parsing through ipaddr.js dominated the evaluation; entries are immutable.
 * Bounded so a long-lived caller cannot grow it without limit.
 */
const CACHE_LIMIT = 10_000;
const cidrCache = new Map<string, ParsedCidr | undefined>();
const setCache = new Map<string, IntervalSet>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** Parses "a.b.c.d/n", "x::/n" or a bare address; host bits are masked off. Results are shared: never mutate them. */
function parseCidr(text: string): ParsedCidr | undefined {
  if (cidrCache.has(text)) return cidrCache.get(text);
  return remember(cidrCache, text, parseCidrUncached(text));
}

function parseCidrUncached(text: string): ParsedCidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  // ipaddr.js also accepts legacy IPv4 forms ("10.1", "0x0a.1"); the Compute API never returns them.
  if (!ipaddrLib().IPv6.isValid(addressText) && !ipaddrLib().IPv4.isValidFourPartDecimal(addressText)) return undefined;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  try {
    if (slash >= 0) {
      const prefixText = trimmed.slice(slash + 1);
      if (!/^\d{1,3}$/.test(prefixText)) return undefined;
      [address, prefix] = ipaddrLib().parseCIDR(trimmed);
    } else {
      address = ipaddrLib().parse(trimmed);
      prefix = address.kind() === 'ipv4' ? 32 : 128;
    }
  } catch {
    return undefined;
  }
  const family: Family = address.kind();
  const bits = FAMILY_BITS[family];
  const hostBits = BigInt(bits - prefix);
  const value = bytesToBigint(address.toByteArray());
  const start = (value >> hostBits) << hostBits;
  return { family, start, end: start + (1n << hostBits) - 1n };
}

/** True when `text` is a CIDR range or address this module can evaluate. */
export function isValidCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

function normalise(family: Family, spans: Array<[bigint, bigint]>): IntervalSet {
  const sorted = [...spans].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Array<[bigint, bigint]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1] + 1n) {
      if (end > last[1]) last[1] = end;
    } else {
      merged.push([start, end]);
    }
  }
  return { family, spans: merged };
}

/** The addresses of `ranges` that belong to `family`; unparsable entries are skipped. The set is shared: never mutate it. */
function rangesToSet(ranges: readonly string[], family: Family): IntervalSet {
  const key = family + JSON.stringify(ranges);
  return setCache.get(key) ?? remember(setCache, key, rangesToSetUncached(ranges, family));
}

function rangesToSetUncached(ranges: readonly string[], family: Family): IntervalSet {
  const spans: Array<[bigint, bigint]> = [];
  for (const range of ranges) {
    const parsed = parseCidr(range);
    if (parsed && parsed.family === family) spans.push([parsed.start, parsed.end]);
  }
  return normalise(family, spans);
}

function intersect(a: IntervalSet, b: IntervalSet): IntervalSet {
  const spans: Array<[bigint, bigint]> = [];
  let i = 0;
  let j = 0;
  while (i < a.spans.length && j < b.spans.length) {
    const [aStart, aEnd] = a.spans[i]!;
    const [bStart, bEnd] = b.spans[j]!;
    const start = aStart > bStart ? aStart : bStart;
    const end = aEnd < bEnd ? aEnd : bEnd;
    if (start <= end) spans.push([start, end]);
    if (aEnd < bEnd) i++;
    else j++;
  }
  return { family: a.family, spans };
}

function subtract(a: IntervalSet, b: IntervalSet): IntervalSet {
  const spans: Array<[bigint, bigint]> = [];
  for (const [aStart, aEnd] of a.spans) {
    let cursor = aStart;
    for (const [bStart, bEnd] of b.spans) {
      if (bEnd < cursor) continue;
      if (bStart > aEnd) break;
      if (bStart > cursor) spans.push([cursor, bStart - 1n]);
      cursor = bEnd + 1n;
      if (cursor > aEnd) break;
    }
    if (cursor <= aEnd) spans.push([cursor, aEnd]);
  }
  return { family: a.family, spans };
}

function isEmpty(set: IntervalSet): boolean {
  return set.spans.length === 0;
}

/** The fewest CIDR blocks that exactly cover the set. */
function toCidrs(set: IntervalSet): string[] {
  const bits = FAMILY_BITS[set.family];
  const cidrs: string[] = [];
  for (const [spanStart, spanEnd] of set.spans) {
    let start = spanStart;
    while (start <= spanEnd) {
      // Largest block aligned at `start` that stays inside the span.
      let hostBits = 0;
      while (hostBits < bits) {
        const size = 1n << BigInt(hostBits + 1);
        if (start % size !== 0n || start + size - 1n > spanEnd) break;
        hostBits++;
      }
      cidrs.push(`${bigintToAddress(start, set.family)}/${bits - hostBits}`);
      start += 1n << BigInt(hostBits);
    }
  }
  return cidrs;
}

// ---------------------------------------------------------------------------
// Rule matching

const PROTOCOL_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, esp: 50, ah: 51, sctp: 132, ipip: 4 };

/** Protocol as a number when known, else the lower-cased name; `all` stays `all`. */
function protocolKey(protocol: string): string {
  const lower = protocol.trim().toLowerCase();
  if (lower === 'all') return 'all';
  if (/^\d+$/.test(lower)) return String(Number(lower));
  const number = PROTOCOL_NUMBERS[lower];
  return number === undefined ? lower : String(number);
}

/** Whether one "80" / "30000-32767" entry list (absent or empty = all) contains `port`. */
function portsContain(ports: readonly string[] | undefined, port: number): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((entry) => {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(entry);
    if (!match) return false;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    return port >= low && port <= high;
  });
}

function protocolPortMatches(
  entries: ReadonlyArray<{ protocol: string; ports?: readonly string[] }>,
  protocol: string,
  port: number,
): boolean {
  const wanted = protocolKey(protocol);
  return entries.some((entry) => {
    const key = protocolKey(entry.protocol);
    if (key === 'all') return true;
    return key === wanted && portsContain(entry.ports, port);
  });
}

/** Last path segment of a network URL ("…/global/networks/vpc" → "vpc"). */
export function networkName(network: string): string {
  const trimmed = network.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function sameNetwork(ruleNetwork: string | undefined, queryNetwork: string | undefined): boolean {
  // A rule without a network (hand-written fixtures, partial dumps) cannot be ruled out.
  if (!queryNetwork || !ruleNetwork) return true;
  return networkName(ruleNetwork) === networkName(queryNetwork);
}

function sameAccount(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function vpcTargetMatches(rule: GcpFirewall, target: FirewallTarget): boolean {
  const tags = rule.targetTags ?? [];
  const accounts = rule.targetServiceAccounts ?? [];
  if (tags.length === 0 && accounts.length === 0) return true;
  // The API forbids mixing both kinds; if a dump has both, either kind selecting the node counts.
  if (tags.some((tag) => target.tags.includes(tag))) return true;
  const account = target.serviceAccount;
  return account !== undefined && accounts.some((candidate) => sameAccount(candidate, account));
}

/** Source addresses of a VPC rule, in the query's family. Tags/SAs never match a probe. */
function vpcSourceSet(rule: GcpFirewall, family: Family): IntervalSet {
  const ranges = rule.sourceRanges ?? [];
  const hasOtherSources = (rule.sourceTags?.length ?? 0) > 0 || (rule.sourceServiceAccounts?.length ?? 0) > 0;
  if (ranges.length === 0 && !hasOtherSources) {
    // The API stores 0.0.0.0/0 for an ingress rule created without any source.
    return rangesToSet(['0.0.0.0/0'], family);
  }
  return rangesToSet(ranges, family);
}

function destinationMatches(destRanges: readonly string[] | undefined, destination: string | undefined): boolean {
  if (!destRanges || destRanges.length === 0 || destination === undefined) return true;
  const parsed = parseCidr(destination);
  if (!parsed) return true;
  const set = rangesToSet(destRanges, parsed.family);
  return !isEmpty(intersect(set, { family: parsed.family, spans: [[parsed.start, parsed.end]] }));
}

/** A string array field the shared GcpFirewall type does not declare; anything else reads as absent. */
function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

function isIngress(direction: string | undefined): boolean {
  return direction === undefined || direction.toUpperCase() === 'INGRESS';
}

type VpcAction = 'allow' | 'deny';

function vpcAction(rule: GcpFirewall): { action: VpcAction; entries: Array<{ protocol: string; ports?: string[] }> } {
  if (rule.denied && rule.denied.length > 0) {
    return { action: 'deny', entries: rule.denied.map((d) => ({ protocol: d.IPProtocol, ports: d.ports })) };
  }
  return { action: 'allow', entries: (rule.allowed ?? []).map((a) => ({ protocol: a.IPProtocol, ports: a.ports })) };
}

function describeRule(rule: GcpFirewall): string {
  return `"${rule.name}" (priority ${rule.priority ?? DEFAULT_PRIORITY})`;
}

function describePolicyRule(ref: PolicyRuleRef): string {
  const policyName = ref.policy.displayName ?? ref.policy.name;
  const ruleName = ref.rule.ruleName ? `"${ref.rule.ruleName}" ` : '';
  return `${ruleName}priority ${ref.rule.priority} of firewall policy "${policyName}"`;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

// ---------------------------------------------------------------------------
// Evaluation

/** Rules of one VPC, in effective order, for the traffic described by `query`. */
function orderedVpcRules(firewalls: readonly GcpFirewall[], query: FirewallQuery): GcpFirewall[] {
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

function policyTargetMatches(rule: FirewallPolicyRule, query: FirewallQuery): boolean {
  const accounts = rule.targetServiceAccounts ?? [];
  if (accounts.length > 0) {
    const account = query.target.serviceAccount;
    if (account === undefined || !accounts.some((candidate) => sameAccount(candidate, account))) return false;
  }
  const secureTags = rule.targetSecureTags ?? [];
  if (secureTags.length > 0) {
    const nodeTags = query.target.secureTags ?? [];
    if (!secureTags.some((tag) => nodeTags.includes(tag.name))) return false;
  }
  const resources = rule.targetResources ?? [];
  if (resources.length > 0 && query.network) {
    const network = query.network;
    if (!resources.some((resource) => sameNetwork(resource, network))) return false;
  }
  return true;
}

function policyRuleSource(rule: FirewallPolicyRule, family: Family): IntervalSet {
  return rangesToSet(rule.match?.srcIpRanges ?? [], family);
}

function policyRuleL4Matches(rule: FirewallPolicyRule, protocol: string, port: number): boolean {
  const configs = rule.match?.layer4Configs ?? [];
  // Firewall policy rules require layer4Configs; an absent list is read as "all".
  if (configs.length === 0) return true;
  return protocolPortMatches(
    configs.map((config) => ({ protocol: config.ipProtocol, ports: config.ports })),
    protocol,
    port,
  );
}

function evaluate(
  policies: readonly FirewallPolicy[],
  firewalls: readonly GcpFirewall[],
  query: FirewallQuery,
): FirewallVerdict {
  const source = parseCidr(query.sourceRange);
  if (!source) throw new Error(`Not a CIDR range or IP address: ${JSON.stringify(query.sourceRange)}`);
  const protocol = query.protocol ?? 'tcp';
  const family = source.family;
  const whole: IntervalSet = { family, spans: [[source.start, source.end]] };
  const what = `${protocol.toLowerCase()} port ${query.port}`;

  let undecided = whole;
  const allowedByPolicy: PolicyRuleRef[] = [];

  // 1. Firewall policies, in the order given.
  for (const policy of policies) {
    if (isEmpty(undecided)) break;
    // Addresses that have hit goto_next skip the rest of this policy.
    let pending = undecided;
    const rules = (policy.rules ?? [])
      .filter((rule) => isIngress(rule.direction) && rule.disabled !== true)
      .filter((rule) => policyTargetMatches(rule, query))
      .filter((rule) => destinationMatches(rule.match?.destIpRanges, query.destination))
      .filter((rule) => policyRuleL4Matches(rule, protocol, query.port))
      .sort((a, b) => a.priority - b.priority);
    for (const rule of rules) {
      if (isEmpty(pending)) break;
      const hit = intersect(pending, policyRuleSource(rule, family));
      if (isEmpty(hit)) continue;
      const ref: PolicyRuleRef = { policy, rule };
      const action = rule.action.toLowerCase();
      if (action === 'deny') {
        return {
          allowed: false,
          blockedByPolicyRule: ref,
          blockedRanges: toCidrs(hit),
          reason: `Traffic from ${query.sourceRange} to ${what} is blocked by deny rule ${describePolicyRule(ref)}.`,
        };
      }
      pending = subtract(pending, hit);
      if (action === 'goto_next') continue;
      // allow, apply_security_profile_group and unknown non-deny actions let the traffic through.
      undecided = subtract(undecided, hit);
      allowedByPolicy.push(ref);
    }
  }

  if (isEmpty(undecided)) {
    return {
      allowed: true,
      rules: [],
      policyRules: allowedByPolicy,
      reason: `Traffic from ${query.sourceRange} to ${what} is allowed by ${joinWords(allowedByPolicy.map(describePolicyRule))}.`,
    };
  }

  // 2. VPC firewall rules.
  const decidingAllows: GcpFirewall[] = [];
  const nearMisses: GcpFirewall[] = [];
  for (const rule of orderedVpcRules(firewalls, query)) {
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
      const earlier = [...decidingAllows.map(describeRule), ...allowedByPolicy.map(describePolicyRule)];
      if (earlier.length > 0) verdict.reason = verdict.reason.replace(/\.$/, `; ${joinWords(earlier)} ${earlier.length > 1 ? 'allow' : 'allows'} only other parts.`);
      return verdict;
    }
    undecided = subtract(undecided, hit);
    decidingAllows.push(rule);
    if (isEmpty(undecided)) {
      const deciders = [...decidingAllows.map(describeRule), ...allowedByPolicy.map(describePolicyRule)];
      const allowed: FirewallAllowed = {
        allowed: true,
        rules: decidingAllows,
        reason: `Traffic from ${query.sourceRange} to ${what} is allowed by ${deciders.length > 1 ? 'rules' : 'rule'} ${joinWords(deciders)}.`,
      };
      if (allowedByPolicy.length > 0) allowed.policyRules = allowedByPolicy;
      return allowed;
    }
  }

  // 3. Implied deny for whatever is left.
  const uncovered = toCidrs(undecided);
  const partly = !(uncovered.length === 1 && uncovered[0] === toCidrs(whole)[0]);
  const deciders = [...decidingAllows.map(describeRule), ...allowedByPolicy.map(describePolicyRule)];
  let reason = partly
    ? `No firewall rule allows ${what} from ${joinWords(uncovered)} (part of ${query.sourceRange}); ${joinWords(deciders)} ${deciders.length > 1 ? 'cover' : 'covers'} only the rest, so the implied deny blocks it.`
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
  return verdict;
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
 * Like evaluateFirewallIngress, with firewall policies evaluated first.
 * `policies` are in enforcement order: hierarchical policies from the
 * organization down to the folder nearest the project, then the network's
 * global and regional policies.
 */
export function evaluateFirewallIngressWithPolicies(
  policies: readonly FirewallPolicy[],
  firewalls: readonly GcpFirewall[],
  query: FirewallQuery,
): FirewallVerdict {
  return evaluate(policies, firewalls, query);
}

export interface FirewallMatrixInput {
  sourceRanges: readonly string[];
  ports: readonly number[];
  targets: readonly FirewallTarget[];
  protocol?: string;
  network?: string;
  policies?: readonly FirewallPolicy[];
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
        entries.push({ sourceRange, port, target, verdict: evaluate(input.policies ?? [], firewalls, query) });
      }
    }
  }
  return entries;
}
