import type { FirewallVerdict } from '../analysis/firewall/verdict.js';
import type { NegService } from '../model/index.js';
import { asArray, asString, get } from '../util/values.js';
import { DATA, FIREWALLS_BY_FIELDS } from '../snapshot/data-keys.js';
import type { GkeCluster, Snapshot } from '../snapshot/types.js';
import { clusterIdentity, clusterLabel, targetCluster } from '../model/cluster-identity.js';
import { negsOfServicePort } from '../model/neg-index.js';
import { sample } from '../util/text.js';
import { defineRule } from './define-rule.js';
import {
  decidingPolicy,
  firewallContext,
  fixCommands,
  fixEvidence,
  notesText,
  POLICIES_NOT_EVALUATED,
  resolveNamedTargetPort,
} from '../model/firewall-context.js';
import { sentences } from '../util/text.js';
import { firewallAssumptions, ignoringTargets, nodeTargetsUnknown, targetedAllows } from '../model/firewall-assumptions.js';
import { servingPorts } from '../model/serving-ports.js';
import { gatewayHealthCheck } from '../model/gateway.js';
import { enablingClears, type BlockedPair } from '../model/firewall-fix.js';
import { describeRuleOfPolicy, type PolicyRuleRef } from '../analysis/firewall/verdict.js';
import { unhealthyEndpointsOf } from '../model/health-join.js';
import { negStatusNames } from '../model/neg-status.js';
import type { RuleContext } from '../model/rule-contract.js';

function usesIpv6(cluster: GkeCluster, negService: NegService): boolean {
  const stack = asString(cluster.ipAllocationPolicy?.stackType);
  if (stack !== 'IPV4_IPV6') return false;
  const families = asArray(get(negService.service.obj.object.spec, 'ipFamilies'));
  return families.includes('IPv6');
}

