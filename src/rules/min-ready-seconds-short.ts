import { asCount } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backingServices, negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

const KINDS = new Set(['Deployment', 'DaemonSet']);

export default defineRule({
  meta: {
    id: 'min-ready-seconds-short',
    title: 'minReadySeconds is shorter than endpoint propagation',
    severity: 'info',
    category: 'termination',
    symptom: 'A rollout finishes before the new pods receive load-balancer traffic, so old pods are removed while new endpoints are still being programmed.',
    cause:
      'A pod counts as available minReadySeconds after it turns Ready. Programming a new NEG endpoint into the load balancer can take longer than that, so GKE recommends 60 s or more where pod readiness gates are not relied on.',
    evidence: 'A NEG-backed Deployment or DaemonSet with minReadySeconds below the threshold (default 0).',
    remediation: 'Set spec.minReadySeconds to 60 or more, or rely on the NEG readiness gate (GKE ≥ 1.13 injects it for NEG-backed pods) and lower this rule to off.',
    needs: [DATA.workloads, DATA.services],
    options: {
      minSeconds: { type: 'integer', minimum: 0, description: 'Smallest acceptable minReadySeconds.' },
    },
    defaults: { minSeconds: 60 },
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model, { rolledOnly: true })) {
      if (!KINDS.has(entry.workload.kind)) continue;
      const raw = (entry.workload.obj.object.spec as Record<string, unknown>).minReadySeconds;
      const value = asCount(raw);
      if (raw !== undefined && value === undefined) continue; // wrong type: manifest-invalid reports it
      const seconds = value ?? 0;
      if (seconds >= ctx.options.minSeconds) continue;
      ctx.report({
        object: entry.workload.obj,
        path: ['spec', 'minReadySeconds'],
        message: `${workloadLabel(entry)} serves ${backingServices(entry)} with minReadySeconds ${seconds}${value === undefined ? ' (the default)' : ''}, below ${ctx.options.minSeconds} s: the rollout can move on before new endpoints receive traffic.`,
        related: relatedServices(entry),
      });
    }
  },
});
