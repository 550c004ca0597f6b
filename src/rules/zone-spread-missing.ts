import { asCount, asRecord, asRecords, asString } from '../util/values.js';
import type { Workload } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backingServices, negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

const ZONE_KEYS = new Set(['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']);
const KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout']);

export default defineRule({
  meta: {
    id: 'zone-spread-missing',
    title: 'Replicas are not spread across zones',
    severity: 'info',
    category: 'termination',
    symptom: 'A zonal outage, or a rollout in a zone, removes all endpoints; new zones cause a programming pause when their first endpoint appears.',
    cause:
      'GKE creates one NEG per zone and programs a zone in the load balancer only once it holds an endpoint. Without a zone spread constraint, the scheduler may place all replicas in one zone.',
    evidence: 'A NEG-backed workload with 2 or more replicas and neither a topologySpreadConstraint nor a pod anti-affinity term on topology.kubernetes.io/zone.',
    remediation: 'Add a topologySpreadConstraint with topologyKey topology.kubernetes.io/zone (maxSkew 1, whenUnsatisfiable ScheduleAnyway) selecting the pods.',
    needs: [DATA.workloads, DATA.services, DATA.hpas],
    explains: [
      { rule: 'pods-single-zone', on: 'workload', why: "Without a zone spread constraint or anti-affinity the scheduler is free to put all of that workload's pods in one zone." },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model, { rolledOnly: true })) {
      if (!KINDS.has(entry.workload.kind)) continue;
      const spec = entry.workload.obj.object.spec as Record<string, unknown>;
      const replicas = ctx.model.hpaMinReplicas(entry.workload)?.minReplicas ?? asCount(spec.replicas) ?? 1;
      if (replicas < 2 || spreadsAcrossZones(entry.workload)) continue;
      ctx.report({
        object: entry.workload.obj,
        path: [...entry.workload.podSpecPath, 'topologySpreadConstraints'],
        message: `${workloadLabel(entry)} runs ${replicas} replicas behind ${backingServices(entry)} with no zone topology spread or zone anti-affinity: they may all land in one zone.`,
        related: relatedServices(entry),
      });
    }
  },
});

export function spreadsAcrossZones(workload: Workload): boolean {
  if (asRecords(workload.podSpec.topologySpreadConstraints).some((c) => ZONE_KEYS.has(asString(c.topologyKey) ?? ''))) return true;
  const antiAffinity = asRecord(asRecord(workload.podSpec.affinity)?.podAntiAffinity);
  if (!antiAffinity) return false;
  const required = asRecords(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
  const preferred = asRecords(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((p) => asRecord(p.podAffinityTerm) ?? {});
  return [...required, ...preferred].some((term) => ZONE_KEYS.has(asString(term.topologyKey) ?? ''));
}
