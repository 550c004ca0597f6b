import { DATA } from '../snapshot/data-keys.js';
import { clusterEvidence, clusterLabel, clusterResource, clustersToCheck } from '../model/cluster-identity.js';
import { defineRule } from './define-rule.js';

export default defineRule({
  meta: {
    id: 'http-load-balancing-disabled',
    title: 'The HttpLoadBalancing add-on is disabled',
    severity: 'error',
    category: 'cloud',
    symptom: 'Ingresses never get an address, Services never get NEGs or a neg-status annotation, and pods with the NEG readiness gate stay unready.',
    cause:
      'The HttpLoadBalancing add-on runs the GKE Ingress controller and the NEG controller. With it disabled nothing programs load balancers, NEGs, health checks or the health-check firewall rule for the cluster.',
    evidence:
      'The GKE cluster (`gcloud container clusters describe`): the rule fires when `addonsConfig.httpLoadBalancing.disabled` is true. Without a single known cluster, every cluster in the inputs is checked.',
    remediation:
      'Enable the add-on: `gcloud container clusters update CLUSTER --location LOCATION --update-addons=HttpLoadBalancing=ENABLED`.',
    needs: [DATA.gcpCluster],
    explains: [
      { rule: 'ingress-no-address', on: 'cluster', why: "Without the HttpLoadBalancing add-on no controller builds a load balancer for any gce Ingress of the cluster, so none gets an address." },
      { rule: 'neg-status-missing', on: 'cluster', why: "The NEG controller runs with the HttpLoadBalancing add-on, so with it disabled no Service of the cluster gets its NEGs." },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const c of clustersToCheck(ctx.snapshot, ctx.model)) {
      if (c.addonsConfig?.httpLoadBalancing?.disabled !== true) continue;
      const command = `gcloud container clusters update ${c.name}${c.location ? ` --location ${c.location}` : ''} --update-addons=HttpLoadBalancing=ENABLED`;
      ctx.report({
        path: [],
        resource: clusterResource(c),
        message: `${clusterLabel(c)} has the HttpLoadBalancing add-on disabled: nothing creates NEGs or programs the load balancer for its Ingresses; enable it with \`${command}\`.`,
        evidence: { ...clusterEvidence(c), command },
      });
    }
  },
});
