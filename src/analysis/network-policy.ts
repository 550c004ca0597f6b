/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) evaluation for traffic that
 * comes from outside the cluster — the load balancer's health checkers and
 * proxies — to a pod port.
 *
 * Inputs are plain objects parsed from YAML, so every field may hold any type:
 * nothing here throws; a malformed field is read as absent and described in
 * `problems` so a caller can tell "denied" from "could not tell".
 *
 * Semantics follow the API reference and the upstream conformance behaviour:
 * - a policy selects pods of its own namespace whose labels match
 *   `spec.podSelector` (absent or `{}` = every pod);
 * - `policyTypes` empty or absent defaults to Ingress, plus Egress when the
 *   policy has egress rules; a pod is isolated for ingress once any selecting
 *   policy has type Ingress;
 * - allowed traffic is the union of every rule of every selecting policy;
 * - `from` absent/empty = every source, `ports` absent/empty = every port;
 * - namespaceSelector/podSelector peers only ever match pods of this
 *   cluster, never an external source range, so only `ipBlock` peers can
 *   admit the load balancer's ranges.
 */
import type ipaddr from 'ipaddr.js';
import { ipaddrLib } from '../util/lazy.js';

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(policy: Rec): string {
  const metadata = policy['metadata'];
  const name = isRecord(metadata) ? metadata['name'] : undefined;
  return typeof name === 'string' && name !== '' ? name : '<unnamed>';
}

/** Objects without a namespace land in `default` when applied without `-n`. */
function namespaceOf(obj: Rec): string {
  const metadata = obj['metadata'];
  const namespace = isRecord(metadata) ? metadata['namespace'] : undefined;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

// ---------------------------------------------------------------------------
// Label selectors

/** The pod a question is about: its namespace, labels and containers (for named ports). */
export interface PodInfo {
  namespace: string;
  /** `metadata.labels`; non-string values are ignored. */
  labels?: unknown;
  /** `spec.containers`, used to resolve named ports. */
  containers?: unknown;
}

/** Builds a PodInfo from a Pod or a pod template (`{metadata, spec}`). */
export function podInfoFromTemplate(podOrTemplate: unknown, namespace?: string): PodInfo {
  const rec = isRecord(podOrTemplate) ? podOrTemplate : {};
  const metadata = isRecord(rec['metadata']) ? rec['metadata'] : {};
  const spec = isRecord(rec['spec']) ? rec['spec'] : {};
  const ownNamespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
  return {
    namespace: namespace ?? ownNamespace ?? 'default',
    labels: metadata['labels'],
    containers: spec['containers'],
  };
}

function stringLabels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

interface SelectorResult {
  matches: boolean;
  /** Set when the selector is malformed; the API server would have rejected it. */
  problem?: string;
}

function evaluateSelector(selector: unknown, labels: Record<string, string>): SelectorResult {
  // Absent (or null) is the empty selector: Go decodes a missing struct as its zero value.
  if (selector === undefined || selector === null) return { matches: true };
  if (!isRecord(selector)) return { matches: false, problem: 'selector is not an object' };

  const matchLabels = selector['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) return { matches: false, problem: 'matchLabels is not an object' };
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') {
        return { matches: false, problem: `matchLabels value of "${key}" is not a string` };
      }
      if (labels[key] !== value) return { matches: false };
    }
  }

  const expressions = selector['matchExpressions'];
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) return { matches: false, problem: 'matchExpressions is not a list' };
    for (const [index, expression] of expressions.entries()) {
      if (!isRecord(expression) || typeof expression['key'] !== 'string') {
        return { matches: false, problem: `matchExpressions[${index}] has no string key` };
      }
      const key = expression['key'];
      const operator = expression['operator'];
      const rawValues = expression['values'];
      const values = Array.isArray(rawValues) ? rawValues.filter((v): v is string => typeof v === 'string') : [];
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      switch (operator) {
        case 'In':
        case 'NotIn': {
          if (values.length === 0) {
            return { matches: false, problem: `matchExpressions[${index}] (${operator}) needs a non-empty values list` };
          }
          const inValues = has && values.includes(labels[key] as string);
          if (operator === 'In' ? !inValues : inValues) return { matches: false };
          break;
        }
        case 'Exists':
          if (!has) return { matches: false };
          break;
        case 'DoesNotExist':
          if (has) return { matches: false };
          break;
        default:
          return { matches: false, problem: `matchExpressions[${index}] has unknown operator ${JSON.stringify(operator)}` };
      }
    }
  }
  return { matches: true };
}

