import { readPreStop } from '../model/termination.js';
import { gracePeriodSeconds } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { DRAIN_MARGIN_SECONDS } from './prestop-hook-missing.js';
import { negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

export default defineRule({
  meta: {
    id: 'prestop-exceeds-grace-period',
    title: 'preStop sleep is as long as the termination grace period',
    severity: 'error',
    category: 'termination',
    symptom: 'Pods are killed with SIGKILL during rollouts; in-flight requests fail and the application never runs its own shutdown.',
    cause:
      'terminationGracePeriodSeconds (default 30) covers the preStop hook and the shutdown after it. When the hook sleeps that long or longer, the kubelet kills the container before SIGTERM is even delivered.',
    evidence:
      'The serving container\'s preStop hook sleeps N seconds (the `sleep` action, `exec sleep N`, or `sh -c "sleep N; …"`) and N ≥ the pod\'s terminationGracePeriodSeconds. httpGet hooks are not judged: their duration is unknown.',
    remediation: 'Raise terminationGracePeriodSeconds above the preStop sleep plus the time the application needs to shut down, or shorten the sleep.',
    needs: [DATA.workloads, DATA.services],
    fixable: true,
    explains: [
      { rule: 'lb-errors-at-pod-termination', on: 'workload', why: 'A preStop sleep longer than the grace period gets the container killed mid-sleep, with requests still routed to it.' },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model)) {
      const grace = gracePeriodSeconds(entry.workload);
      for (const serving of entry.servingContainers) {
        const preStop = readPreStop(serving.container.container);
        if (preStop.kind !== 'sleep' || preStop.seconds < grace.seconds) continue;
        const target = Math.ceil(preStop.seconds) + DRAIN_MARGIN_SECONDS;
        ctx.report({
          object: entry.workload.obj,
          path: [...serving.container.path, ...preStop.path],
          message: `preStop of container ${serving.container.name} sleeps ${preStop.seconds} s but ${workloadLabel(entry)} has terminationGracePeriodSeconds ${grace.seconds}${grace.explicit ? '' : ' (the default)'}: the container is killed before the hook ends and never drains.`,
          related: relatedServices(entry),
          fix: {
            description: `raise terminationGracePeriodSeconds to ${target}`,
            edits: [{ op: 'set', path: [...entry.workload.podSpecPath, 'terminationGracePeriodSeconds'], value: target }],
          },
        });
      }
    }
  },
});
