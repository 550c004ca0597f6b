import { networkName } from '../analysis/firewall/match.js';
import { proxyLoadBalancers } from '../model/proxy-load-balancers.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GcpSubnetwork } from '../snapshot/types.js';
import { clusterLabel, clusterNetwork, targetCluster } from '../model/cluster-identity.js';
import { lastSegment } from '../util/text.js';
import { defineRule } from './define-rule.js';
import { proxySubnetsOf, regionOfLocation } from '../model/firewall-context.js';

export default defineRule({
  meta: {
    id: 'proxy-only-subnet-missing',
    title: 'An internal Ingress or regional Gateway has no proxy-only subnet in the cluster\'s region',
    severity: 'error',
    category: 'cloud',
    symptom:
      'The internal Ingress or the Gateway never gets an address; its events (or the Gateway status) say the forwarding rule cannot be created: "An active proxy-only subnetwork is required in the same region and VPC as the forwarding rule."',
    cause:
      'Internal Ingress (class gce-internal) and GKE\'s regional and cross-region Gateway classes (gke-l7-rilb, gke-l7-regional-external-managed, their -mc variants, gke-l7-cross-regional-internal-managed-mc) run on Envoy-based Application Load Balancers. Their proxies need a proxy-only subnet in the region and VPC network of the load balancer: purpose REGIONAL_MANAGED_PROXY (the older INTERNAL_HTTPS_LOAD_BALANCER also serves) for the regional ones, GLOBAL_MANAGED_PROXY for the cross-region internal ones, and role ACTIVE (a BACKUP subnet serves only after it is promoted).',
    evidence:
      'The subnetworks of the cluster\'s network in its region (`gcloud compute networks subnets list --network NET --regions REGION`), matched by network and region with purpose and role; the cluster\'s region comes from its location (a zone gives its region). Ingresses with class gce-internal (annotation or IngressClass) and gateway.networking.k8s.io Gateways of those classes are checked.',
    remediation:
      'Create the proxy-only subnet, e.g. `gcloud compute networks subnets create proxy-only-REGION --purpose=REGIONAL_MANAGED_PROXY --role=ACTIVE --region=REGION --network=NET --range=CIDR` (a /23 is recommended; GLOBAL_MANAGED_PROXY for cross-region classes), or promote a BACKUP one with `gcloud compute networks subnets update NAME --region=REGION --role=ACTIVE`. With Shared VPC, the host project admin creates it.',
    needs: [DATA.gcpSubnetworks, DATA.gcpCluster, DATA.ingresses],
    explains: [
      { rule: 'ingress-sync-errors', on: 'ingress', why: "The Ingress controller fails to create the internal forwarding rule without a proxy-only subnet and reports that error on the Ingress (\"An active proxy-only subnetwork is required\")." },
      { rule: 'ingress-no-address', on: 'ingress', why: "Without a proxy-only subnet the internal load balancer's forwarding rule cannot be created, so that Ingress gets no address." },
      { rule: 'gateway-not-programmed', on: 'gateway', why: "Without a proxy-only subnet the Gateway controller cannot create the regional load balancer's forwarding rule, so that Gateway is not programmed and gets no address." },
    ],
    defaults: {},
  },
  check(ctx) {
    const balancers = proxyLoadBalancers(ctx.model);
    // No internal Ingress and no regional or cross-region Gateway: nothing needs a proxy-only subnet.
    if (balancers.length === 0) {
      // Only the Gateway half depends on the Gateway API: internal Ingresses were judged; Gateways could not be.
      const gateways = ctx.snapshot.data[DATA.gateways];
      if (gateways?.state !== 'collected') ctx.skip(`no internal Ingress in the inputs needs one, and the Gateways, the other half, were not collected${gateways?.reason ? ` (${gateways.reason})` : ''}`);
      return;
    }
    const { cluster, reason } = targetCluster(ctx.snapshot, ctx.model);
    if (!cluster) {
      ctx.skip(`the cluster's region and network are unknown: ${reason}`);
      return;
    }
    const network = clusterNetwork(cluster);
    const region = regionOfLocation(cluster.location);
    if (!network || !region) {
      ctx.skip(`${clusterLabel(cluster)} names no ${network ? 'location' : 'network'}`);
      return;
    }
    const subnets = ctx.snapshot.cloud?.subnetworks ?? [];
    for (const lb of balancers) {
      const { active, backup } = proxySubnetsOf(subnets, network, region, lb.purpose);
      if (active.length > 0) continue;
      const purposeText = lb.purpose === 'REGIONAL_MANAGED_PROXY' ? 'REGIONAL_MANAGED_PROXY (or INTERNAL_HTTPS_LOAD_BALANCER)' : 'GLOBAL_MANAGED_PROXY';
      const backupText = backup.length ? ` Only BACKUP proxy-only subnets exist there (${backup.map(describeSubnet).join(', ')}); a BACKUP subnet serves no proxies until it is promoted.` : '';
      const command = backup.length
        ? `gcloud compute networks subnets update ${backup[0]!.name} --region=${region} --role=ACTIVE`
        : `gcloud compute networks subnets create proxy-only-${region} --purpose=${lb.purpose} --role=ACTIVE --region=${region} --network=${network} --range=CIDR`;
      ctx.report({
        object: lb.obj,
        path: lb.classPath,
        fixSteps: [
          {
            command,
            explains: backup.length ? `promote the BACKUP proxy-only subnet ${backup[0]!.name} to ACTIVE` : `create an ACTIVE proxy-only subnet in ${region} of network ${network} (replace CIDR with a free range, /23 recommended)`,
          },
        ],
        message: `${lb.label} (class ${lb.className}) runs on an Envoy-based load balancer that needs an ACTIVE proxy-only subnet with purpose ${purposeText} in region ${region} of network ${network}, and ${clusterLabel(cluster)} has none there: the load balancer cannot be created.${backupText} Fix: \`${command}\`${backup.length ? '' : ' (CIDR: a free range, /23 recommended)'}.`,
        evidence: {
          cluster: cluster.name,
          network,
          region,
          purpose: lb.purpose,
          class: lb.className,
          ...(backup.length ? { backupSubnets: backup.map((s) => s.name) } : {}),
          proxySubnetsElsewhere: subnets
            .filter((s) => isProxyPurpose(s) && !(networkName(s.network ?? '') === network && lastSegment(s.region) === region))
            .map(describeSubnet),
          command,
        },
      });
    }
  },
});

function isProxyPurpose(subnet: GcpSubnetwork): boolean {
  return ['REGIONAL_MANAGED_PROXY', 'GLOBAL_MANAGED_PROXY', 'INTERNAL_HTTPS_LOAD_BALANCER'].includes(subnet.purpose ?? '');
}

function describeSubnet(subnet: GcpSubnetwork): string {
  return `${subnet.name} (${subnet.ipCidrRange ?? '?'}, ${subnet.purpose ?? '?'} ${subnet.role ?? '?'}, ${lastSegment(subnet.region) || '?'}/${networkName(subnet.network ?? '') || '?'})`;
}