export default defineRule({
  meta: {
    id: 'firewall-health-check-blocked',
    title: 'The firewall keeps the load balancer health checks away from the pods',
    severity: 'error',
    category: 'cloud',
    symptom: 'Every NEG endpoint is UNHEALTHY, the Ingress answers 502 "failed_to_pick_backend", and pods with the NEG readiness gate never become ready.',
    cause:
      'Health checks (and traffic from the Google front ends) come from 130.211.0.0/22 and 35.191.0.0/16 straight to the pod port on the node. The ingress-gce controller keeps a `k8s-fw-l7--…` rule open for the NEG ports, but with Shared VPC it often lacks the permission to write it, a hand-made rule may open only the node-port range 30000-32767, a named targetPort may be missed, a higher-priority deny may shadow the allow, the allow may be disabled, or an organization\'s hierarchical or network firewall policy may deny the ranges before (or instead of) the VPC rules.',
    evidence:
      'The effective firewall of the cluster network, evaluated for every health-check range (settings healthCheckRanges; the IPv6 ranges for dual-stack Services) × every serving port (the container port behind each NEG Service targetPort, named ports resolved through the pod templates, EndpointSlices or live pods; BackendConfig health-check ports; the fixed port of a HealthCheckPolicy for Gateway backends) × every node pool target (network tags, including GKE\'s own gke-<cluster>-<hash>-node tag, whose hash is the first 8 hex digits of the cluster\'s id; a gke-…-node tag seen only in firewall rules is never taken as the nodes\' tag (a stale one from a deleted namesake is named; without the id the block is reported at info), service account, secure tags declared as node pool resourceManagerTags). The order is Cloud NGFW\'s: hierarchical firewall policies (organization, then folders; within a policy by priority, goto_next and unmatched traffic pass on), system policies, then the VPC rules and the global and regional network firewall policies as the network\'s networkFirewallPolicyEnforcementOrder says (AFTER_CLASSIC_FIREWALL by default, or BEFORE_CLASSIC_FIREWALL), then the implied deny. Priority, deny-before-allow, disabled rules, targets, protocols and port ranges are honoured. What cannot be known (secure tags bound outside the node pool config, address groups, FQDN and geolocation sources) is not guessed: the finding says how it was taken. Without collected policies the finding says that only VPC rules were judged. With no Kubernetes objects among the inputs, the serving ports are those the NEG controllers opened for themselves (ingress-gce\'s k8s-fw-l7--<uid> rule, the Gateway controller\'s gkegw1-l7-… rules), and the finding names that rule. Without a cluster describe the rules are still judged: rules that name no target reach every node; what a target may change is stated.',
    remediation:
      'When a firewall policy rule blocks, add a higher-precedence allow in that policy (`gcloud compute firewall-policies rules create …` for hierarchical policies, `gcloud compute network-firewall-policies rules create … --global-firewall-policy` or `--firewall-policy-region` for network policies), never an action change on someone else\'s broad rule. The finding gives the command, and only after the evaluator has re-run with it and found the block cleared; a VPC allow carries a priority that beats the blocking deny. Otherwise add (or fix) an ingress allow rule on the cluster network from 130.211.0.0/22 and 35.191.0.0/16 to the node tag on the serving port, with a priority above any deny that matches, e.g. `gcloud compute firewall-rules create allow-gke-health-checks --network NET --direction INGRESS --allow tcp:PORT --source-ranges 130.211.0.0/22,35.191.0.0/16 --target-tags NODE_TAG`. With Shared VPC, the host project admin creates it.',
    needs: [DATA.gcpFirewalls, DATA.services, DATA.workloads],
    explains: [
      { rule: 'lb-no-healthy-backend', on: 'service-port', why: 'Probes the firewall drops mark every endpoint unhealthy: the load balancer has none to pick.' },
      { rule: 'health-check-probe-failing', on: 'service-port', why: 'Probes the firewall drops time out; only timeouts are explained by it (an HTTP answer proves the probe got through).', targetReasons: ['timeout'] },
      { rule: 'backend-unhealthy', on: 'service-port', why: "A health check that cannot reach the serving port on the nodes marks every endpoint of that Service port's NEG UNHEALTHY." },
    ],
    defaults: {},
  },
  check(ctx) {
    const target = targetCluster(ctx.snapshot, ctx.model);
    // No cluster describe at all: rules that name no network and no target apply to every node of whatever cluster,
    // so the rules are still judged, with the cluster's network and node tags stated as unknown.
    const describeMissing = !target.cluster && (ctx.snapshot.cloud?.clusters ?? []).length === 0;
    const cluster = target.cluster ?? (describeMissing ? { name: '' } : undefined);
    if (!cluster) {
      ctx.skip(`the nodes the health checks go to are unknown: ${target.reason}`);
      return;
    }
    const where = describeMissing ? "the cluster's nodes" : `the nodes of ${clusterLabel(cluster)}`;
    const fw = firewallContext(ctx.snapshot, cluster);
    const { firewalls, network, targets, policies } = fw;
    const identity = clusterIdentity(ctx.snapshot, ctx.model);
    const negs = ctx.snapshot.cloud?.negs ?? [];
    const healthCheckPorts = servingPorts(ctx.model);
    let evaluated = 0;
    const unresolved: string[] = [];
    // BackendConfig fixed health-check ports by NEG port, in servingPorts order.
    const fixedPorts = new Map<unknown, Array<{ neg: unknown; port: number }>>();
    for (const hc of healthCheckPorts) {
      if (hc.healthCheck.portSpecification !== 'USE_FIXED_PORT' || hc.healthCheck.port === undefined) continue;
      const entry = { neg: hc.neg, port: hc.healthCheck.port };
      const list = fixedPorts.get(hc.negPort);
      if (list) list.push(entry);
      else fixedPorts.set(hc.negPort, [entry]);
    }
    // Services share ports and ranges: each (range, port, node target) query is evaluated once per check. Verdicts are read, never changed.
    const verdicts = new Map<string, { verdict: FirewallVerdict; disabledAllows: string[]; unsure: boolean }>();
    // Node VMs among the inputs say what the nodes carry, even when the describe lists no pools.
    const targetsUnknown = nodeTargetsUnknown(cluster) && !fw.nodeVms;
    const assumed = describeMissing
      ? [
          ...firewallAssumptions(firewalls, cluster, network).filter((a) => !/^the cluster (names no network|input lists no node pools)/.test(a)),
          "no cluster describe: the cluster's network and node tags are unknown, so the rules of every network given were counted and rules that target tags or service accounts may or may not reach the nodes (give `gcloud container clusters describe CLUSTER --format=json`)",
        ]
      : firewallAssumptions(firewalls, cluster, network);
    const evaluateOnce = (range: string, port: number, targetIndex: number) => {
      const key = `${range}\0${port}\0${targetIndex}`;
      const cached = verdicts.get(key);
      if (cached) return cached;
      const { target } = targets[targetIndex]!;
      const query = { sourceRange: range, port, target, ...(network ? { network } : {}) };
      const verdict = fw.evaluate(query);
      const disabledAllows: string[] = [];
      if (!verdict.allowed && firewalls.some((r) => r.disabled === true)) {
        // Would a disabled rule have let it through? Then name it: enabling it is the fix.
        const enabled = firewalls.map((r) => (r.disabled === true ? { ...r, disabled: false } : r));
        const again = fw.evaluateWith(enabled, query);
        if (again.allowed) for (const r of again.rules) if (firewalls.find((f) => f.name === r.name)?.disabled === true) disabledAllows.push(r.name);
      }
      // Node pools unknown: would the probe pass if the nodes carried the targeted rules' tags? Then the block is not established.
      // Likewise when GKE's node tag is unknown and a firewall rule names one that may be it.
      const unconfirmed = fw.nodeTag.unconfirmed;
      const unsure =
        !verdict.allowed &&
        ((targetsUnknown && fw.evaluateWith(ignoringTargets(firewalls), query).allowed) ||
          (unconfirmed.length > 0 && fw.evaluate({ ...query, target: { ...target, tags: [...target.tags, ...unconfirmed] } }).allowed));
      const result = { verdict, disabledAllows, unsure };
      verdicts.set(key, result);
      return result;
    };

    for (const negService of ctx.model.negServices) {
      const service = negService.service;
      for (const negPort of negService.ports) {
        const sp = negPort.servicePort;
        const ports = new Set<number>();
        if (typeof sp.targetPort === 'number') ports.add(sp.targetPort);
        else for (const p of resolveNamedTargetPort(ctx, negService, sp)) ports.add(p);
        // What the NEG really holds, when its endpoints were listed.
        for (const neg of negsOfServicePort(negs, service, sp.port, identity)) for (const e of neg.endpoints ?? []) if (e.port) ports.add(e.port);
        // A BackendConfig health check on a fixed port is probed there too.
        for (const hc of fixedPorts.get(negPort) ?? []) if (hc.neg === negService) ports.add(hc.port);
        // Behind a GKE Gateway, a HealthCheckPolicy on a fixed port is probed there.
        if (negPort.reasons.includes('gateway')) {
          const gatewayCheck = gatewayHealthCheck(ctx.model, service, sp);
          if (typeof gatewayCheck.port === 'number') ports.add(gatewayCheck.port);
        }
        if (ports.size === 0) {
          unresolved.push(`${service.namespace}/${service.name}:${sp.port} (targetPort "${String(sp.targetPort)}")`);
          continue;
        }
        evaluated++;
        const ranges = [...ctx.settings.healthCheckRanges, ...(usesIpv6(cluster, negService) ? ctx.settings.healthCheckRangesIpv6 : [])];
        const disabledAllows = new Set<string>();
        const blocked: Array<BlockedPair & { pools: string[]; unsure: boolean }> = [];
        const unresolvedDenies = new Map<string, PolicyRuleRef>();
        for (const port of [...ports].sort((a, b) => a - b)) {
          for (const range of ranges) {
            targets.forEach(({ pools, target }, targetIndex) => {
              const { verdict, disabledAllows: names, unsure } = evaluateOnce(range, port, targetIndex);
              if (!verdict.allowed) blocked.push({ port, range, pools, target, verdict, unsure });
              else for (const ref of verdict.unresolvedDenies ?? []) unresolvedDenies.set(`${ref.policy.name}/${ref.rule.priority}`, ref);
              for (const name of names) disabledAllows.add(name);
            });
          }
        }
        if (blocked.length === 0) {
          if (unresolvedDenies.size) reportUnresolvedDeny(ctx, negService, negPort, [...ports], [...unresolvedDenies.values()], identity);
          continue;
        }
        const poolNote = targets.length > 1;
        const reasons = mergeRanges(
          blocked.map((b) => ({
            range: b.range,
            reason: poolNote ? `${b.verdict.reason.replace(/\.$/, '')} (node pool ${b.pools.join(', ')}).` : b.verdict.reason,
          })),
        );
        const blockedPorts = [...new Set(blocked.map((b) => b.port))];
        const blockedRanges = [...new Set(blocked.map((b) => b.range))];
        const deniers = [...new Set(blocked.flatMap((b) => (b.verdict.blockedBy ? [b.verdict.blockedBy.name] : [])))];
        const targetText = typeof sp.targetPort === 'string' ? `named targetPort "${sp.targetPort}" = pod port ${[...ports].join(', ')}` : `pod port ${sp.targetPort}`;
        const enable = [...disabledAllows].map((name) => `gcloud compute firewall-rules update ${name} --no-disabled`);
        const fix =
          enable.length && enablingClears(fixEvidence(fw, blocked), blocked, [...disabledAllows])
            ? { commands: enable, text: enable.map((c) => `\`${c}\``).join('; and '), steps: [...disabledAllows].map((name, i) => ({ command: enable[i]!, explains: `re-enable the disabled firewall rule ${name}` })) }
            : fixCommands(fw, blocked, 'allow-gke-health-checks');
        const unknowns = [...new Set(blocked.flatMap((b) => b.verdict.unknowns ?? []))];
        const policyDeciders = [...new Map(blocked.flatMap((b) => (b.verdict.blockedByPolicyRule ? [decidingPolicy(b.verdict)!] : [])).map((d) => [JSON.stringify(d), d])).values()];
        // Blocked only for want of node tags the input does not give: say so, at info, rather than assert it.
        const unsure = blocked.every((b) => b.unsure);
        const unsureText = !unsure
          ? ''
          : targetsUnknown
            ? ` This holds only if the nodes lack the tags or service accounts of ${sample(targetedAllows(firewalls).map((r) => `"${r.name}"`))}: ${describeMissing ? 'no cluster describe was given' : 'the cluster input lists no node pools'}, so which rules reach the nodes is unknown.`
            : ` This holds only if the nodes do not carry ${fw.nodeTag.unconfirmed.map((t) => `"${t}"`).join(' or ')}: give the cluster describe with its id (\`gcloud container clusters describe ${cluster.name} --format=json\`), which says GKE's node tag.`;
        ctx.report({
          object: service.obj,
          ...(unsure ? { severity: 'info' as const } : {}),
          path: [...sp.path, 'targetPort'],
          fixSteps: fix.steps,
          message: `Load balancer health checks cannot reach Service ${service.namespace}/${service.name} port ${sp.port} (${targetText}) on ${where}: ${sentences(reasons)}${disabledAllows.size ? ` ${[...disabledAllows].map((n) => `"${n}"`).join(' and ')} would allow it but ${disabledAllows.size > 1 ? 'are' : 'is'} disabled.` : ''}${unsureText}${pastedRulesText(ctx.snapshot)}${assumed.length ? ` Assumed: ${assumed.join('; ')}.` : ''}${notesText(fw, unknowns)} Fix: ${fix.text}.`,
          evidence: {
            ...(assumed.length ? { assumed } : {}),
            cluster: describeMissing ? null : cluster.name,
            ...(network ? { network } : {}),
            ports: blockedPorts,
            ranges: blockedRanges,
            ...(deniers.length ? { blockedBy: deniers } : {}),
            ...(policyDeciders.length ? { blockedByPolicyRule: policyDeciders } : {}),
            ...(unknowns.length ? { unknowns } : {}),
            enforcementOrder: fw.enforcementOrder,
            ...(disabledAllows.size ? { disabledAllows: [...disabledAllows] } : {}),
            nearMisses: [...new Set(blocked.flatMap((b) => (b.verdict.nearMisses ?? []).map((r) => r.name)))],
            uncovered: [...new Set(blocked.flatMap((b) => b.verdict.uncovered ?? []))],
            nodeTargets: targets.map((t) => ({ pools: t.pools, tags: t.target.tags, serviceAccount: t.target.serviceAccount ?? null, secureTags: t.target.secureTags ?? null })),
            nodeTagSource: fw.nodeTag.source,
            ...(fw.nodeTag.stale.length ? { staleNodeTags: fw.nodeTag.stale } : {}),
            firewallPolicies: policies ? `evaluated (${policies.length})` : POLICIES_NOT_EVALUATED,
            command: fix.commands.join(' && '),
          },
        });
      }
    }
    // No Kubernetes objects (a network team's evidence): the controllers' own firewall rules name the NEG serving ports.
    if (evaluated === 0 && unresolved.length === 0 && ctx.model.negServices.length === 0 && judgeControllerPorts(ctx, fw, describeMissing ? "the cluster's nodes" : `the nodes of ${clusterLabel(cluster)}`)) return;
    if (evaluated === 0) {
      ctx.skip(
        unresolved.length
          ? `no serving port could be resolved: ${unresolved.join(', ')} (give the pod templates, EndpointSlices or pods)`
          : 'the inputs hold no Service that GKE backs with NEGs, so no serving port to check',
      );
    }
  },
});

