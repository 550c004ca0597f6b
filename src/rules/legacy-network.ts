import { DATA } from '../snapshot/data-keys.js';
import type { GcpNetwork } from '../snapshot/types.js';
import { clusterLabel, clusterNetwork, targetCluster } from '../model/cluster-identity.js';
import { lastSegment } from '../util/text.js';
import { defineRule } from './define-rule.js';

export default defineRule({
  meta: {
    id: 'legacy-network',
    title: 'The cluster sits on a legacy (non-subnet) VPC network',
    severity: 'error',
    category: 'cloud',
    symptom: 'Creating a VPC-native cluster fails with "IP aliases cannot be used with a legacy network", and the Ingress never gets NEGs: container-native load balancing is unavailable.',
    cause:
      'A legacy network has one global IPv4 range (its `IPv4Range` field) and no subnets. Alias IP ranges need subnets, so a cluster on it can only be routes-based, and NEGs of type GCE_VM_IP_PORT need alias IPs.',
    evidence:
      'The Google Cloud network of the cluster (`gcloud compute networks describe`): the rule fires when `IPv4Range` is set. Without a known cluster, every network in the inputs is checked.',
    remediation:
      'Create a VPC network in custom (or auto) subnet mode, create a VPC-native cluster on it (`gcloud container clusters create --enable-ip-alias --network NET --subnetwork SUBNET`) and move the workloads; a legacy network cannot be converted in place.',
    needs: [DATA.gcpNetwork],
    explains: [
      { rule: 'neg-status-missing', on: 'cluster', why: "NEGs need alias IPs, which a legacy network cannot have, so the NEG controller creates no NEG for any Service of the cluster." },
    ],
    defaults: {},
  },
  check(ctx) {
    const networks = ctx.snapshot.cloud?.networks ?? [];
    const { cluster } = targetCluster(ctx.snapshot, ctx.model);
    const wanted = cluster ? clusterNetwork(cluster) : undefined;
    let checked: GcpNetwork[] = networks;
    if (wanted) {
      checked = networks.filter((n) => n.name === wanted || lastSegment(n.selfLink) === wanted);
      if (checked.length === 0) {
        ctx.skip(`network ${wanted} of ${clusterLabel(cluster!)} is not in the Google Cloud state (give \`gcloud compute networks describe ${wanted} --format=json\`)`);
        return;
      }
    }
    for (const network of checked) {
      if (typeof network.IPv4Range !== 'string' || network.IPv4Range === '') continue;
      const who = cluster ? `${clusterLabel(cluster)} uses network ${network.name}` : `Network ${network.name}`;
      ctx.report({
        path: [],
        resource: `compute/global/networks/${network.name}`,
        message: `${who}${cluster ? ', which' : ''} is a legacy network (IPv4Range ${network.IPv4Range}, no subnets): IP aliases cannot be used with a legacy network, so NEGs and container-native load balancing are unavailable.`,
        evidence: {
          resource: `compute/global/networks/${network.name}`,
          network: network.name,
          IPv4Range: network.IPv4Range,
          ...(network.selfLink ? { selfLink: network.selfLink } : {}),
          ...(cluster ? { cluster: cluster.name } : {}),
        },
      });
    }
  },
});