/**
 * Whether a metav1.LabelSelector matches the labels. An absent or empty
 * selector matches everything; a malformed one (which the API server would
 * reject) matches nothing.
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  return evaluateSelector(selector, labels).matches;
}

function isNetworkPolicy(value: unknown): value is Rec {
  if (!isRecord(value)) return false;
  const kind = value['kind'];
  return kind === undefined || kind === 'NetworkPolicy';
}

function selectsPod(policy: Rec, pod: PodInfo, problems?: string[]): boolean {
  if (namespaceOf(policy) !== pod.namespace) return false;
  const spec = policy['spec'];
  const selector = isRecord(spec) ? spec['podSelector'] : undefined;
  const result = evaluateSelector(selector, stringLabels(pod.labels));
  if (result.problem && problems) problems.push(`NetworkPolicy ${nameOf(policy)}: spec.podSelector ${result.problem}; treated as selecting no pod`);
  return result.matches;
}

/** Whether this NetworkPolicy selects the pod (same namespace, podSelector matches). */
export function policySelectsPod(policy: unknown, pod: PodInfo): boolean {
  return isNetworkPolicy(policy) && selectsPod(policy, pod);
}

/** The NetworkPolicies among `policies` that select the pod, in input order. */
export function policiesSelectingPod(policies: readonly unknown[], pod: PodInfo): Rec[] {
  return policies.filter((policy): policy is Rec => policySelectsPod(policy, pod));
}

/**
 * The directions a policy isolates. Empty or absent `policyTypes` defaults to
 * Ingress, plus Egress when the policy has egress rules (the API server's
 * defaulting); a non-list is treated as absent.
 */
export function policyTypesOf(policy: unknown): { ingress: boolean; egress: boolean } {
  const spec = isRecord(policy) && isRecord(policy['spec']) ? policy['spec'] : {};
  const types = spec['policyTypes'];
  if (Array.isArray(types) && types.length > 0) {
    return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
  }
  const egress = spec['egress'];
  return { ingress: true, egress: Array.isArray(egress) && egress.length > 0 };
}

/** Whether any policy selecting the pod isolates it for ingress. */
export function isIsolatedForIngress(policies: readonly unknown[], pod: PodInfo): boolean {
  return policiesSelectingPod(policies, pod).some((policy) => policyTypesOf(policy).ingress);
}

// ---------------------------------------------------------------------------
// Address intervals. Addresses are bigints so IPv4 and IPv6 share one code
// path; a "whole range admitted" question needs real set arithmetic because
// `except` blocks and partially overlapping rules can leave holes.

type Family = 4 | 6;

interface Interval {
  start: bigint;
  end: bigint; // inclusive
}

interface AddressRange extends Interval {
  family: Family;
}

function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128;
}

function bytesToBigint(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Parses `a.b.c.d/n`, `x::/n`, or (when allowed) a bare address as a host range. */
function parseRange(text: unknown, allowBareAddress: boolean): AddressRange | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  try {
    if (trimmed.includes('/')) {
      [address, prefix] = ipaddrLib().parseCIDR(trimmed);
    } else if (allowBareAddress && ipaddrLib().isValid(trimmed)) {
      address = ipaddrLib().parse(trimmed);
      prefix = address.kind() === 'ipv4' ? 32 : 128;
    } else {
      return undefined;
    }
  } catch {
    return undefined;
  }
  const family: Family = address.kind() === 'ipv4' ? 4 : 6;
  const bits = bitsOf(family);
  const hostBits = BigInt(bits - prefix);
  const value = bytesToBigint(address.toByteArray());
  // Host bits set in the CIDR (10.1.2.3/8) are masked off, as the dataplane does.
  const start = (value >> hostBits) << hostBits;
  return { family, start, end: start + (1n << hostBits) - 1n };
}

