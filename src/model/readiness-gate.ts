/**
 * The NEG readiness gate (kubernetes/ingress-gce pkg/neg/readiness): its condition,
 * its reasons, and how long it has held a pod back.
 */
import type { Model } from './index.js';
import { asRecords, get } from '../util/values.js';
import { nameOf, namespaceOf } from './workloads.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { parseTime } from '../util/time.js';
import { condition } from './conditions.js';
import { isTerminal, isDeleting, podNodeName } from './pods.js';
import { type EventInfo, events, eventsAbout } from './events.js';

export const NEG_READINESS_GATE = 'cloud.google.com/load-balancer-neg-ready';
export const NEG_READY = 'LoadBalancerNegReady';
export const NEG_NOT_READY = 'LoadBalancerNegNotReady';
export const NEG_WITHOUT_HEALTH_CHECK = 'LoadBalancerNegWithoutHealthCheck';
export const NEG_TIMEOUT = 'LoadBalancerNegTimeout';

/** The reflector marks the gate True with LoadBalancerNegTimeout this long after pod creation. */
export const NEG_READINESS_TIMEOUT_SECONDS = 600;

/** Index of the NEG readiness gate in spec.readinessGates, or -1. */
export function readinessGateIndex(pod: SnapshotObject): number {
  return asRecords(get(pod.object.spec, 'readinessGates')).findIndex((g) => g.conditionType === NEG_READINESS_GATE);
}

/**
 * How long the NEG readiness gate alone has held the pod back, in seconds:
 * the pod has the gate, is scheduled and running, its containers are ready and
 * the gate condition is not True. Measured from the latest of pod creation,
 * the condition's lastTransitionTime (the controller does not always set one)
 * and the containers becoming ready. Undefined when the gate is not what holds it.
 */
export function gateWaitSeconds(pod: SnapshotObject, now: Date): number | undefined {
  if (readinessGateIndex(pod) < 0 || isDeleting(pod) || isTerminal(pod) || !podNodeName(pod)) return undefined;
  const gate = condition(pod, NEG_READINESS_GATE);
  if (gate?.status === 'True') return undefined;
  const containersReady = condition(pod, 'ContainersReady');
  if (containersReady && containersReady.status !== 'True') return undefined;
  const since = Math.max(
    ...[parseTime(pod.object.metadata.creationTimestamp), gate?.lastTransitionTime, containersReady?.lastTransitionTime].filter(
      (t): t is number => t !== undefined,
    ),
  );
  if (!Number.isFinite(since)) return undefined;
  return (now.getTime() - since) / 1000;
}

/**
 * The pod is held by the NEG readiness gate (as gateWaitSeconds judges it),
 * but nothing tells for how long: no creationTimestamp and no
 * lastTransitionTime on the gate or ContainersReady — a pod pasted with its
 * times trimmed. Its containers must be known ready (ContainersReady True, or
 * every container status ready), so a pod merely starting is not counted.
 */
export function gateHeldForUnknownTime(pod: SnapshotObject, now: Date): boolean {
  if (readinessGateIndex(pod) < 0 || isDeleting(pod) || isTerminal(pod)) return false;
  if (gateWaitSeconds(pod, now) !== undefined) return false;
  const gate = condition(pod, NEG_READINESS_GATE);
  if (gate?.status === 'True') return false;
  const containersReady = condition(pod, 'ContainersReady');
  const statuses = asRecords(get(pod.object.status, 'containerStatuses'));
  const ready = containersReady ? containersReady.status === 'True' : statuses.length > 0 && statuses.every((s) => s.ready === true);
  if (!ready) return false;
  const times = [parseTime(pod.object.metadata.creationTimestamp), gate?.lastTransitionTime, containersReady?.lastTransitionTime];
  return times.every((t) => t === undefined);
}

/** What a finding about a state of unknown duration says, and the evidence it keeps. */
export const UNKNOWN_TIME = 'pending, for an unknown time';

/** The NEG controller's LoadBalancerNegNotReady events about a pod, newest last (evidence for a gate of unknown age). */
export function negNotReadyEvents(model: Model, pod: SnapshotObject): EventInfo[] {
  return eventsAbout(events(model), 'Pod', namespaceOf(pod), nameOf(pod)).filter((e) => e.reason === NEG_NOT_READY);
}
