/**
 * What the firewall rules need to ask the evaluator about one cluster: the
 * node targets (network tags, service account, secure tags), the firewall
 * policies that apply to the cluster's network and region, the network's
 * policy enforcement order, and the words and gcloud command a finding
 * gives for a blocking verdict. Shared by firewall-health-check-blocked and
 * firewall-proxy-subnet-blocked.
 */
import { evaluateFirewallIngress, evaluateFirewallIngressWithPolicies } from '../analysis/firewall/evaluate.js';
import { networkName, type FirewallQuery, type FirewallTarget } from '../analysis/firewall/match.js';
import { policyType, type EnforcementOrder, type FirewallPolicy } from '../analysis/firewall/order.js';
import { describePolicy, type FirewallBlocked, type FirewallVerdict } from '../analysis/firewall/verdict.js';
import { selects, type ServicePort } from './services.js';
import type { NegService } from './index.js';
import { asRecords, asString, get, isRecord } from '../util/values.js';
import { namespaceOf } from './workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GcpFirewall, GcpSubnetwork, GkeCluster, Snapshot } from '../snapshot/types.js';
import { clusterNetwork } from './cluster-identity.js';
import { lastSegment } from '../util/text.js';
import type { FixStep } from '../findings.js';
import type { RuleContext } from './rule-contract.js';
import { livePods, podLabels, SERVICE_NAME_LABEL } from './pods.js';

export const POLICIES_NOT_EVALUATED = 'hierarchical and network firewall policies were not collected and not evaluated';

export interface NodeTarget {
  pools: string[];
  target: FirewallTarget;
}

/** The region of a cluster location: a zone (`us-central1-a`) gives its region, a region stays itself. */
export function regionOfLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(location);
  return zone ? zone[1]! : location;
}

/**
 * GKE gives every node the network tag `gke-<cluster>-<hash8>-node` (cluster
 * name shortened for long names); node pools' `config.tags` list only the
 * user's tags. The tag is not in the cluster resource, so it is taken from
 * the firewall rules that target it (the controller's `k8s-fw-l7--…` rule does).
 */
function autoNodeTags(cluster: GkeCluster, firewalls: readonly GcpFirewall[]): string[] {
  const tags = new Set<string>();
  for (const rule of firewalls) {
    for (const tag of rule.targetTags ?? []) {
      const match = /^gke-(.+)-[0-9a-f]{8}-node$/.exec(tag);
      if (!match) continue;
      const prefix = match[1]!;
      if (prefix === cluster.name || (prefix.length >= 20 && cluster.name.startsWith(prefix))) tags.add(tag);
    }
  }
  return [...tags];
}

/**
 * Secure tags of a pool's nodes, when the pool declares them as
 * `resourceManagerTags` in `tagValues/N` form. Otherwise unknown: tags can
 * also be bound at cluster level or on the instances directly.
 */
function poolSecureTags(config: { resourceManagerTags?: { tags?: Record<string, string> } } | undefined): string[] | undefined {
  const values = Object.values(config?.resourceManagerTags?.tags ?? {});
  if (values.length === 0 || !values.every((v) => /^tagValues\/\d+$/.test(v))) return undefined;
  return values.sort();
}

export function nodeTargets(cluster: GkeCluster, firewalls: readonly GcpFirewall[]): NodeTarget[] {
  const auto = autoNodeTags(cluster, firewalls);
  const byKey = new Map<string, NodeTarget>();
  const pools = cluster.nodePools?.length ? cluster.nodePools : [{ name: '(node pools unknown)' }];
  for (const pool of pools) {
    const config = (pool as { config?: NonNullable<GkeCluster['nodePools']>[number]['config'] }).config;
    const tags = [...new Set([...(config?.tags ?? []), ...auto])].sort();
    // "default" is the Compute Engine default service account, whose e-mail (PROJECT_NUMBER-compute@…) is not known here.
    const account = config?.serviceAccount && config.serviceAccount !== 'default' ? config.serviceAccount : undefined;
    const secureTags = poolSecureTags(config);
    const target: FirewallTarget = { tags, ...(account ? { serviceAccount: account } : {}), ...(secureTags ? { secureTags } : {}) };
    const key = JSON.stringify(target);
    const existing = byKey.get(key);
    if (existing) existing.pools.push(pool.name);
    else byKey.set(key, { pools: [pool.name], target });
  }
  return [...byKey.values()];
}

