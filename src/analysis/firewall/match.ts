/**
 * Whether a VPC firewall rule or a firewall policy rule matches INGRESS
 * traffic from the load balancer's health checkers to a node: direction,
 * network, source range, protocol and port, destination address, and target
 * (network tags, service account, secure tags).
 *
 * VPC firewall rules:
 *   - only enabled INGRESS rules on the queried network apply;
 *   - probes carry no network tags or service accounts, so only
 *     `sourceRanges` can match a probe; a rule with no source at all gets
 *     0.0.0.0/0 (what the API fills in for ingress rules);
 *   - targets: no targetTags/targetServiceAccounts = every instance.
 *
 * Limits, knowingly accepted:
 *   - `destinationRanges` / `match.destIpRanges` are honoured only when the
 *     query names a destination address; otherwise they are treated as matching.
 *   - What negdoctor cannot know is never guessed: policy sources other than
 *     `srcIpRanges` (address groups, FQDNs, geolocations, threat intelligence,
 *     source networks) are not expanded, and a target by secure tag or by
 *     service account is resolved only when the query knows the node's secure
 *     tags / service account. Such a rule is taken as not matching for the
 *     unknown part, and the verdict lists it in `unknowns`.
 *   - logging and other rule attributes are ignored.
 *   - Networks are compared by their last path segment only, so two networks
 *     with the same name in different (Shared VPC) projects are not told apart.
 */
import type { GcpFirewall } from '../../snapshot/types.js';
import { joinWords } from '../../util/text.js';
import { intersect, isEmpty, parseCidr, rangesToSet, type Family, type IntervalSet } from './address-ranges.js';

/** The node (instance) a probe is addressed to, as firewall targets see it. */
export interface FirewallTarget {
  /** Network tags of the node (node pool `config.tags`). */
  tags: readonly string[];
  /** The node's service account e-mail; undefined = unknown (e.g. the Compute Engine default account, whose e-mail is not known). */
  serviceAccount?: string;
  /**
   * Secure tags bound to the node, for firewall policies (tag value names,
   * `tagValues/123`). Undefined = unknown: rules targeting secure tags are
   * then not resolved (see `unknowns`); [] = known to carry none.
   */
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

export function protocolPortMatches(
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

export function sameNetwork(ruleNetwork: string | undefined, queryNetwork: string | undefined): boolean {
  // A rule without a network (hand-written fixtures, partial dumps) cannot be ruled out.
  if (!queryNetwork || !ruleNetwork) return true;
  return networkName(ruleNetwork) === networkName(queryNetwork);
}

function sameAccount(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function vpcTargetMatches(rule: GcpFirewall, target: FirewallTarget): boolean {
  const tags = rule.targetTags ?? [];
  const accounts = rule.targetServiceAccounts ?? [];
  if (tags.length === 0 && accounts.length === 0) return true;
  // The API forbids mixing both kinds; if a dump has both, either kind selecting the node counts.
  if (tags.some((tag) => target.tags.includes(tag))) return true;
  const account = target.serviceAccount;
  return account !== undefined && accounts.some((candidate) => sameAccount(candidate, account));
}

/** Source addresses of a VPC rule, in the query's family. Tags/SAs never match a probe. */
export function vpcSourceSet(rule: GcpFirewall, family: Family): IntervalSet {
  const ranges = rule.sourceRanges ?? [];
  const hasOtherSources = (rule.sourceTags?.length ?? 0) > 0 || (rule.sourceServiceAccounts?.length ?? 0) > 0;
  if (ranges.length === 0 && !hasOtherSources) {
    // The API stores 0.0.0.0/0 for an ingress rule created without any source.
    return rangesToSet(['0.0.0.0/0'], family);
  }
  return rangesToSet(ranges, family);
}

export function destinationMatches(destRanges: readonly string[] | undefined, destination: string | undefined): boolean {
  if (!destRanges || destRanges.length === 0 || destination === undefined) return true;
  const parsed = parseCidr(destination);
  if (!parsed) return true;
  const set = rangesToSet(destRanges, parsed.family);
  return !isEmpty(intersect(set, { family: parsed.family, spans: [[parsed.start, parsed.end]] }));
}

/** A string array field the shared GcpFirewall type does not declare; anything else reads as absent. */
export function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

export function isIngress(direction: string | undefined): boolean {
  return direction === undefined || direction.toUpperCase() === 'INGRESS';
}

type VpcAction = 'allow' | 'deny';

export function vpcAction(rule: GcpFirewall): { action: VpcAction; entries: Array<{ protocol: string; ports?: string[] }> } {
  if (rule.denied && rule.denied.length > 0) {
    return { action: 'deny', entries: rule.denied.map((d) => ({ protocol: d.IPProtocol, ports: d.ports })) };
  }
  return { action: 'allow', entries: (rule.allowed ?? []).map((a) => ({ protocol: a.IPProtocol, ports: a.ports })) };
}

/** Whether a policy rule targets the node: true, false, or a sentence saying what could not be resolved. */
export function policyTargetMatches(rule: FirewallPolicyRule, query: FirewallQuery): true | false | string {
  const resources = rule.targetResources ?? [];
  if (resources.length > 0 && query.network) {
    const network = query.network;
    if (!resources.some((resource) => sameNetwork(resource, network))) return false;
  }
  const accounts = rule.targetServiceAccounts ?? [];
  const secureTags = rule.targetSecureTags ?? [];
  const unknown: string[] = [];
  if (accounts.length > 0) {
    const account = query.target.serviceAccount;
    if (account === undefined) unknown.push(`service account ${joinWords(accounts)} (the nodes' service account is not known)`);
    else if (!accounts.some((candidate) => sameAccount(candidate, account))) return false;
  }
  if (secureTags.length > 0) {
    const nodeTags = query.target.secureTags;
    if (nodeTags === undefined) unknown.push(`secure tag ${joinWords(secureTags.map((tag) => tag.name))} (the secure tags bound to the nodes are not known)`);
    else if (!secureTags.some((tag) => nodeTags.includes(tag.name))) return false;
  }
  return unknown.length ? `targets ${joinWords(unknown)}` : true;
}

/** Source fields negdoctor cannot expand into addresses. */
const UNRESOLVED_SOURCES: ReadonlyArray<[string, string]> = [
  ['srcAddressGroups', 'address groups'],
  ['srcFqdns', 'FQDNs'],
  ['srcRegionCodes', 'geolocations'],
  ['srcThreatIntelligences', 'threat-intelligence lists'],
  ['srcNetworks', 'source networks'],
  ['srcNetworkType', 'a source network type'],
];

export function unresolvedSources(rule: FirewallPolicyRule): string[] {
  const match = rule.match ?? {};
  return UNRESOLVED_SOURCES.filter(([field]) => {
    const value = match[field];
    return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value !== '' && value !== 'UNSPECIFIED';
  }).map(([, words]) => words);
}

export function policyRuleSource(rule: FirewallPolicyRule, family: Family): IntervalSet {
  return rangesToSet(rule.match?.srcIpRanges ?? [], family);
}

export function policyRuleL4Matches(rule: FirewallPolicyRule, protocol: string, port: number): boolean {
  const configs = rule.match?.layer4Configs ?? [];
  // Firewall policy rules require layer4Configs; an absent list is read as "all".
  if (configs.length === 0) return true;
  return protocolPortMatches(
    configs.map((config) => ({ protocol: config.ipProtocol, ports: config.ports })),
    protocol,
    port,
  );
}
