import {
  evaluateFirewallIngress,
  evaluateFirewallIngressWithPolicies,
  type FirewallPolicy,
  type FirewallTarget,
  type FirewallVerdict,
} from '../analysis/firewall.js';
import { selects, type NegService, type ServicePort } from '../model/index.js';
import { asArray, asRecords, asString, get, isRecord } from '../model/values.js';
import { namespaceOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GcpFirewall, GkeCluster } from '../snapshot/types.js';
import { clusterIdentity, clusterLabel, clusterNetwork, negsOfServicePort, targetCluster } from './cloud-state.js';
import { defineRule, type RuleContext } from './define-rule.js';

type Ctx = Pick<RuleContext<unknown>, 'model' | 'snapshot'>;
import { livePods, podLabels, SERVICE_NAME_LABEL } from './live-state.js';
import { servingPorts } from './wiring-shared.js';

const POLICIES_NOT_EVALUATED = 'hierarchical and network firewall policies were not collected and not evaluated';

interface NodeTarget {
  pools: string[];
  target: FirewallTarget;
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

function nodeTargets(cluster: GkeCluster, firewalls: readonly GcpFirewall[]): NodeTarget[] {
  const auto = autoNodeTags(cluster, firewalls);
  const byKey = new Map<string, NodeTarget>();
  const pools = cluster.nodePools?.length ? cluster.nodePools : [{ name: '(node pools unknown)' }];
  for (const pool of pools) {
    const config = (pool as { config?: { tags?: string[]; serviceAccount?: string } }).config;
    const tags = [...new Set([...(config?.tags ?? []), ...auto])].sort();
    // "default" is the Compute Engine default service account, whose e-mail (PROJECT_NUMBER-compute@…) is not known here.
    const account = config?.serviceAccount && config.serviceAccount !== 'default' ? config.serviceAccount : undefined;
    const target: FirewallTarget = { tags, ...(account ? { serviceAccount: account } : {}) };
    const key = JSON.stringify(target);
    const existing = byKey.get(key);
    if (existing) existing.pools.push(pool.name);
    else byKey.set(key, { pools: [pool.name], target });
  }
  return [...byKey.values()];
}

/** Container ports a named targetPort stands for: serving containers, EndpointSlices, live pods. */
function resolveNamedTargetPort(ctx: Ctx, negService: NegService, port: ServicePort): number[] {
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

function usesIpv6(cluster: GkeCluster, negService: NegService): boolean {
  const stack = asString(cluster.ipAllocationPolicy?.stackType);
  if (stack !== 'IPV4_IPV6') return false;
  const families = asArray(get(negService.service.obj.object.spec, 'ipFamilies'));
  return families.includes('IPv6');
}

function policiesOf(ctx: Ctx): FirewallPolicy[] | undefined {
  if (ctx.snapshot.data[DATA.gcpFirewallPolicies]?.state !== 'collected') return undefined;
  return (ctx.snapshot.cloud?.firewallPolicies ?? []).filter(isRecord) as unknown as FirewallPolicy[];
}

export default defineRule({
  meta: {
    id: 'firewall-health-check-blocked',
    title: 'The firewall keeps the load balancer health checks away from the pods',
    severity: 'error',
    category: 'cloud',
    symptom: 'Every NEG endpoint is UNHEALTHY, the Ingress answers 502 "failed_to_pick_backend", and pods with the NEG readiness gate never become ready.',
    cause:
      'Health checks (and traffic from the Google front ends) come from 130.211.0.0/22 and 35.191.0.0/16 straight to the pod port on the node. The ingress-gce controller keeps a `k8s-fw-l7--…` rule open for the NEG ports, but with Shared VPC it often lacks the permission to write it, a hand-made rule may open only the node-port range 30000-32767, a named targetPort may be missed, a higher-priority deny may shadow the allow, or the allow may be disabled.',
    evidence:
      'The VPC firewall rules of the cluster network, evaluated for every health-check range (settings healthCheckRanges; the IPv6 ranges for dual-stack Services) × every serving port (the container port behind each NEG Service targetPort, named ports resolved through the pod templates, EndpointSlices or live pods; BackendConfig health-check ports) × every node pool target (network tags, including GKE\'s own gke-<cluster>-<hash>-node tag when a rule names it, and service account). Priority, deny-before-allow, disabled rules, targets, protocols and port ranges are honoured. Hierarchical and network firewall policies are evaluated when they were collected; otherwise findings say so and a VPC allow is taken at its word.',
    remediation:
      'Add (or fix) an ingress allow rule on the cluster network from 130.211.0.0/22 and 35.191.0.0/16 to the node tag on the serving port, with a priority above any deny that matches, e.g. `gcloud compute firewall-rules create allow-gke-health-checks --network NET --direction INGRESS --allow tcp:PORT --source-ranges 130.211.0.0/22,35.191.0.0/16 --target-tags NODE_TAG`. With Shared VPC, the host project admin creates it.',
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
    const firewalls = ctx.snapshot.cloud?.firewalls ?? [];
    const network = clusterNetwork(cluster);
    const targets = nodeTargets(cluster, firewalls);
    const policies = policiesOf(ctx);
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
    const verdicts = new Map<string, { verdict: FirewallVerdict; disabledAllows: string[] }>();
    const evaluateOnce = (range: string, port: number, targetIndex: number) => {
      const key = `${range}\0${port}\0${targetIndex}`;
      const cached = verdicts.get(key);
      if (cached) return cached;
      const { target } = targets[targetIndex]!;
      const query = { sourceRange: range, port, target, ...(network ? { network } : {}) };
      const verdict = policies ? evaluateFirewallIngressWithPolicies(policies, firewalls, query) : evaluateFirewallIngress(firewalls, query);
      const disabledAllows: string[] = [];
      if (!verdict.allowed && firewalls.some((r) => r.disabled === true)) {
        // Would a disabled rule have let it through? Then name it: enabling it is the fix.
        const enabled = firewalls.map((r) => (r.disabled === true ? { ...r, disabled: false } : r));
        const again = policies ? evaluateFirewallIngressWithPolicies(policies, enabled, query) : evaluateFirewallIngress(enabled, query);
        if (again.allowed) for (const r of again.rules) if (firewalls.find((f) => f.name === r.name)?.disabled === true) disabledAllows.push(r.name);
      }
      const result = { verdict, disabledAllows };
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
        if (ports.size === 0) {
          unresolved.push(`${service.namespace}/${service.name}:${sp.port} (targetPort "${String(sp.targetPort)}")`);
          continue;
        }
        evaluated++;
        const ranges = [...ctx.settings.healthCheckRanges, ...(usesIpv6(cluster, negService) ? ctx.settings.healthCheckRangesIpv6 : [])];
        const disabledAllows = new Set<string>();
        const blocked: Array<{ port: number; range: string; pools: string[]; verdict: Extract<FirewallVerdict, { allowed: false }> }> = [];
        for (const port of [...ports].sort((a, b) => a - b)) {
          for (const range of ranges) {
            targets.forEach(({ pools }, targetIndex) => {
              const { verdict, disabledAllows: names } = evaluateOnce(range, port, targetIndex);
              if (!verdict.allowed) blocked.push({ port, range, pools, verdict });
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
        const tag = targets[0]?.target.tags.find((t) => /^gke-.+-node$/.test(t)) ?? targets[0]?.target.tags[0] ?? 'NODE_TAG';
        const command = `gcloud compute firewall-rules create allow-gke-health-checks${network ? ` --network ${network}` : ''} --direction INGRESS --allow ${blockedPorts.map((p) => `tcp:${p}`).join(',')} --source-ranges ${blockedRanges.join(',')} --target-tags ${tag}`;
        ctx.report({
          object: service.obj,
          path: [...sp.path, 'targetPort'],
          message: `Load balancer health checks cannot reach Service ${service.namespace}/${service.name} port ${sp.port} (${targetText}) on the nodes of ${clusterLabel(cluster)}: ${reasons.join(' ')}${disabledAllows.size ? ` ${[...disabledAllows].map((n) => `"${n}"`).join(' and ')} would allow it but ${disabledAllows.size > 1 ? 'are' : 'is'} disabled.` : ''}${policies ? '' : ` Note: ${POLICIES_NOT_EVALUATED}.`}`,
          evidence: {
            cluster: cluster.name,
            ...(network ? { network } : {}),
            ports: blockedPorts,
            ranges: blockedRanges,
            ...(deniers.length ? { blockedBy: deniers } : {}),
            ...(disabledAllows.size ? { disabledAllows: [...disabledAllows] } : {}),
            nearMisses: [...new Set(blocked.flatMap((b) => (b.verdict.nearMisses ?? []).map((r) => r.name)))],
            uncovered: [...new Set(blocked.flatMap((b) => b.verdict.uncovered ?? []))],
            nodeTargets: targets.map((t) => ({ pools: t.pools, tags: t.target.tags, serviceAccount: t.target.serviceAccount ?? null })),
            firewallPolicies: policies ? 'evaluated' : POLICIES_NOT_EVALUATED,
            command,
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
