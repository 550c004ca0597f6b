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
import { verifiedFixCommands, type BlockedPair, type FixEvidence, type VerifiedFix } from './firewall-fix.js';
export type { BlockedPair } from './firewall-fix.js';
import { selects, type ServicePort } from './services.js';
import type { NegService } from './index.js';
import { asRecords, asString, get, isRecord } from '../util/values.js';
import { namespaceOf } from './workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GcpFirewall, GcpNodeVm, GcpSubnetwork, GkeCluster, Snapshot } from '../snapshot/types.js';
import { nodeVmEvidence, type NodeVmEvidence } from './node-vms.js';
import { clusterNetwork } from './cluster-identity.js';
import { lastSegment } from '../util/text.js';
import { gkeNodeTag, type GkeNodeTag } from './node-tags.js';
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
 * Secure tags of a pool's nodes, when the pool declares them as
 * `resourceManagerTags` in `tagValues/N` form. Otherwise unknown: tags can
 * also be bound at cluster level or on the instances directly.
 */
function poolSecureTags(config: { resourceManagerTags?: { tags?: Record<string, string> } } | undefined): string[] | undefined {
  const values = Object.values(config?.resourceManagerTags?.tags ?? {});
  if (values.length === 0 || !values.every((v) => /^tagValues\/\d+$/.test(v))) return undefined;
  return values.sort();
}

/**
 * The node targets firewall rules are asked about. With node VMs among the
 * inputs, the tags and service accounts those carry (./node-vms.ts); pools
 * without VMs, and clusters without any, from the describe and GKE's tag.
 */
