import type { Fix } from '../findings.js';
import { asRecords, get } from '../util/values.js';
import { rolloutPlan, type RolloutPlan, type Workload } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backingServices, negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

export default defineRule({
  meta: {
    id: 'max-unavailable-nonzero',
    title: 'Rollout can take serving pods away before replacements are programmed',
    severity: 'warning',
    category: 'termination',
    symptom: '502s or "no healthy upstream" during rollouts, worst with few replicas: with one replica the only endpoint is removed before the new one is healthy in the load balancer.',
    cause:
      'During a rolling update, old endpoints are deprogrammed before new ones are programmed. With maxUnavailable > 0 the controller deletes serving pods before their replacements are Ready and attached to the NEG; Recreate deletes all of them first.',
    evidence:
      'The effective maxUnavailable, as the controller computes it: percentages of replicas (or the HPA\'s minReplicas) rounded down for maxUnavailable and up for maxSurge, defaults 25%/25%, and 1 when both resolve to 0. Error when it can remove every pod (or the strategy is Recreate); warning otherwise. StatefulSets cannot surge and are reported only when an update removes every pod.',
    remediation: 'Set strategy.rollingUpdate.maxUnavailable to 0 and maxSurge to 1 or more, so a new pod is serving before an old one goes.',
    needs: [DATA.workloads, DATA.services, DATA.hpas],
    fixable: true,
    defaults: {},
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model, { rolledOnly: true })) {
      const hpa = ctx.model.hpaMinReplicas(entry.workload);
      const plan = rolloutPlan(entry.workload, hpa?.minReplicas);
      if (!plan || plan.maxUnavailable === undefined || plan.maxUnavailable === 0) continue;
      const removesAll = plan.maxUnavailable >= plan.replicas;
      if (entry.workload.kind === 'StatefulSet' && !removesAll) continue;
      const replicas = `${plan.replicas} ${plan.replicas === 1 ? 'replica' : 'replicas'}${plan.replicasSource === 'hpa' ? ' (the HPA minReplicas)' : plan.replicasSource === 'default' ? ' (the default)' : ''}`;
      const message =
        plan.strategy === 'Recreate'
          ? `${workloadLabel(entry)} uses strategy Recreate: every rollout deletes all ${replicas} behind ${backingServices(entry)} before a new one serves.`
          : `${workloadLabel(entry)} has effective maxUnavailable ${plan.maxUnavailable} of ${replicas}${plan.maxUnavailableDefaulted ? ', from the default 25%' : ''}: a rollout ${removesAll ? 'can remove every endpoint' : 'removes serving endpoints'} of ${backingServices(entry)} before replacements are programmed.`;
      ctx.report({
        object: entry.workload.obj,
        path: plan.maxUnavailablePath,
        message,
        severity: removesAll || plan.strategy === 'Recreate' ? 'error' : 'warning',
        related: relatedServices(entry),
        ...maybeFix(entry.workload, plan),
      });
    }
  },
});

/**
 * maxUnavailable 0 needs maxSurge ≥ 1 or the API server rejects the object.
 * Recreate is often chosen for ReadWriteOnce volumes, and a DaemonSet with a
 * hostPort cannot surge: neither is changed automatically.
 */
function maybeFix(workload: Workload, plan: RolloutPlan): { fix?: Fix } {
  if (plan.strategy !== 'RollingUpdate') return {};
  const base = workload.kind === 'Deployment' ? ['spec', 'strategy', 'rollingUpdate'] : ['spec', 'updateStrategy', 'rollingUpdate'];
  if (workload.kind === 'StatefulSet') return {};
  if (workload.kind === 'DaemonSet') {
    const usesHostPort = asRecords(workload.podSpec.containers).some((c) => asRecords(c.ports).some((p) => p.hostPort !== undefined));
    if (usesHostPort || get(workload.podSpec, 'hostNetwork') === true) return {};
  }
  const edits: Fix['edits'] = [{ op: 'set', path: [...base, 'maxUnavailable'], value: 0 }];
  if ((plan.maxSurge ?? 0) < 1) edits.push({ op: 'set', path: [...base, 'maxSurge'], value: 1 });
  return { fix: { description: `set maxUnavailable to 0${edits.length > 1 ? ' and maxSurge to 1' : ''}`, edits } };
}
