import { semverLib } from '../util/lazy.js';
import type { Settings } from '../model/settings.js';
import type { Fix } from '../findings.js';
import { readPreStop } from '../model/termination.js';
import { gracePeriodSeconds, type Workload } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import type { Path } from '../model/rule-contract.js';
import { backingServices, negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

/** Time the load balancer needs to stop sending new requests after an endpoint starts terminating. */
export const DRAIN_MARGIN_SECONDS = 15;

export default defineRule({
  meta: {
    id: 'prestop-hook-missing',
    title: 'Serving container has no preStop hook',
    severity: 'warning',
    category: 'termination',
    symptom: '502s or connection resets from the Ingress during rollouts, scale-downs and node drains.',
    cause:
      'When a pod terminates, Kubernetes sends SIGTERM at once while the NEG controller is still detaching the endpoint and the load balancer keeps sending it requests for several seconds. A container that exits (or stops accepting connections) on SIGTERM drops those requests.',
    evidence: 'The container that serves the NEG port (found through the Service targetPort) has no `lifecycle.preStop`.',
    remediation:
      'Add a preStop hook that keeps the container serving while the endpoint is deprogrammed — the `sleep` action (Kubernetes ≥ 1.30) or `exec: {command: ["sleep", "15"]}` — and keep it shorter than terminationGracePeriodSeconds. Alternatively make the application keep serving for a while after SIGTERM.',
    needs: [DATA.workloads, DATA.services],
    fixable: true,
    explains: [
      { rule: 'lb-errors-at-pod-termination', on: 'workload', why: 'A container without a preStop hook stops serving on SIGTERM while the load balancer still sends it requests: those are the 502s logged at its pods\' termination.' },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model)) {
      for (const serving of entry.servingContainers) {
        if (readPreStop(serving.container.container).kind !== 'none') continue;
        ctx.report({
          object: entry.workload.obj,
          path: [...serving.container.path, 'lifecycle', 'preStop'],
          message: `Container ${serving.container.name} of ${workloadLabel(entry)} serves ${backingServices(entry)} but has no preStop hook: on SIGTERM it stops serving while the load balancer still routes requests to it.`,
          related: relatedServices(entry),
          fix: preStopFix(entry.workload, serving.container.path, ctx.settings),
        });
      }
    }
  },
});

/**
 * A preStop sleep that leaves the drain margin inside the grace period. The
 * native `sleep` action needs no shell in the image but only exists from
 * Kubernetes 1.30; older clusters get `exec sleep`.
 */
function preStopFix(workload: Workload, containerPath: Path, settings: Settings): Fix {
  const grace = gracePeriodSeconds(workload).seconds;
  const seconds = Math.max(5, Math.min(30, grace - DRAIN_MARGIN_SECONDS));
  const version = settings.gkeVersion ? semverLib().coerce(settings.gkeVersion) : null;
  const native = !version || semverLib().gte(version, '1.30.0');
  const preStop = native ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
  return {
    description: `add a preStop hook that sleeps ${seconds} s (${native ? 'the sleep action' : 'exec sleep'})`,
    edits: [{ op: 'set', path: [...containerPath, 'lifecycle', 'preStop'], value: preStop }],
  };
}