export function nodeTargets(cluster: GkeCluster, firewalls: readonly GcpFirewall[], vms?: readonly GcpNodeVm[]): NodeTarget[] {
  // Pools without VMs: the tag the VMs show GKE uses (one per cluster), else the id's.
  const gkeTag = gkeNodeTag(cluster, firewalls, vms).tag ?? gkeNodeTag(cluster, firewalls).tag;
  const auto = gkeTag ? [gkeTag] : [];
  const byKey = new Map<string, NodeTarget>();
  const evidence = nodeVmEvidence(cluster, vms);
  const poolConfig = (name: string) => (cluster.nodePools ?? []).find((p) => p.name === name) as { config?: NonNullable<GkeCluster['nodePools']>[number]['config'] } | undefined;
  for (const group of evidence?.groups ?? []) {
    const secureTags = group.pools.length === 1 ? poolSecureTags(poolConfig(group.pools[0]!)?.config) : undefined;
    const target: FirewallTarget = { tags: group.tags, ...(group.serviceAccount ? { serviceAccount: group.serviceAccount } : {}), ...(secureTags ? { secureTags } : {}) };
    byKey.set(JSON.stringify(target), { pools: [...group.pools], target });
  }
  const pools = evidence ? (cluster.nodePools ?? []).filter((p) => evidence.poolsWithout.includes(p.name)) : cluster.nodePools?.length ? cluster.nodePools : [{ name: '(node pools unknown)' }];
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
  /** GKE's node tag and where it came from; tags seen only in firewall rules (stale or unconfirmed). */
  nodeTag: GkeNodeTag;
  /** The cluster's node VMs among the inputs, when there are any: they say what the nodes carry. */
  nodeVms?: NodeVmEvidence;
  /** Undefined when the policies were not collected: evaluation is by VPC rules alone. */
  policies?: FirewallPolicy[];
  enforcementOrder: EnforcementOrder;
  /** Sentences about what was not known and how it was taken (order, regional policies…). */
  notes: string[];
  evaluate(query: FirewallQuery): FirewallVerdict;
  /** The same evaluation with other VPC rules (e.g. disabled rules enabled). */
  evaluateWith(firewalls: readonly GcpFirewall[], query: FirewallQuery): FirewallVerdict;
  /** The same evaluation with other VPC rules and policies (a fix applied); undefined policies = VPC rules alone. */
  evaluateIn(firewalls: readonly GcpFirewall[], policies: readonly FirewallPolicy[] | undefined, query: FirewallQuery): FirewallVerdict;
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
  const vms = snapshot.cloud?.nodeVms;
  const targets = nodeTargets(cluster, firewalls, vms);
  const nodeTag = gkeNodeTag(cluster, firewalls, vms);
  const fromVms = nodeVmEvidence(cluster, vms);
  if (fromVms) {
    const without = fromVms.poolsWithout.length ? ` (node pool${fromVms.poolsWithout.length > 1 ? 's' : ''} ${fromVms.poolsWithout.join(', ')}, with no VM among the inputs, from the cluster describe${nodeTag.tag ? ' and its id' : ''})` : '';
    notes.push(`the nodes' network tags and service accounts are those their ${fromVms.source} carry${without}`);
    if (nodeTag.idTagNotCarried) notes.push(`the cluster's id gives GKE's node tag "${nodeTag.idTagNotCarried}", which the node VMs do not carry`);
  } else if (nodeTag.tag && !nodeTag.stale.length) {
    notes.push(`GKE's node tag "${nodeTag.tag}" is taken from the cluster's id (no instance or instance template of the cluster among the inputs shows the tags the nodes carry)`);
  }
  if (nodeTag.stale.length) {
    notes.push(`${nodeTag.stale.map((t) => `"${t}"`).join(', ')} in the firewall rules ${nodeTag.stale.length > 1 ? 'are' : 'is'} not this cluster's node tag (${nodeTag.tag ? `"${nodeTag.tag}", ` : ''}${fromVms ? `its nodes' ${fromVms.source} do not carry ${nodeTag.stale.length > 1 ? 'them' : 'it'}` : "from the cluster's id"}): rules on ${nodeTag.stale.length > 1 ? 'them' : 'it'} (left by a deleted cluster of the same name?) were not counted`);
  } else if (nodeTag.unconfirmed.length) {
    notes.push(`GKE's node tag is unknown (the cluster input has no id); ${nodeTag.unconfirmed.map((t) => `"${t}"`).join(', ')}, seen only in firewall rules, ${nodeTag.unconfirmed.length > 1 ? 'were' : 'was'} not taken as the nodes' tag`);
  }
  return {
    nodeTag,
    ...(fromVms ? { nodeVms: fromVms } : {}),
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
      return this.evaluateIn(rules, policies, query);
    },
    evaluateIn(rules, withPolicies, query) {
      return withPolicies ? evaluateFirewallIngressWithPolicies(withPolicies, rules, query, enforcementOrder) : evaluateFirewallIngress(rules, query);
    },
  };
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

/** The node tag a fix targets: GKE's own node tag when every blocked node carries it, else a tag they all share. */
function fixNodeTag(blocked: readonly BlockedPair[]): string | undefined {
  const shared = (blocked[0]?.target.tags ?? []).filter((tag) => blocked.every((b) => b.target.tags.includes(tag)));
  return shared.find((t) => /^gke-.+-node$/.test(t)) ?? shared[0];
}

/** The fix for the blocked questions, verified by this context's evaluator (see ./firewall-fix.ts). */
export function fixCommands(fw: FirewallContext, blocked: readonly BlockedPair[], ruleName: string): VerifiedFix {
  return verifiedFixCommands(fixEvidence(fw, blocked), blocked, ruleName);
}

export function fixEvidence(fw: FirewallContext, blocked: readonly BlockedPair[]): FixEvidence {
  const nodeTag = fixNodeTag(blocked);
  // The cluster's network unknown (no describe): the one network every given rule names, if they agree.
  const networks = [...new Set(fw.firewalls.map((r) => (r.network ? networkName(r.network) : '')))];
  const network = fw.network ?? (networks.length === 1 && networks[0] ? networks[0] : undefined);
  return {
    firewalls: fw.firewalls,
    ...(fw.policies ? { policies: fw.policies } : {}),
    ...(network ? { network } : {}),
    ...(fw.region ? { region: fw.region } : {}),
    ...(nodeTag ? { nodeTag } : {}),
    evaluateIn: (firewalls, policies, query) => fw.evaluateIn(firewalls, policies, query),
  };
}
