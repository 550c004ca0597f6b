import type { BlockedPair } from '../model/firewall-fix.js';
import type { ServiceInfo, ServicePort } from '../model/services.js';
import { proxyLoadBalancers, type ProxyLoadBalancer } from '../model/proxy-load-balancers.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GcpSubnetwork } from '../snapshot/types.js';
import { clusterLabel, targetCluster } from '../model/cluster-identity.js';
import { lastSegment } from '../util/text.js';
import { defineRule } from './define-rule.js';
import {
  decidingPolicy,
  firewallContext,
  fixCommands,
  notesText,
  proxySubnetsOf,
  resolveNamedTargetPort,
} from '../model/firewall-context.js';
import { sentences } from '../util/text.js';

export default defineRule({
  meta: {
    id: 'firewall-proxy-subnet-blocked',
    title: 'The firewall keeps the proxy-only subnet away from the pods behind an internal Ingress or regional Gateway',
    severity: 'error',
    category: 'cloud',
    symptom:
      'The internal Ingress or regional Gateway answers 502/503 ("no healthy upstream" or "upstream connect error") although the health checks pass and the pods are ready.',
    cause:
      'Envoy-based load balancers (internal Ingress, gke-l7-rilb, gke-l7-regional-external-managed, the cross-region internal classes) connect to the pods from the range of the proxy-only subnet, not from the health-check ranges. A firewall that admits 130.211.0.0/22 and 35.191.0.0/16 but not the proxy-only range lets every health check pass while every request fails; the ingress-gce and Gateway controllers do not always open it (Shared VPC, or a policy deny).',
    evidence:
      'For each internal Ingress and each Gateway of a class that needs a proxy-only subnet: the ACTIVE proxy-only subnets of the right purpose in the cluster\'s region and network, and the serving port of every Service behind it (Ingress backends; backendRefs of attached HTTPRoutes/GRPCRoutes; named target ports resolved as for health checks). Each subnet range × serving port × node pool target is judged by the same effective-firewall evaluator as firewall-health-check-blocked (hierarchical, system, VPC and network policies in Cloud NGFW order).',
    remediation:
      'Allow the proxy-only range to the serving ports, e.g. `gcloud compute firewall-rules create allow-proxy-only-subnet --network NET --direction INGRESS --allow tcp:PORT --source-ranges PROXY_RANGE --target-tags NODE_TAG`; when a firewall policy rule denies it, add a higher-precedence allow in that policy (the finding gives the command).',
    needs: [DATA.gcpSubnetworks, DATA.gcpFirewalls, DATA.gcpCluster, DATA.services, DATA.workloads, DATA.ingresses],
    defaults: {},
  },
  check(ctx) {
    const balancers = proxyLoadBalancers(ctx.model).filter((lb) => lb.backends.length > 0);
    // No Envoy-based load balancer with a backend Service in the inputs: no proxy traffic to judge.
    if (balancers.length === 0) {
      // Only the Gateway half depends on the Gateway API: internal Ingresses were judged; Gateways could not be.
      const gateways = ctx.snapshot.data[DATA.gateways];
      if (gateways?.state !== 'collected') ctx.skip(`no internal Ingress in the inputs needs one, and the Gateways, the other half, were not collected${gateways?.reason ? ` (${gateways.reason})` : ''}`);
      return;
    }
    const { cluster, reason } = targetCluster(ctx.snapshot, ctx.model);
    if (!cluster) {
      ctx.skip(`the nodes the proxies connect to are unknown: ${reason}`);
      return;
    }
    const fw = firewallContext(ctx.snapshot, cluster);
    if (!fw.network || !fw.region) {
      ctx.skip(`${clusterLabel(cluster)} names no ${fw.network ? 'location' : 'network'}`);
      return;
    }
    const subnets = ctx.snapshot.cloud?.subnetworks ?? [];
    // One finding per Service port, whatever number of load balancers route to it.
    const byPort = new Map<ServicePort, { service: ServiceInfo; port: ServicePort; balancers: ProxyLoadBalancer[]; subnets: GcpSubnetwork[] }>();
    for (const lb of balancers) {
      const { active } = proxySubnetsOf(subnets, fw.network, fw.region, lb.purpose);
      if (active.length === 0) continue; // proxy-only-subnet-missing reports it
      for (const { service, port } of lb.backends) {
        const entry = byPort.get(port) ?? { service, port, balancers: [], subnets: [] };
        if (!entry.balancers.includes(lb)) entry.balancers.push(lb);
        for (const subnet of active) if (!entry.subnets.includes(subnet)) entry.subnets.push(subnet);
        byPort.set(port, entry);
      }
    }
    let evaluated = 0;
    const unresolved: string[] = [];
    for (const { service, port, balancers: lbs, subnets: proxySubnets } of byPort.values()) {
      const negService = ctx.model.negServices.find((n) => n.service === service);
      const podPorts = new Set<number>();
      if (typeof port.targetPort === 'number') podPorts.add(port.targetPort);
      else if (negService) for (const p of resolveNamedTargetPort(ctx, negService, port)) podPorts.add(p);
      if (podPorts.size === 0) {
        unresolved.push(`${service.namespace}/${service.name}:${port.port} (targetPort "${String(port.targetPort)}")`);
        continue;
      }
      evaluated++;
      const blocked: Array<BlockedPair & { pools: string[] }> = [];
      for (const podPort of [...podPorts].sort((a, b) => a - b)) {
        for (const subnet of proxySubnets) {
          const range = subnet.ipCidrRange;
          if (!range) continue;
          for (const { pools, target } of fw.targets) {
            const verdict = fw.evaluate({ sourceRange: range, port: podPort, target, network: fw.network });
            if (!verdict.allowed) blocked.push({ range, port: podPort, pools, target, verdict });
          }
        }
      }
      if (blocked.length === 0) continue;
      const ranges = [...new Set(blocked.map((b) => b.range))];
      const ports = [...new Set(blocked.map((b) => b.port))];
      const reasons = [...new Set(blocked.map((b) => (fw.targets.length > 1 ? `${b.verdict.reason.replace(/\.$/, '')} (node pool ${b.pools.join(', ')}).` : b.verdict.reason)))];
      const unknowns = [...new Set(blocked.flatMap((b) => b.verdict.unknowns ?? []))];
      const fix = fixCommands(fw, blocked, 'allow-proxy-only-subnet');
      const policyBlock = blocked.find((b) => b.verdict.blockedByPolicyRule)?.verdict;
      const subnetText = proxySubnets.filter((s) => ranges.includes(s.ipCidrRange ?? '')).map((s) => `${s.name} ${s.ipCidrRange}`).join(', ');
      ctx.report({
        object: service.obj,
        path: [...port.path, 'targetPort'],
        fixSteps: fix.steps,
        message: `The proxies of ${lbs.map((lb) => lb.label).join(' and ')} connect to Service ${service.namespace}/${service.name} port ${port.port} (pod port ${ports.join(', ')}) from the proxy-only subnet (${subnetText}) in ${lastSegment(fw.region)}, but the firewall of ${clusterLabel(cluster)} does not let them in: ${sentences(reasons)}${notesText(fw, unknowns)} Fix: ${fix.text}.`,
        related: lbs.map((lb) => lb.obj),
        evidence: {
          cluster: cluster.name,
          network: fw.network,
          region: fw.region,
          loadBalancers: lbs.map((lb) => lb.label),
          proxyOnlySubnets: proxySubnets.map((s) => ({ name: s.name, range: s.ipCidrRange ?? null, purpose: s.purpose ?? null })),
          ports,
          ranges,
          ...(blocked.some((b) => b.verdict.blockedBy) ? { blockedBy: [...new Set(blocked.flatMap((b) => (b.verdict.blockedBy ? [b.verdict.blockedBy.name] : [])))] } : {}),
          ...(policyBlock ? { blockedByPolicyRule: decidingPolicy(policyBlock) } : {}),
          ...(unknowns.length ? { unknowns } : {}),
          enforcementOrder: fw.enforcementOrder,
          command: fix.commands.join(' && '),
        },
      });
    }
    // Without an ACTIVE proxy-only subnet there is no range to judge; proxy-only-subnet-missing reports that.
    if (evaluated === 0 && byPort.size > 0) {
      ctx.skip(`no serving port could be resolved: ${unresolved.join(', ')} (give the pod templates, EndpointSlices or pods)`);
    }
  },
});