function formatAddress(family: Family, value: bigint): string {
  const byteCount = family === 4 ? 4 : 16;
  const bytes: number[] = [];
  for (let i = byteCount - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  const address = ipaddrLib().fromByteArray(bytes);
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

/** The smallest list of CIDR blocks that exactly covers [start, end]. */
function intervalToCidrs(family: Family, interval: Interval): string[] {
  const bits = bitsOf(family);
  const out: string[] = [];
  let start = interval.start;
  while (start <= interval.end) {
    let size = 0;
    // Grow the block while it stays aligned at `start` and inside the interval.
    while (size < bits) {
      const next = size + 1;
      const blockSize = 1n << BigInt(next);
      if (start % blockSize !== 0n || start + blockSize - 1n > interval.end) break;
      size = next;
    }
    out.push(`${formatAddress(family, start)}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

function normalize(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  for (const interval of sorted) {
    const last = out[out.length - 1];
    if (last && interval.start <= last.end + 1n) {
      if (interval.end > last.end) last.end = interval.end;
    } else {
      out.push({ ...interval });
    }
  }
  return out;
}

function subtract(from: Interval[], remove: Interval[]): Interval[] {
  let current = normalize(from);
  for (const cut of normalize(remove)) {
    const next: Interval[] = [];
    for (const interval of current) {
      if (cut.end < interval.start || cut.start > interval.end) {
        next.push(interval);
        continue;
      }
      if (cut.start > interval.start) next.push({ start: interval.start, end: cut.start - 1n });
      if (cut.end < interval.end) next.push({ start: cut.end + 1n, end: interval.end });
    }
    current = next;
  }
  return current;
}

function intersects(a: Interval[], b: Interval[]): boolean {
  return a.some((x) => b.some((y) => x.start <= y.end && y.start <= x.end));
}

// ---------------------------------------------------------------------------
// Ingress rules

export interface IngressQuery {
  /** Source ranges that must ALL be admitted, e.g. the health-check ranges. */
  ranges: readonly string[];
  /** Destination port on the pod (the container port traffic arrives on). */
  port: number;
  /** Destination protocol; default TCP (load-balancer health checks are TCP). */
  protocol?: string;
}

export interface RuleRef {
  policy: string;
  /** Index into `spec.ingress`. */
  ruleIndex: number;
}

export interface IngressVerdict {
  /** Some selecting policy isolates the pod for ingress. */
  isolated: boolean;
  /** Names of the policies that select the pod (whatever their types). */
  policies: string[];
  /** Every queried range may reach the port (always true when not isolated). */
  admitted: boolean;
  /**
   * When admitted under isolation: the first rule that alone admits every
   * range, or else the first of the rules that together admit them.
   */
  admittedBy?: RuleRef;
  /** Every rule that admits some part of the queried ranges, in policy order. */
  admittedByRules?: RuleRef[];
  /** CIDR blocks of the queried ranges that no rule admits (only when isolated). */
  uncovered?: string[];
  /** The queried ranges, as given, that are not wholly admitted. */
  uncoveredRanges?: string[];
  /** Malformed fields met on the way (read as absent) and unparsable query ranges. */
  problems: string[];
}

/** Resolves a named port through the pod's containers; protocol must match too. */
function resolveNamedPort(containers: unknown, name: string, protocol: string): number | undefined {
  if (!Array.isArray(containers)) return undefined;
  for (const container of containers) {
    if (!isRecord(container) || !Array.isArray(container['ports'])) continue;
    for (const port of container['ports']) {
      if (!isRecord(port) || port['name'] !== name) continue;
      const portProtocol = typeof port['protocol'] === 'string' ? port['protocol'].toUpperCase() : 'TCP';
      const number = port['containerPort'];
      if (portProtocol === protocol && typeof number === 'number') return number;
    }
  }
  return undefined;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Whether a rule's `ports` admits the queried port; pushes problems for malformed entries. */
function rulePortsAdmit(
  ports: unknown,
  pod: PodInfo,
  port: number,
  protocol: string,
  where: string,
  problems: string[],
): boolean {
  if (ports === undefined || ports === null) return true;
  if (!Array.isArray(ports)) {
    problems.push(`${where}.ports is not a list; read as absent (every port)`);
    return true;
  }
  if (ports.length === 0) return true;
  for (const [index, entry] of ports.entries()) {
    const at = `${where}.ports[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${at} is not an object`);
      continue;
    }
    const rawProtocol = entry['protocol'];
    const entryProtocol = typeof rawProtocol === 'string' ? rawProtocol.toUpperCase() : 'TCP';
    if (entryProtocol !== protocol) continue;
    const entryPort = entry['port'];
    const endPort = entry['endPort'];
    if (entryPort === undefined || entryPort === null) return true; // every port of that protocol
    if (typeof entryPort === 'string') {
      if (endPort !== undefined) problems.push(`${at}: endPort needs a numeric port; ignored`);
      const resolved = resolveNamedPort(pod.containers, entryPort, entryProtocol);
      if (resolved === undefined) {
        problems.push(`${at}: named port "${entryPort}" is not a ${entryProtocol} port of the pod's containers`);
      } else if (resolved === port) {
        return true;
      }
      continue;
    }
    if (!isPort(entryPort)) {
      problems.push(`${at}.port ${JSON.stringify(entryPort)} is not a port number or name`);
      continue;
    }
    if (endPort === undefined || endPort === null) {
      if (entryPort === port) return true;
      continue;
    }
    if (!isPort(endPort) || endPort < entryPort) {
      problems.push(`${at}.endPort ${JSON.stringify(endPort)} is not a port ≥ port ${entryPort}; read as port alone`);
      if (entryPort === port) return true;
      continue;
    }
    if (port >= entryPort && port <= endPort) return true;
  }
  return false;
}

/**
 * The address intervals (of `family`) a rule's `from` admits; `'all'` when
 * every source is admitted.
 */
function ruleSources(from: unknown, family: Family, where: string, problems: string[]): Interval[] | 'all' {
  if (from === undefined || from === null) return 'all';
  if (!Array.isArray(from)) {
    problems.push(`${where}.from is not a list; read as absent (every source)`);
    return 'all';
  }
  if (from.length === 0) return 'all';
  const admitted: Interval[] = [];
  for (const [index, peer] of from.entries()) {
    const at = `${where}.from[${index}]`;
    if (!isRecord(peer)) {
      problems.push(`${at} is not an object`);
      continue;
    }
    const ipBlock = peer['ipBlock'];
    if (ipBlock === undefined || ipBlock === null) continue; // pod/namespace peers: in-cluster only
    if (peer['podSelector'] !== undefined || peer['namespaceSelector'] !== undefined) {
      problems.push(`${at} combines ipBlock with a selector, which the API server rejects`);
    }
    if (!isRecord(ipBlock)) {
      problems.push(`${at}.ipBlock is not an object`);
      continue;
    }
    const cidr = parseRange(ipBlock['cidr'], false);
    if (!cidr) {
      problems.push(`${at}.ipBlock.cidr ${JSON.stringify(ipBlock['cidr'])} is not a CIDR`);
      continue;
    }
    if (cidr.family !== family) continue;
    const excepts: Interval[] = [];
    const rawExcept = ipBlock['except'];
    if (rawExcept !== undefined && rawExcept !== null && !Array.isArray(rawExcept)) {
      problems.push(`${at}.ipBlock.except is not a list; ignored`);
    }
    for (const text of Array.isArray(rawExcept) ? rawExcept : []) {
      const range = parseRange(text, false);
      if (!range) problems.push(`${at}.ipBlock.except entry ${JSON.stringify(text)} is not a CIDR`);
      else if (range.family === family) excepts.push(range);
    }
    admitted.push(...subtract([cidr], excepts));
  }
  return normalize(admitted);
}

/**
 * Whether traffic from every one of `query.ranges` may reach `query.port` on
 * the pod, given all NetworkPolicies in `policies` (any namespace; those of
 * other namespaces or not selecting the pod are ignored).
 */
export function evaluateIngress(policies: readonly unknown[], pod: PodInfo, query: IngressQuery): IngressVerdict {
  const problems: string[] = [];
  const selecting = policies.filter(
    (policy): policy is Rec => isNetworkPolicy(policy) && selectsPod(policy, pod, problems),
  );
  const names = selecting.map(nameOf);
  const ingressPolicies = selecting.filter((policy) => policyTypesOf(policy).ingress);

  const requested: Array<{ text: string; range: AddressRange }> = [];
  for (const text of query.ranges) {
    const range = parseRange(text, true);
    if (range) requested.push({ text, range });
    else problems.push(`source range ${JSON.stringify(text)} is not a CIDR; not evaluated`);
  }

  if (ingressPolicies.length === 0) {
    return { isolated: false, policies: names, admitted: true, problems };
  }

  const protocol = (query.protocol ?? 'TCP').toUpperCase();
  const contributing: RuleRef[] = [];
  let wholeRule: RuleRef | undefined;
  // Each queried range keeps its own remainder so the answer can name it.
  const pending = requested.map(({ text, range }) => ({ text, range, left: [{ start: range.start, end: range.end }] }));
  const families = [...new Set(requested.map(({ range }) => range.family))];

  for (const policy of ingressPolicies) {
    const name = nameOf(policy);
    const spec = isRecord(policy['spec']) ? policy['spec'] : {};
    const rules = spec['ingress'];
    if (rules !== undefined && rules !== null && !Array.isArray(rules)) {
      problems.push(`NetworkPolicy ${name}: spec.ingress is not a list; read as no rules (deny all)`);
    }
    for (const [ruleIndex, rule] of (Array.isArray(rules) ? rules : []).entries()) {
      const where = `NetworkPolicy ${name}: spec.ingress[${ruleIndex}]`;
      if (!isRecord(rule)) {
        problems.push(`${where} is not an object`);
        continue;
      }
      if (!rulePortsAdmit(rule['ports'], pod, query.port, protocol, where, problems)) continue;
      const sourcesByFamily = new Map(families.map((family) => [family, ruleSources(rule['from'], family, where, problems)]));
      let contributes = false;
      let coversAll = pending.length > 0;
      for (const entry of pending) {
        const sources = sourcesByFamily.get(entry.range.family) ?? [];
        const admittedHere = sources === 'all' ? [entry.range] : sources;
        if (subtract([entry.range], admittedHere).length > 0) coversAll = false;
        if (intersects(entry.left, admittedHere)) {
          contributes = true;
          entry.left = subtract(entry.left, admittedHere);
        }
      }
      const ref = { policy: name, ruleIndex };
      if (contributes) contributing.push(ref);
      if (coversAll && !wholeRule) wholeRule = ref;
    }
  }

  const uncovered: string[] = [];
  const uncoveredRanges: string[] = [];
  for (const entry of pending) {
    if (entry.left.length === 0) continue;
    uncoveredRanges.push(entry.text);
    for (const interval of entry.left) uncovered.push(...intervalToCidrs(entry.range.family, interval));
  }
  const admitted = uncovered.length === 0;
  // A rule is read once per address family, so the same problem can repeat.
  const verdict: IngressVerdict = { isolated: true, policies: names, admitted, problems: [...new Set(problems)] };
  if (admitted) {
    const by = wholeRule ?? contributing[0];
    if (by) verdict.admittedBy = by;
    verdict.admittedByRules = contributing;
  } else {
    verdict.uncovered = uncovered;
    verdict.uncoveredRanges = uncoveredRanges;
    if (contributing.length > 0) verdict.admittedByRules = contributing;
  }
  return verdict;
}
