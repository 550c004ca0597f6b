import type { FirewallVerdict } from '../analysis/firewall/verdict.js';
import type { NegService } from '../model/index.js';
import { asArray, asString, get } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GkeCluster } from '../snapshot/types.js';
import { clusterIdentity, clusterLabel, targetCluster } from '../model/cluster-identity.js';
import { negsOfServicePort } from '../model/neg-index.js';
import { sample } from '../util/text.js';
import { defineRule } from './define-rule.js';
import {
  decidingPolicy,
  firewallContext,
  fixCommands,
  notesText,
  POLICIES_NOT_EVALUATED,
  resolveNamedTargetPort,
} from '../model/firewall-context.js';
import { sentences } from '../util/text.js';
import { firewallAssumptions, ignoringTargets, nodeTargetsUnknown, targetedAllows } from '../model/firewall-assumptions.js';
import { servingPorts } from '../model/serving-ports.js';
import { gatewayHealthCheck } from '../model/gateway.js';

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
      'The effective firewall of the cluster network, evaluated for every health-check range (settings healthCheckRanges; the IPv6 ranges for dual-stack Services) × every serving port (the container port behind each NEG Service targetPort, named ports resolved through the pod templates, EndpointSlices or live pods; BackendConfig health-check ports; the fixed port of a HealthCheckPolicy for Gateway backends) × every node pool target (network tags, including GKE\'s own gke-<cluster>-<hash>-node tag when a rule names it, service account, secure tags declared as node pool resourceManagerTags). The order is Cloud NGFW\'s: hierarchical firewall policies (organization, then folders; within a policy by priority, goto_next and unmatched traffic pass on), system policies, then the VPC rules and the global and regional network firewall policies as the network\'s networkFirewallPolicyEnforcementOrder says (AFTER_CLASSIC_FIREWALL by default, or BEFORE_CLASSIC_FIREWALL), then the implied deny. Priority, deny-before-allow, disabled rules, targets, protocols and port ranges are honoured. What cannot be known (secure tags bound outside the node pool config, address groups, FQDN and geolocation sources) is not guessed: the finding says how it was taken. Without collected policies the finding says that only VPC rules were judged.',
    remediation:
      'When a firewall policy rule blocks, add a higher-precedence allow in that policy (`gcloud compute firewall-policies rules create …` for hierarchical policies, `gcloud compute network-firewall-policies rules create … --global-firewall-policy` or `--firewall-policy-region` for network policies), or turn a hierarchical deny into goto_next; the finding gives the command. Otherwise add (or fix) an ingress allow rule on the cluster network from 130.211.0.0/22 and 35.191.0.0/16 to the node tag on the serving port, with a priority above any deny that matches, e.g. `gcloud compute firewall-rules create allow-gke-health-checks --network NET --direction INGRESS --allow tcp:PORT --source-ranges 130.211.0.0/22,35.191.0.0/16 --target-tags NODE_TAG`. With Shared VPC, the host project admin creates it.',
    needs: [DATA.gcpFirewalls, DATA.gcpCluster, DATA.services, DATA.workloads],
    explains: [
      { rule: 'backend-unhealthy', on: 'service-port', why: "A health check that cannot reach the serving port on the nodes marks every endpoint of that Service port's NEG UNHEALTHY." },
    ],
    defaults: {},
  },
  check(ctx) {
    const { cluster, reason } = targetCluster(ctx.snapshot, ctx.model);
    if (!cluster) {
      ctx.skip(`the nodes the health checks go to are unknown: ${reason}`);
      return;
    }
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
    const targetsUnknown = nodeTargetsUnknown(cluster);
    const assumed = firewallAssumptions(firewalls, cluster, network);
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
      const unsure = !verdict.allowed && targetsUnknown && fw.evaluateWith(ignoringTargets(firewalls), query).allowed;
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
        const blocked: Array<{ port: number; range: string; pools: string[]; verdict: Extract<FirewallVerdict, { allowed: false }>; unsure: boolean }> = [];
        for (const port of [...ports].sort((a, b) => a - b)) {
          for (const range of ranges) {
            targets.forEach(({ pools }, targetIndex) => {
              const { verdict, disabledAllows: names, unsure } = evaluateOnce(range, port, targetIndex);
              if (!verdict.allowed) blocked.push({ port, range, pools, verdict, unsure });
              for (const name of names) disabledAllows.add(name);
            });
          }
        }
        if (blocked.length === 0) continue;
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
          enable.length && !blocked.some((b) => b.verdict.blockedByPolicyRule)
            ? { commands: enable, text: enable.map((c) => `\`${c}\``).join('; and '), steps: [...disabledAllows].map((name, i) => ({ command: enable[i]!, explains: `re-enable the disabled firewall rule ${name}` })) }
            : fixCommands(fw, blocked, 'allow-gke-health-checks');
        const unknowns = [...new Set(blocked.flatMap((b) => b.verdict.unknowns ?? []))];
        const policyDeciders = [...new Map(blocked.flatMap((b) => (b.verdict.blockedByPolicyRule ? [decidingPolicy(b.verdict)!] : [])).map((d) => [JSON.stringify(d), d])).values()];
        // Blocked only for want of node tags the input does not give: say so, at info, rather than assert it.
        const unsure = blocked.every((b) => b.unsure);
        const unsureText = unsure
          ? ` This holds only if the nodes lack the tags or service accounts of ${sample(targetedAllows(firewalls).map((r) => `"${r.name}"`))}: the cluster input lists no node pools, so which rules reach the nodes is unknown.`
          : '';
        ctx.report({
          object: service.obj,
          ...(unsure ? { severity: 'info' as const } : {}),
          path: [...sp.path, 'targetPort'],
          fixSteps: fix.steps,
          message: `Load balancer health checks cannot reach Service ${service.namespace}/${service.name} port ${sp.port} (${targetText}) on the nodes of ${clusterLabel(cluster)}: ${sentences(reasons)}${disabledAllows.size ? ` ${[...disabledAllows].map((n) => `"${n}"`).join(' and ')} would allow it but ${disabledAllows.size > 1 ? 'are' : 'is'} disabled.` : ''}${unsureText}${assumed.length ? ` Assumed: ${assumed.join('; ')}.` : ''}${notesText(fw, unknowns)} Fix: ${fix.text}.`,
          evidence: {
            ...(assumed.length ? { assumed } : {}),
            cluster: cluster.name,
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
            firewallPolicies: policies ? `evaluated (${policies.length})` : POLICIES_NOT_EVALUATED,
            command: fix.commands.join(' && '),
          },
        });
      }
    }
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
