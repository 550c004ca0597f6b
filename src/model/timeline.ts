/**
 * The timeline of one backend: 5xx per minute by `statusDetails`, and what
 * happened to its endpoints meanwhile — pod deletions (deletionTimestamp,
 * `Killing` events), rollout steps (ScalingReplicaSet events), NEG attach and
 * detach events, health-check probe transitions. The symptom rules judge on
 * it; the HTML report draws it.
 */
import type { Observed } from '../findings.js';
import type { Model } from './index.js';
import { events } from './events.js';
import { gracePeriodSeconds } from './workloads.js';
import { endpointPods, killingTimes, lbLogsByBackend, negNamesById, podWorkloads, workloadKey, type BackendRequests, type LogBackend, type MappedRequest } from './lb-logs.js';

export interface TimelineMark {
  t: number;
  kind: 'deletion' | 'rollout' | 'neg' | 'probe';
  text: string;
}

export interface MinuteBucket {
  /** Start of the minute (ms). */
  t: number;
  total: number;
  byDetail: Record<string, number>;
}

export interface BackendTimeline {
  backend: LogBackend;
  requests: MappedRequest[];
  minutes: MinuteBucket[];
  marks: TimelineMark[];
  /** Deletions of the pods of the workloads behind the backend (start of termination, ms), sorted. */
  deletions: Array<{ t: number; pod: string }>;
}

const MINUTE = 60_000;

export function backendTimelines(model: Model): BackendTimeline[] {
  return model.memo('timeline:backends', () => lbLogsByBackend(model).map((entry) => timelineOf(model, entry)));
}

export function isServerError(status: number | undefined): boolean {
  return status !== undefined && status >= 500 && status <= 599;
}

function timelineOf(model: Model, entry: BackendRequests): BackendTimeline {
  const { backend, requests } = entry;
  const buckets = new Map<number, MinuteBucket>();
  for (const r of requests) {
    if (!isServerError(r.log.status) || Number.isNaN(r.ms)) continue;
    const t = Math.floor(r.ms / MINUTE) * MINUTE;
    let bucket = buckets.get(t);
    if (!bucket) buckets.set(t, (bucket = { t, total: 0, byDetail: {} }));
    bucket.total++;
    const detail = r.log.statusDetails ?? 'unknown';
    bucket.byDetail[detail] = (bucket.byDetail[detail] ?? 0) + 1;
  }
  const workloads = new Set(backend.workloads.map(workloadKey));
  const marks: TimelineMark[] = [];
  const deletions: Array<{ t: number; pod: string }> = [];
  const seen = new Set<string>();
  const owner = podWorkloads(model);
  for (const pod of endpointPods(model).values()) {
    if (pod.terminatingFrom === undefined || !pod.workload || !workloads.has(pod.workload) || seen.has(`${pod.namespace}/${pod.name}`)) continue;
    seen.add(`${pod.namespace}/${pod.name}`);
    deletions.push({ t: pod.terminatingFrom, pod: `${pod.namespace}/${pod.name}` });
    marks.push({ t: pod.terminatingFrom, kind: 'deletion', text: `pod ${pod.namespace}/${pod.name} terminating` });
  }
  for (const [key, t] of killingTimes(model)) {
    if (seen.has(key)) continue;
    const [namespace, name] = key.split('/') as [string, string];
    const w = owner(namespace, name);
    if (!w || !workloads.has(w)) continue;
    seen.add(key);
    deletions.push({ t, pod: key });
    marks.push({ t, kind: 'deletion', text: `pod ${key} killed` });
  }
  const service = backend.negService?.service;
  for (const e of events(model)) {
    if (e.last === undefined) continue;
    if (e.reason === 'ScalingReplicaSet' && workloads.has(`${e.involved.kind}/${e.involved.namespace}/${e.involved.name}`)) {
      marks.push({ t: e.last, kind: 'rollout', text: e.message });
    } else if ((e.reason === 'Attach' || e.reason === 'Detach') && service && e.involved.kind === 'Service' && e.involved.namespace === service.namespace && e.involved.name === service.name) {
      marks.push({ t: e.last, kind: 'neg', text: `${e.reason}: ${e.message}` });
    }
  }
  const negIds = negNamesById(model);
  const negs = new Set(backend.negs);
  for (const probe of model.snapshot.cloud?.probeLogs ?? []) {
    const neg = negIds.get(probe.negId);
    if (!neg || !negs.has(neg.name)) continue;
    marks.push({ t: Date.parse(probe.t), kind: 'probe', text: `${probe.ip ?? '?'}${probe.port ? `:${probe.port}` : ''} ${probe.detailedHealthState ?? probe.healthState ?? '?'}${probe.probeResultText ? ` (${probe.probeResultText})` : ''}` });
  }
  marks.sort((a, b) => a.t - b.t);
  deletions.sort((a, b) => a.t - b.t);
  return { backend, requests, minutes: [...buckets.values()].sort((a, b) => a.t - b.t), marks, deletions };
}