/**
 * One sentence per distinct cause: when both health-check ranges are blocked
 * for the same reason, say so once ("from 130.211.0.0/22 or 35.191.0.0/16").
 */
function mergeRanges(blocked: Array<{ range: string; reason: string }>): string[] {
  const byTemplate = new Map<string, string[]>();
  for (const { range, reason } of blocked) {
    const template = reason.split(range).join('\u0000');
    const ranges = byTemplate.get(template) ?? [];
    if (!ranges.includes(range)) ranges.push(range);
    byTemplate.set(template, ranges);
  }
  return [...byTemplate].map(([template, ranges]) => template.split('\u0000').join(ranges.join(' or ')));
}

/**
 * The health checks pass by every rule negdoctor can resolve, but a policy
 * deny whose target (a secure tag, a service account) it cannot resolve would
 * block them, and the NEG's endpoints are UNHEALTHY: that rule is the most
 * likely cause, so it is named rather than taken silently as not matching.
 */
function reportUnresolvedDeny(
  ctx: RuleContext<Record<string, unknown>>,
  negService: NegService,
  negPort: NegService['ports'][number],
  ports: number[],
  denies: PolicyRuleRef[],
  identity: ReturnType<typeof clusterIdentity>,
): void {
  const service = negService.service;
  const sp = negPort.servicePort;
  const negs = ctx.snapshot.cloud?.negs ?? [];
  const names = new Set(negsOfServicePort(negs, service, sp.port, identity).map((n) => n.name));
  for (const [name, entry] of negStatusNames(ctx.model)) if (entry.service === service && entry.port === String(sp.port)) names.add(name);
  const unhealthy = unhealthyEndpointsOf(ctx.model, negs, ctx.snapshot.cloud?.backendHealth ?? [], names);
  if (unhealthy.length === 0) return;
  const rules = denies.map((ref) => `${describeRuleOfPolicy(ref)} (targets ${[...(ref.rule.targetSecureTags ?? []).map((t) => `secure tag ${t.name}`), ...(ref.rule.targetServiceAccounts ?? []).map((a) => `service account ${a}`)].join(', ')})`);
  ctx.report({
    object: service.obj,
    severity: 'warning',
    path: [...sp.path, 'targetPort'],
    message: `The NEG endpoints of Service ${service.namespace}/${service.name} port ${sp.port} are UNHEALTHY (${sample(unhealthy)}), and ${rules.join('; ')} would deny the health checks to pod port ${ports.join(', ')} if the nodes carry its target, which the inputs do not say: it is the most likely cause. Check the nodes' secure tags (\`gcloud resource-manager tags bindings list --effective --parent=//compute.googleapis.com/projects/PROJECT/zones/ZONE/instances/INSTANCE_ID\`) or declare them in the node pool's resourceManagerTags.`,
    evidence: {
      unhealthy,
      unresolvedDenies: denies.map((ref) => ({ policy: ref.policy.name, priority: ref.rule.priority, targetSecureTags: (ref.rule.targetSecureTags ?? []).map((t) => t.name), targetServiceAccounts: ref.rule.targetServiceAccounts ?? [] })),
      ports,
    },
  });
}