/** Whether a policy (from a describe dump, with `associations`) is attached to the network; policies from effective-firewalls answers always are. */
function attachedTo(policy: FirewallPolicy, network: string | undefined, region: string | undefined): boolean {
  const type = policyType(policy);
  if (type === 'NETWORK_REGIONAL' && region && typeof policy.region === 'string' && lastSegment(policy.region) !== region) return false;
  if (!network || !type.startsWith('NETWORK')) return true;
  const associations = Array.isArray(policy.associations) ? policy.associations.filter(isRecord) : [];
  const targets = associations.map((a) => a.attachmentTarget).filter((t): t is string => typeof t === 'string');
  return targets.length === 0 || targets.some((t) => networkName(t) === network);
}

export interface FirewallContext {
  firewalls: GcpFirewall[];
  network?: string;
  region?: string;
  targets: NodeTarget[];
  /** Undefined when the policies were not collected: evaluation is by VPC rules alone. */
  policies?: FirewallPolicy[];
  enforcementOrder: EnforcementOrder;
  /** Sentences about what was not known and how it was taken (order, regional policies…). */
  notes: string[];
  evaluate(query: FirewallQuery): FirewallVerdict;
  /** The same evaluation with other VPC rules (e.g. disabled rules enabled). */
  evaluateWith(firewalls: readonly GcpFirewall[], query: FirewallQuery): FirewallVerdict;
}

export function firewallContext(snapshot: Snapshot, cluster: GkeCluster): FirewallContext {
  const firewalls = snapshot.cloud?.firewalls ?? [];
  const network = clusterNetwork(cluster);
  const region = regionOfLocation(cluster.location);
  const notes: string[] = [];
  const collected = snapshot.data[DATA.gcpFirewallPolicies]?.state === 'collected';
  const policies = collected
    ? ((snapshot.cloud?.firewallPolicies ?? []).filter(isRecord) as unknown as FirewallPolicy[]).filter((p) => attachedTo(p, network, region))
    : undefined;
  const networkObject = (snapshot.cloud?.networks ?? []).find((n) => network !== undefined && n.name === network);
  const declared = networkObject?.networkFirewallPolicyEnforcementOrder;
  const enforcementOrder: EnforcementOrder = declared === 'BEFORE_CLASSIC_FIREWALL' ? 'BEFORE_CLASSIC_FIREWALL' : 'AFTER_CLASSIC_FIREWALL';
  if (policies?.some((p) => policyType(p).startsWith('NETWORK')) && !networkObject) {
    notes.push(`the network's policy enforcement order is unknown (network ${network ?? '?'} not read) and was taken as AFTER_CLASSIC_FIREWALL, the default`);
  }
  const availability = snapshot.data[DATA.gcpFirewallPolicies];
  if (!policies) {
    const hint = availability?.state === 'error' ? '' : `; give \`gcloud compute networks get-effective-firewalls ${network ?? 'NET'} --format=json\``;
    notes.push(`${POLICIES_NOT_EVALUATED}${availability?.reason ? ` (${availability.reason}${hint})` : ''}; only VPC firewall rules were judged`);
  }
  else if (availability?.reason) notes.push(availability.reason);
  const targets = nodeTargets(cluster, firewalls);
  return {
    firewalls,
    ...(network ? { network } : {}),
    ...(region ? { region } : {}),
    targets,
    ...(policies ? { policies } : {}),
    enforcementOrder,
    notes,
    evaluate(query) {
      return this.evaluateWith(firewalls, query);
    },
    evaluateWith(rules, query) {
      return policies ? evaluateFirewallIngressWithPolicies(policies, rules, query, enforcementOrder) : evaluateFirewallIngress(rules, query);
    },
  };
}

/**
 * The gcloud command that lets `ranges` reach `ports` past a blocking
 * policy rule: an allow one priority step ahead of it in the same policy.
 */
