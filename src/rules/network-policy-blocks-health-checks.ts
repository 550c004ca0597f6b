import { evaluateIngress, podInfoFromTemplate } from '../analysis/network-policy.js';
import { asRecord, get } from '../util/values.js';
import { nameOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { relatedServices, workloadLabel } from '../model/scope.js';
import { servingPorts } from '../model/serving-ports.js';

export default defineRule({
  meta: {
    id: 'network-policy-blocks-health-checks',
    title: 'A NetworkPolicy drops the load balancer health checks',
    severity: 'error',
    category: 'wiring',
    symptom: 'Every backend is UNHEALTHY and the Ingress answers 502, although the pods are Ready and the firewall rule is in place.',
    cause:
      'With container-native load balancing the health checkers (and the Google front ends) connect straight to the pod IP from Google\'s ranges (130.211.0.0/22 and 35.191.0.0/16). Once a NetworkPolicy selects the pod for ingress, only what its rules admit gets through; namespace and pod selectors only ever match in-cluster pods, never these ranges.',
    evidence:
      'For each serving port of a NEG-backed workload, the NetworkPolicies of its namespace are evaluated against the pod template labels: policyTypes (with defaults), ipBlock cidr/except, ports (number, name, endPort, protocol). The rule fires when the pod is isolated and some health-check range (settings healthCheckRanges) is not admitted on the port the health check probes.',
    remediation:
      'Add an ingress rule to the policy with ipBlock entries for every health-check range (130.211.0.0/22 and 35.191.0.0/16) on the serving port (and the proxy-only subnet for internal Ingress).',
    needs: [DATA.workloads, DATA.services, DATA.networkPolicies, DATA.backendConfigs],
    explains: [
      { rule: 'backend-unhealthy', on: 'service-port', why: "A NetworkPolicy that drops the health-check ranges on the probed port makes every endpoint of that Service port's NEG fail its health check." },
    ],
    defaults: {},
  },
  check(ctx) {
    const policies = ctx.model.kind('NetworkPolicy').map((o) => o.object);
    if (policies.length === 0) return;
    const seen = new Set<string>();
    for (const sp of servingPorts(ctx.model)) {
      const port = sp.healthCheck.port;
      if (port === undefined) continue;
      const workload = sp.entry.workload;
      const key = `${workload.obj.id}:${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const template = workload.templatePath.length ? asRecord(get(workload.obj.object, ...workload.templatePath)) : workload.obj.object;
      const pod = podInfoFromTemplate(template, workload.namespace);
      const verdict = evaluateIngress(policies, pod, { ranges: ctx.settings.healthCheckRanges, port, protocol: 'TCP' });
      if (!verdict.isolated || verdict.admitted) continue;
      const policyObjs = ctx.model
        .kind('NetworkPolicy')
        .filter((o) => o.object.metadata.namespace === workload.namespace || (!o.object.metadata.namespace && workload.namespace === 'default'))
        .filter((o) => verdict.policies.includes(nameOf(o)));
      const target = policyObjs[0] ?? workload.obj;
      const ranges = verdict.uncoveredRanges ?? [];
      ctx.report({
        object: target,
        path: target === workload.obj ? workload.podSpecPath : get(target.object, 'spec', 'ingress') !== undefined ? ['spec', 'ingress'] : ['spec'],
        message: `NetworkPolicy ${verdict.policies.join(', ')} isolates the pods of ${workloadLabel(sp.entry)} and admits no traffic from health-check range${ranges.length === 1 ? '' : 's'} ${ranges.join(', ')} on TCP port ${port}, which the load balancer health check probes: every endpoint will be unhealthy.`,
        related: [workload.obj, ...relatedServices(sp.entry)],
        evidence: { uncovered: verdict.uncovered, policies: verdict.policies, port, problems: verdict.problems, workload: `${workload.kind}/${workload.namespace}/${workload.name}` },
      });
    }
  },
});
