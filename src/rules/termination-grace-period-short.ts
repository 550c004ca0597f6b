import { readPreStop } from '../model/termination.js';
import { gracePeriodSeconds } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { DRAIN_MARGIN_SECONDS } from './prestop-hook-missing.js';
import { backingServices, negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

export default defineRule({
  meta: {
    id: 'termination-grace-period-short',
    title: 'Termination grace period is shorter than endpoint propagation',
    severity: 'warning',
    category: 'termination',
    symptom: 'Requests fail during rollouts because pods are gone before the load balancer stops sending them traffic.',
    cause:
      'Removing an endpoint from a NEG and from the load balancer takes longer than a workload rollout step. GKE recommends terminationGracePeriodSeconds of 60 s or more for workloads behind container-native load balancing; the default is 30 s.',
    evidence: 'The pod template of a NEG-backed workload sets terminationGracePeriodSeconds below the threshold, or leaves the 30 s default.',
    remediation: 'Set terminationGracePeriodSeconds to at least 60 (and above any preStop sleep plus shutdown time).',
    needs: [DATA.workloads, DATA.services],
    fixable: true,
    options: {
      minSeconds: { type: 'integer', minimum: 0, description: 'Smallest acceptable terminationGracePeriodSeconds.' },
    },
    explains: [
      { rule: 'lb-errors-at-pod-termination', on: 'workload', why: 'A grace period shorter than the time the load balancer needs to stop routing to a terminating pod kills it while requests still arrive.' },
    ],
    defaults: { minSeconds: 60 },
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model)) {
      const raw = entry.workload.podSpec.terminationGracePeriodSeconds;
      const grace = gracePeriodSeconds(entry.workload);
      // A value of the wrong type is reported by manifest-invalid, not judged here as the default.
      if (raw !== undefined && !grace.explicit) continue;
      if (grace.seconds >= ctx.options.minSeconds) continue;
      const longestSleep = Math.max(
        0,
        ...entry.servingContainers.map((s) => {
          const preStop = readPreStop(s.container.container);
          return preStop.kind === 'sleep' ? Math.ceil(preStop.seconds) + DRAIN_MARGIN_SECONDS : 0;
        }),
      );
      const target = Math.max(ctx.options.minSeconds, longestSleep);
      ctx.report({
        object: entry.workload.obj,
        path: [...entry.workload.podSpecPath, 'terminationGracePeriodSeconds'],
        message: `${workloadLabel(entry)} serves ${backingServices(entry)} with terminationGracePeriodSeconds ${grace.seconds}${grace.explicit ? '' : ' (the default)'}, below ${ctx.options.minSeconds} s: pods can stop before the load balancer stops sending them requests.`,
        related: relatedServices(entry),
        fix: {
          description: `set terminationGracePeriodSeconds to ${target}`,
          edits: [{ op: 'set', path: [...entry.workload.podSpecPath, 'terminationGracePeriodSeconds'], value: target }],
        },
      });
    }
  },
});