export function policyFixCommand(verdict: FirewallBlocked, ranges: readonly string[], ports: readonly number[], context: Pick<FirewallContext, 'region'>): string | undefined {
  const ref = verdict.blockedByPolicyRule;
  if (!ref) return undefined;
  const priority = Math.max(0, ref.rule.priority - 1);
  const common = `--action=allow --direction=INGRESS --src-ip-ranges=${ranges.join(',')} --layer4-configs=${ports.map((p) => `tcp:${p}`).join(',')}`;
  const type = policyType(ref.policy);
  if (type === 'HIERARCHY') {
    return `gcloud compute firewall-policies rules create ${priority} --firewall-policy=${ref.policy.name} ${common}`;
  }
  if (type === 'NETWORK') return `gcloud compute network-firewall-policies rules create ${priority} --firewall-policy=${ref.policy.name} --global-firewall-policy ${common}`;
  if (type === 'NETWORK_REGIONAL') {
    const region = typeof ref.policy.region === 'string' ? lastSegment(ref.policy.region) : context.region;
    return `gcloud compute network-firewall-policies rules create ${priority} --firewall-policy=${ref.policy.name} --firewall-policy-region=${region ?? 'REGION'} ${common}`;
  }
  return undefined;
}

/** The alternative fix for a hierarchical deny: pass the traffic on to the lower levels instead. */
export function gotoNextCommand(verdict: FirewallBlocked): string | undefined {
  const ref = verdict.blockedByPolicyRule;
  if (!ref || policyType(ref.policy) !== 'HIERARCHY') return undefined;
  return `gcloud compute firewall-policies rules update ${ref.rule.priority} --firewall-policy=${ref.policy.name} --action=goto_next`;
}

/** The policy that decided, named for evidence. */
export function decidingPolicy(verdict: FirewallBlocked): Record<string, unknown> | undefined {
  const ref = verdict.blockedByPolicyRule;
  if (!ref) return undefined;
  return {
    policy: describePolicy(ref.policy),
    type: policyType(ref.policy),
    rulePriority: ref.rule.priority,
    action: ref.rule.action,
    beforeVpcRules: ref.beforeVpc === true,
  };
}

/** The proxy-only subnets of one network and region that serve `purpose`, split by role. */
export function proxySubnetsOf(
  subnets: readonly GcpSubnetwork[],
  network: string,
  region: string,
  purpose: 'REGIONAL_MANAGED_PROXY' | 'GLOBAL_MANAGED_PROXY',
): { active: GcpSubnetwork[]; backup: GcpSubnetwork[] } {
  const purposes = purpose === 'REGIONAL_MANAGED_PROXY' ? ['REGIONAL_MANAGED_PROXY', 'INTERNAL_HTTPS_LOAD_BALANCER'] : ['GLOBAL_MANAGED_PROXY'];
  const here = subnets.filter((s) => purposes.includes(s.purpose ?? '') && networkName(s.network ?? '') === network && lastSegment(s.region) === region);
  // An absent role reads as ACTIVE: the API sets it on every proxy-only subnet, hand-written dumps may not.
  return { active: here.filter((s) => (s.role ?? 'ACTIVE') === 'ACTIVE'), backup: here.filter((s) => s.role === 'BACKUP') };
}

