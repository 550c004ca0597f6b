import { asCount } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backingServices, negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

const KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout']);

export default defineRule({
  meta: {
    id: 'single-replica-backend',
    title: 'Load balancer backend has a single replica',
    severity: 'warning',
    category: 'termination',
    symptom: 'Outages during every rollout, node upgrade or pod eviction; the load balancer has one endpoint, and zones without it are programmed only when a pod lands there.',
    cause:
      'A container-native load balancer sends traffic straight to pod IPs. With one pod, any disruption leaves the backend service with no healthy endpoint, and the load-balancer infrastructure in a zone is only programmed once that zone holds an endpoint.',
    evidence: 'A NEG-backed Deployment or StatefulSet whose replicas (or HPA minReplicas, when an HPA targets it) is below 2.',
    remediation: 'Run at least 2 replicas (set the HPA\'s minReplicas to 2 or more), spread over the cluster\'s zones, with a PodDisruptionBudget.',
    needs: [DATA.workloads, DATA.services, DATA.hpas],
    defaults: {},
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model, { rolledOnly: true })) {
      if (!KINDS.has(entry.workload.kind)) continue;
      const spec = entry.workload.obj.object.spec as Record<string, unknown>;
      const hpa = ctx.model.hpaMinReplicas(entry.workload);
      if (hpa) {
        if (hpa.minReplicas >= 2) continue;
        ctx.report({
          object: hpa.hpa,
          path: ['spec', 'minReplicas'],
          message: `HorizontalPodAutoscaler ${hpa.hpa.object.metadata.name} lets ${workloadLabel(entry)} scale down to ${hpa.minReplicas} replica behind ${backingServices(entry)}: a single pod leaves no endpoint during rollouts and disruptions.`,
          related: [entry.workload.obj, ...relatedServices(entry)],
        });
        continue;
      }
      if (spec.replicas !== undefined && asCount(spec.replicas) === undefined) continue; // wrong type: manifest-invalid
      const replicas = asCount(spec.replicas) ?? 1;
      if (replicas >= 2) continue;
      ctx.report({
        object: entry.workload.obj,
        path: ['spec', 'replicas'],
        message: `${workloadLabel(entry)} runs ${replicas} ${replicas === 1 ? 'replica' : 'replicas'}${spec.replicas === undefined ? ' (the default)' : ''} behind ${backingServices(entry)}: ${replicas === 0 ? 'the backend has no endpoint at all' : 'a single pod leaves no endpoint during rollouts and disruptions'}.`,
        related: relatedServices(entry),
      });
    }
  },
});
