import { asCount, asRecord, get, isRecord } from '../util/values.js';
import { nameOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { defineRule } from './define-rule.js';
import type { Path } from '../model/rule-contract.js';
import { condition } from '../model/conditions.js';
import { formatDuration } from '../util/time.js';
import { gateHeldForUnknownTime, gateWaitSeconds, UNKNOWN_TIME } from '../model/readiness-gate.js';
import { livePodsByWorkload } from '../model/owners.js';
import { backingServices, negBackedWorkloads, relatedServices, workloadLabel } from '../model/scope.js';

export default defineRule({
  meta: {
    id: 'rollout-stuck',
    title: 'Rollout of a NEG-backed workload is stuck',
    severity: 'error',
    category: 'live',
    symptom: '`kubectl rollout status` never finishes or reports "progress deadline exceeded"; old and new pods run side by side.',
    cause:
      'A rolling update only proceeds as new pods become Ready. Behind a NEG, Ready includes the readiness gate cloud.google.com/load-balancer-neg-ready, which waits for the load balancer health check: when the health check fails for the new version, every new pod waits on the gate and the rollout stops.',
    evidence:
      'A NEG-backed Deployment whose Progressing condition is False with ProgressDeadlineExceeded, or a Deployment, StatefulSet or DaemonSet with fewer updated replicas than desired while its pods wait on the NEG readiness gate beyond the threshold.',
    remediation:
      'Fix what keeps the new pods unhealthy in the load balancer (see readiness-gate-stuck), or roll back with `kubectl rollout undo`; check `kubectl describe pod` for the readiness gate condition.',
    needs: [DATA.workloads, DATA.services, DATA.workloadStatus],
    options: {
      thresholdSeconds: { type: 'integer', minimum: 0, description: 'How long new pods may wait on the readiness gate before the rollout counts as stuck.' },
    },
    defaults: { thresholdSeconds: 300 },
  },
  check(ctx) {
    const podsCollected = ctx.snapshot.data[DATA.pods]?.state === 'collected';
    let reported = false;
    for (const entry of negBackedWorkloads(ctx.model, { rolledOnly: true })) {
      const obj = entry.workload.obj;
      const status = asRecord(obj.object.status);
      if (!status) continue;
      const spec = asRecord(obj.object.spec) ?? {};

      const held: Array<{ pod: SnapshotObject; seconds: number }> = [];
      /** Pods held by the gate with every time trimmed away: the rollout waits, for how long is unknown. */
      const heldUnknown: SnapshotObject[] = [];
      for (const pod of podsCollected ? (livePodsByWorkload(ctx.model).get(entry.workload) ?? []) : []) {
        const seconds = gateWaitSeconds(pod, ctx.now);
        if (seconds !== undefined && seconds >= ctx.options.thresholdSeconds) held.push({ pod, seconds });
        else if (seconds === undefined && gateHeldForUnknownTime(pod, ctx.now)) heldUnknown.push(pod);
      }
      const heldText =
        held.length === 0
          ? ''
          : ` ${held.length} ${held.length === 1 ? 'pod waits' : 'pods wait'} on the NEG readiness gate (${held
              .slice(0, 3)
              .map((h) => `${nameOf(h.pod)} for ${formatDuration(h.seconds)}`)
              .join(', ')}${held.length > 3 ? ', …' : ''}): the load balancer health check does not pass for the new pods.`;
      const evidence = { heldPods: held.map((h) => nameOf(h.pod)) };

      if (entry.workload.kind === 'Deployment') {
        const progressing = condition(obj, 'Progressing');
        if (progressing && progressing.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
          const deadline = asCount(spec.progressDeadlineSeconds) ?? 600;
          ctx.report({
            object: obj,
            path: ['status', 'conditions', progressing.index],
            message: `${workloadLabel(entry)} behind ${backingServices(entry)} exceeded its progress deadline (${deadline} s): Progressing=False, ProgressDeadlineExceeded.${heldText || ' Its new pods do not become Ready.'}`,
            related: relatedServices(entry),
            evidence,
          });
          reported = true;
          continue;
        }
      }

      const progress = rolloutProgress(entry.workload.kind, spec, status);
      if (progress && progress.updated < progress.desired && held.length === 0 && heldUnknown.length > 0) {
        ctx.report({
          object: obj,
          path: progress.path,
          severity: 'info',
          message: `${workloadLabel(entry)} behind ${backingServices(entry)} has ${progress.updated} of ${progress.desired} replicas updated, ${UNKNOWN_TIME}: ${heldUnknown.length} ${heldUnknown.length === 1 ? 'pod waits' : 'pods wait'} on the NEG readiness gate (${heldUnknown.slice(0, 3).map(nameOf).join(', ')}${heldUnknown.length > 3 ? ', …' : ''}) with ready containers, and no timestamp says since when.`,
          related: relatedServices(entry),
          evidence: { heldPods: heldUnknown.map(nameOf), waited: 'unknown' },
        });
        reported = true;
        continue;
      }
      if (!progress || progress.updated >= progress.desired || held.length === 0) continue;
      ctx.report({
        object: obj,
        path: progress.path,
        message: `${workloadLabel(entry)} behind ${backingServices(entry)} has ${progress.updated} of ${progress.desired} replicas updated and cannot progress:${heldText}`,
        related: relatedServices(entry),
        evidence,
      });
      reported = true;
    }
    if (!reported && !podsCollected) {
      ctx.skip(ctx.snapshot.data[DATA.pods]?.reason ?? 'pods were not collected: only a progress deadline could be checked');
    }
  },
});

function rolloutProgress(kind: string, spec: Record<string, unknown>, status: Record<string, unknown>): { updated: number; desired: number; path: Path } | undefined {
  if (kind === 'DaemonSet') {
    const desired = asCount(status.desiredNumberScheduled);
    if (desired === undefined) return undefined;
    return { updated: asCount(status.updatedNumberScheduled) ?? 0, desired, path: ['status', 'updatedNumberScheduled'] };
  }
  if (kind === 'StatefulSet' && isRecord(status) && get(status, 'currentRevision') === get(status, 'updateRevision')) return undefined;
  const desired = asCount(spec.replicas) ?? 1;
  return { updated: asCount(status.updatedReplicas) ?? 0, desired, path: ['status', 'updatedReplicas'] };
}