/** Container ports a named targetPort stands for: serving containers, EndpointSlices, live pods. */
export function resolveNamedTargetPort(ctx: Pick<RuleContext<unknown>, 'model'>, negService: NegService, port: ServicePort): number[] {
  const out = new Set<number>();
  const name = port.targetPort as string;
  for (const entry of ctx.model.negBacked) {
    for (const s of entry.services) {
      if (s.neg !== negService) continue;
      for (const p of s.ports) if (p.negPort.servicePort === port && p.serving?.portNumber !== undefined) out.add(p.serving.portNumber);
    }
  }
  const service = negService.service;
  for (const slice of ctx.model.kind('EndpointSlice')) {
    if (namespaceOf(slice) !== service.namespace || slice.object.metadata.labels?.[SERVICE_NAME_LABEL] !== service.name) continue;
    for (const p of asRecords(slice.object.ports)) {
      if ((asString(p.name) ?? '') === (port.name ?? '') && typeof p.port === 'number') out.add(p.port);
    }
  }
  if (service.selector && Object.keys(service.selector).length > 0) {
    for (const pod of livePods(ctx.model)) {
      if (namespaceOf(pod) !== service.namespace || !selects(service.selector, podLabels(pod))) continue;
      for (const container of asRecords(get(pod.object.spec, 'containers'))) {
        for (const p of asRecords(container.ports)) if (p.name === name && typeof p.containerPort === 'number') out.add(p.containerPort);
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** The notes a finding carries: policies not evaluated, or what was unknown and how it was taken. */
export function notesText(fw: FirewallContext, unknowns: readonly string[]): string {
  const notes = [...fw.notes, ...unknowns];
  return notes.length ? ` Note: ${notes.join('; ')}.` : '';
}

/** One blocked (range, port) pair and the verdict that blocked it. */
export interface BlockedPair {
  range: string;
  port: number;
  verdict: FirewallBlocked;
}

/**
 * The fix as gcloud commands, one per cause: past each blocking policy rule,
 * an allow one priority step ahead of it in that policy (for a hierarchical
 * deny, goto_next as the alternative); for what the VPC rules block, an allow
 * rule for the node tag. Returns the commands and a sentence naming them.
 */
export function fixCommands(fw: FirewallContext, blocked: readonly BlockedPair[], ruleName: string): { commands: string[]; text: string; steps: FixStep[] } {
  const byPolicyRule = new Map<string, BlockedPair[]>();
  const byVpc: BlockedPair[] = [];
  for (const pair of blocked) {
    const ref = pair.verdict.blockedByPolicyRule;
    if (!ref) {
      byVpc.push(pair);
      continue;
    }
    const key = `${ref.policy.type ?? ''}/${ref.policy.name}/${ref.rule.priority}`;
    byPolicyRule.set(key, [...(byPolicyRule.get(key) ?? []), pair]);
  }
  const unique = <T>(values: T[]) => [...new Set(values)];
  const commands: string[] = [];
  const sentences: string[] = [];
  const steps: FixStep[] = [];
  for (const pairs of byPolicyRule.values()) {
    const verdict = pairs[0]!.verdict;
    const allow = policyFixCommand(verdict, unique(pairs.map((p) => p.range)), unique(pairs.map((p) => p.port)), fw);
    if (!allow) {
      byVpc.push(...pairs);
      continue;
    }
    commands.push(allow);
    const ref = verdict.blockedByPolicyRule!;
    const where = `rule ${ref.rule.priority} of ${policyType(ref.policy) === 'HIERARCHY' ? 'hierarchical' : 'network'} firewall policy ${ref.policy.name}`;
    steps.push({ command: allow, explains: `allow ${unique(pairs.map((p) => p.range)).join(', ')} on tcp:${unique(pairs.map((p) => p.port)).join(',')} one priority step ahead of ${where}` });
    const gotoNext = gotoNextCommand(verdict);
    if (gotoNext) steps.push({ command: gotoNext, explains: `or instead: let ${where} pass the traffic on to the lower levels` });
    sentences.push(gotoNext ? `\`${allow}\` (or pass the traffic on to the lower levels: \`${gotoNext}\`)` : `\`${allow}\``);
  }
  if (byVpc.length) {
    const tag = fw.targets[0]?.target.tags.find((t) => /^gke-.+-node$/.test(t)) ?? fw.targets[0]?.target.tags[0] ?? 'NODE_TAG';
    const ranges = unique(byVpc.map((p) => p.range));
    const ports = unique(byVpc.map((p) => p.port)).sort((a, b) => a - b);
    const create = `gcloud compute firewall-rules create ${ruleName}${fw.network ? ` --network ${fw.network}` : ''} --direction INGRESS --allow ${ports.map((p) => `tcp:${p}`).join(',')} --source-ranges ${ranges.join(',')} --target-tags ${tag}`;
    commands.push(create);
    sentences.push(`\`${create}\``);
    steps.push({ command: create, explains: `allow ${ranges.join(', ')} on ${ports.map((p) => `tcp:${p}`).join(',')} to the nodes (tag ${tag}) in the VPC firewall` });
  }
  return { commands, text: sentences.join('; and '), steps };
}
