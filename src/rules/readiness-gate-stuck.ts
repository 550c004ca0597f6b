import { nameOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { defineRule } from './define-rule.js';
import type { Path } from '../model/rule-contract.js';
import { BATCH_KINDS, ownerChain } from '../model/owners.js';
import {
  NEG_NOT_READY,
  NEG_READINESS_GATE,
  NEG_READINESS_TIMEOUT_SECONDS,
  NEG_TIMEOUT,
  NEG_WITHOUT_HEALTH_CHECK,
  gateWaitSeconds,
  gateHeldForUnknownTime,
  negNotReadyEvents,
  UNKNOWN_TIME,
  readinessGateIndex,
} from '../model/readiness-gate.js';
import { condition } from '../model/conditions.js';
import { formatDuration, parseTime } from '../util/time.js';
import { isDeleting, isTerminal, livePods, negServicesOfPod } from '../model/pods.js';
import { serviceList } from '../model/labels.js';
import type { ServiceInfo } from '../model/services.js';
import { truncate } from '../util/text.js';

export default defineRule({
  meta: {
    id: 'readiness-gate-stuck',
    title: 'Pod held back by the NEG readiness gate',
    severity: 'error',
    category: 'live',
    symptom:
      'Pods show READY 0/1 with "readiness gates 0/1" while their containers are ready; rollouts stall, or new pods become Ready without the load balancer ever having seen them healthy.',
    cause:
      'With container-native load balancing, GKE adds the readiness gate cloud.google.com/load-balancer-neg-ready to pods behind a NEG. The NEG controller sets it True (LoadBalancerNegReady) only once the pod passes the load balancer health check. When the health check cannot reach the pod (wrong path or port, firewall, NetworkPolicy) the gate stays False; after 10 minutes the controller gives up and sets it True with reason LoadBalancerNegTimeout. A NEG not attached to a health-checked backend service sets it True with reason LoadBalancerNegWithoutHealthCheck, so the gate protects nothing.',
    evidence:
      'Running pods with the gate, selected by a NEG Service and not owned by a Job, whose gate condition is False or missing for longer than the threshold while their containers are ready (time since the later of pod creation, the condition\'s last transition and the containers becoming ready); or whose gate turned True only by LoadBalancerNegTimeout (warning) or LoadBalancerNegWithoutHealthCheck (info).',
    remediation:
      'Make the load balancer health check pass: align the readinessProbe (or BackendConfig healthCheck) path and port with what the container serves, allow 130.211.0.0/22 and 35.191.0.0/16 to the serving port in the firewall and NetworkPolicies, and check the backend service health in the console or with `gcloud compute backend-services get-health`.',
    needs: [DATA.pods, DATA.services],
    explains: [
      { rule: 'rollout-stuck', on: 'pod', why: "A rolling update waits for new pods to become Ready, so a new pod held by its NEG readiness gate stalls its workload's rollout." },
    ],
    options: {
      thresholdSeconds: { type: 'integer', minimum: 0, description: 'How long the gate may stay False before the pod counts as stuck.' },
    },
    defaults: { thresholdSeconds: 300 },
  },
  check(ctx) {
    const now = ctx.now.getTime();
    for (const pod of livePods(ctx.model)) {
      const gateIndex = readinessGateIndex(pod);
      if (gateIndex < 0 || isDeleting(pod) || isTerminal(pod)) continue;
      // The gate is injected only into pods a NEG backs: the pod is NEG-backed by definition, even when no Service in the inputs selects it.
      const negs = negServicesOfPod(ctx.model, pod);
      const owner = ownerChain(ctx.model, pod);
      if (BATCH_KINDS.has(owner.kind)) continue;
      const services = negs.map((n) => n.service);
      const related: SnapshotObject[] = [...services.map((s) => s.obj), ...(owner.workload ? [owner.workload.obj] : [])];
      const gate = condition(pod, NEG_READINESS_GATE);
      const podLabel = `Pod ${nameOf(pod)}${owner.kind !== 'Pod' ? ` (${owner.kind} ${owner.name})` : ''}`;
      const gatePath: Path = gate ? ['status', 'conditions', gate.index] : ['spec', 'readinessGates', gateIndex];
      const evidence = { gate: NEG_READINESS_GATE, reason: gate?.reason ?? null, services: services.map((s) => s.name) };

      if (gate?.status === 'True') {
        if (gate.reason === NEG_TIMEOUT) {
          ctx.report({
            object: pod,
            path: [...gatePath, 'reason'],
            severity: 'warning',
            message: `${podLabel} became Ready only because the NEG controller gave up after 10 minutes (reason ${NEG_TIMEOUT}): it was never healthy in the load balancer health check of ${behind(services)}, so it may receive traffic it cannot serve.`,
            related,
            evidence,
          });
        } else if (gate.reason === NEG_WITHOUT_HEALTH_CHECK) {
          ctx.report({
            object: pod,
            path: [...gatePath, 'reason'],
            severity: 'info',
            message: `${podLabel} became Ready without any load balancer health check (reason ${NEG_WITHOUT_HEALTH_CHECK}): its NEG for ${behind(services)} was not attached to a health-checked backend service, so the readiness gate did not wait for the load balancer (a known cause of 502s during rollouts).`,
            related,
            evidence,
          });
        }
        continue;
      }

      // Not scheduled yet, or containers not ready: the gate is not what holds the pod back.
      const waited = gateWaitSeconds(pod, ctx.now);
      if (waited === undefined && gateHeldForUnknownTime(pod, ctx.now)) {
        // Times trimmed away: the state is clear, its duration is not. Say what is seen, at info.
        const notReady = negNotReadyEvents(ctx.model, pod).at(-1);
        const state = gate ? `is ${gate.status || 'unset'}${gate.reason ? ` (${gate.reason})` : ''}` : 'has never been set';
        ctx.report({
          object: pod,
          path: gatePath,
          severity: 'info',
          message: `${podLabel} is held back by readiness gate ${NEG_READINESS_GATE}, ${UNKNOWN_TIME}: the condition ${state} while its containers are ready, behind ${behind(services)}${notReady ? `; the NEG controller reported ${NEG_NOT_READY}: ${truncate(notReady.message, 120)}` : ''}. No creationTimestamp or lastTransitionTime says how long; give \`kubectl get pod ${nameOf(pod)} -o yaml\` untrimmed to judge it.`,
          related,
          evidence: { ...evidence, waited: 'unknown', ...(notReady ? { event: `${notReady.reason}: ${notReady.message}` } : {}) },
        });
        continue;
      }
      if (waited === undefined || waited < ctx.options.thresholdSeconds) continue;
      const created = parseTime(pod.object.metadata.creationTimestamp);
      const pastTimeout = created !== undefined && (now - created) / 1000 > NEG_READINESS_TIMEOUT_SECONDS + 60;
      const state = gate ? `is ${gate.status || 'unset'}${gate.reason ? ` (${gate.reason}${gate.message ? `: ${truncate(gate.message, 120)}` : ''})` : ''}` : 'has never been set';
      const why = pastTimeout
        ? ' The NEG controller would have timed it out after 10 minutes, so it is not processing this pod: check the NEG controller and the Service\'s sync events.'
        : gate?.reason === NEG_NOT_READY || !gate
          ? ' The load balancer health check has not found it healthy: check the health-check path and port, the firewall for 130.211.0.0/22 and 35.191.0.0/16, and NetworkPolicies.'
          : '';
      ctx.report({
        object: pod,
        path: gatePath,
        message: `${podLabel} is held back by readiness gate ${NEG_READINESS_GATE} for ${formatDuration(waited)} (threshold ${ctx.options.thresholdSeconds} s): the condition ${state} while its containers are ready, behind ${behind(services)}.${why}`,
        related,
        evidence: { ...evidence, waitedSeconds: Math.floor(waited) },
      });
    }
  },
});

/** The Services named behind a gated pod; none in the inputs is said, not taken as "not NEG-backed". */
function behind(services: ServiceInfo[]): string {
  return services.length ? serviceList(services) : 'a NEG Service that is not among the inputs (the gate is injected only for NEG-backed pods)';
}

