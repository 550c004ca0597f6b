import { DATA } from '../snapshot/data-keys.js';
import { clusterEvidence, clusterLabel, clusterResource, clustersToCheck } from '../model/cluster-identity.js';
import { defineRule } from './define-rule.js';

export default defineRule({
  meta: {
    id: 'cluster-not-vpc-native',
    title: 'The cluster is routes-based, not VPC-native',
    severity: 'error',
    category: 'cloud',
    symptom: 'Services annotated for NEGs never get them (the NEG controller reports errors), and Ingresses fall back to instance groups and node ports.',
    cause:
      'Container-native load balancing sends traffic straight to pod IPs, which must be alias IPs of the node VMs. Only VPC-native clusters (`ipAllocationPolicy.useIpAliases: true`) give pods alias IPs; routes-based clusters route pod ranges through custom static routes that NEGs cannot address.',
    evidence:
      'The GKE cluster (`gcloud container clusters describe`): the rule fires when `ipAllocationPolicy.useIpAliases` is not true. Without a single known cluster, every cluster in the inputs is checked.',
    remediation:
      'VPC-native mode cannot be switched on for an existing cluster: create a new cluster with `--enable-ip-alias` (the default for new clusters) and migrate the workloads.',
    needs: [DATA.gcpCluster],
    explains: [
      { rule: 'neg-status-missing', on: 'cluster', why: "NEGs need alias IPs (a VPC-native cluster), so the NEG controller creates no NEG for any Service of this cluster." },
    ],
    defaults: {},
  },
  check(ctx) {
    const unknown: string[] = [];
    for (const c of clustersToCheck(ctx.snapshot, ctx.model)) {
      if (c.ipAllocationPolicy?.useIpAliases === true) continue;
      // An API answer or a whole describe output without the policy is an old routes-based cluster;
      // a pasted cluster trimmed of selfLink may simply have lost the field: that is not evidence.
      if (!c.ipAllocationPolicy && ctx.snapshot.source !== 'live' && !c.selfLink) {
        unknown.push(c.name);
        continue;
      }
      const how = c.ipAllocationPolicy ? 'ipAllocationPolicy.useIpAliases is false' : 'it has no ipAllocationPolicy';
      ctx.report({
        path: [],
        resource: clusterResource(c),
        message: `${clusterLabel(c)} is routes-based (${how}): pods get no alias IPs, so GKE cannot create NEGs and container-native load balancing does not work.`,
        evidence: { ...clusterEvidence(c), useIpAliases: c.ipAllocationPolicy?.useIpAliases ?? null },
      });
    }
    if (unknown.length > 0) {
      ctx.skip(`the input for ${unknown.join(', ')} has no ipAllocationPolicy and no selfLink (a trimmed paste?), so whether it is VPC-native is unknown; give \`gcloud container clusters describe ${unknown[0]} --format=json\``);
    }
  },
});