/** The `observed` block of a finding: count, first and last, by statusDetails and status, backends. */
export function observe(requests: readonly MappedRequest[]): Observed | undefined {
  if (requests.length === 0) return undefined;
  let first = Infinity;
  let last = -Infinity;
  const statusDetails: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const backends = new Set<string>();
  for (const r of requests) {
    if (r.ms < first) first = r.ms;
    if (r.ms > last) last = r.ms;
    const detail = r.log.statusDetails ?? 'unknown';
    statusDetails[detail] = (statusDetails[detail] ?? 0) + 1;
    if (r.log.status !== undefined) statuses[String(r.log.status)] = (statuses[String(r.log.status)] ?? 0) + 1;
    if (r.log.backendService ?? r.log.neg) backends.add((r.log.backendService ?? r.log.neg)!);
  }
  return { count: requests.length, first: new Date(first).toISOString(), last: new Date(last).toISOString(), statusDetails, backends: [...backends].sort(), statuses };
}

/** "1,284 × 502 (backend_connection_closed_before_data_sent_to_client), 14:02–14:07 UTC" */
export function observedText(o: Observed, withBackends = true): string {
  const statuses = Object.entries(o.statuses ?? {}).sort((a, b) => b[1] - a[1]).map(([s]) => s);
  const details = Object.entries(o.statusDetails).sort((a, b) => b[1] - a[1]).map(([d, n]) => (Object.keys(o.statusDetails).length > 1 ? `${d} ×${n.toLocaleString('en-US')}` : d));
  const time = (iso: string) => iso.slice(11, 16);
  const sameDay = o.first.slice(0, 10) === o.last.slice(0, 10);
  const span = o.first.slice(0, 16) === o.last.slice(0, 16) ? `${o.first.slice(0, 10)} ${time(o.first)}` : sameDay ? `${o.first.slice(0, 10)} ${time(o.first)}–${time(o.last)}` : `${o.first.slice(0, 16).replace('T', ' ')}–${o.last.slice(0, 16).replace('T', ' ')}`;
  return `${o.count.toLocaleString('en-US')} × ${statuses.join('/') || 'requests'} (${details.join(', ')}), ${span} UTC${withBackends && o.backends.length ? ` on ${o.backends.join(', ')}` : ''}`;
}

/** statusDetails of requests cut by an endpoint that stopped serving: what terminating pods without a drain produce. */
export const TERMINATION_DETAILS = new Set(['failed_to_connect_to_backend', 'backend_connection_closed_before_data_sent_to_client', 'backend_connection_closed_after_partial_response_sent']);

/**
 * Whether a failed request hit an endpoint on its way out: its pod was
 * terminating at the time (or is gone), or the request falls in the window
 * after a deletion of the workload's pods (the grace period plus 30 s for the
 * load balancer to stop sending it traffic).
 */
export function atTermination(r: MappedRequest, timeline: BackendTimeline): boolean {
  return terminatingPodOf(r, timeline) !== undefined;
}

/** The pod (namespace/name) whose termination a failed request fell at, or undefined. */
export function terminatingPodOf(r: MappedRequest, timeline: BackendTimeline): string | undefined {
  const pod = r.pod;
  if (pod?.terminatingFrom !== undefined && r.ms >= pod.terminatingFrom - 2_000) return `${pod.namespace}/${pod.name}`;
  const windowMs = terminationWindowMs(timeline);
  let found: string | undefined;
  for (const d of timeline.deletions) {
    if (d.t > r.ms + 5_000) break;
    // The latest deletion before the request is the likeliest.
    if (r.ms >= d.t - 5_000 && r.ms <= d.t + windowMs) found = d.pod;
  }
  return found;
}

function terminationWindowMs(timeline: BackendTimeline): number {
  const grace = Math.max(30, ...timeline.backend.workloads.map((w) => gracePeriodSeconds(w).seconds));
  return Math.min(180, grace + 30) * 1000;
}

/** A compact copy of a backend's timeline for a finding's evidence (the HTML report draws it): at most 240 minutes and 60 marks. */
export function timelineEvidence(timeline: BackendTimeline, from: number, to: number): { minutes: Array<[number, number]>; marks: Array<[number, string, string]> } {
  const lo = from - 5 * MINUTE;
  const hi = to + 5 * MINUTE;
  const minutes = timeline.minutes.filter((m) => m.t >= lo && m.t <= hi).slice(0, 240).map((m): [number, number] => [m.t, m.total]);
  const marks = timeline.marks.filter((m) => m.t >= lo && m.t <= hi && m.kind !== 'probe').slice(0, 60).map((m): [number, string, string] => [m.t, m.kind, m.text]);
  return { minutes, marks };
}