/**
 * The serving ports the NEG controllers opened for themselves: ingress-gce's
 * `k8s-fw-l7--<cluster uid>` rule and the GKE Gateway controller's
 * `gkegw1-l7-…` rules allow the health-check ranges to exactly the NEG
 * container ports. Each port they name is judged like a Service's; the
 * finding says where the port came from. False when no such rule is given.
 */
function judgeControllerPorts(ctx: RuleContext<Record<string, unknown>>, fw: ReturnType<typeof firewallContext>, where: string): boolean {
  const controllerRules = fw.firewalls.filter((r) => /^(k8s-fw-l7--[0-9a-f]+|gkegw1-l7-.+)$/.test(r.name) && r.allowed?.length);
  const byRule = controllerRules
    .map((rule) => ({ rule, ports: [...new Set((rule.allowed ?? []).filter((a) => a.IPProtocol.toLowerCase() === 'tcp').flatMap((a) => (a.ports ?? []).filter((p) => /^\d+$/.test(p)).map(Number)))].sort((a, b) => a - b) }))
    .filter((entry) => entry.ports.length > 0);
  if (byRule.length === 0) return false;
  for (const { rule, ports } of byRule) {
    const blocked: Array<BlockedPair & { pools: string[] }> = [];
    for (const port of ports) {
      for (const range of ctx.settings.healthCheckRanges) {
        for (const { pools, target } of fw.targets) {
          const verdict = fw.evaluate({ sourceRange: range, port, target, ...(fw.network ? { network: fw.network } : {}) });
          if (!verdict.allowed) blocked.push({ range, port, pools, target, verdict });
        }
      }
    }
    if (blocked.length === 0) continue;
    const fix = fixCommands(fw, blocked, 'allow-gke-health-checks');
    const unknowns = [...new Set(blocked.flatMap((b) => b.verdict.unknowns ?? []))];
    ctx.report({
      path: [],
      resource: `compute/firewalls/${rule.name}`,
      message: `Load balancer health checks cannot reach ${where} on port ${[...new Set(blocked.map((b) => b.port))].join(', ')}, a NEG serving port named by the controller's own rule "${rule.name}" (no Kubernetes objects among the inputs): ${sentences(mergeRanges(blocked.map((b) => ({ range: b.range, reason: b.verdict.reason }))))}${pastedRulesText(ctx.snapshot)}${notesText(fw, unknowns)} Fix: ${fix.text}.`,
      evidence: {
        portsFrom: rule.name,
        ports: [...new Set(blocked.map((b) => b.port))],
        ranges: [...new Set(blocked.map((b) => b.range))],
        blockedBy: [...new Set(blocked.flatMap((b) => (b.verdict.blockedBy ? [b.verdict.blockedBy.name] : [])))],
        nodeTagSource: fw.nodeTag.source,
        command: fix.commands.join(' && '),
      },
    });
  }
  return true;
}

/**
 * Firewall rules pasted without kind or stated type may not be all of the
 * network's rules: a rule left out (an allow, or one of higher priority than
 * the deny) could change the verdict, so a block then holds only if they are
 * all, and the finding says which input settles it.
 */
function pastedRulesText(snapshot: Snapshot): string {
  if (snapshot.data[DATA.gcpFirewalls]?.reason !== FIREWALLS_BY_FIELDS) return '';
  return " This holds if these are all the network's rules: they were read by their fields (no kind, no stated type), so a rule left out of the paste could allow it (give `gcloud compute firewall-rules list --format=json`, or state the file's type: `gcp:firewalls=FILE`).";
}
