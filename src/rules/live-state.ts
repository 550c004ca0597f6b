/**
 * Shared readers for the live-cluster rules (SPEC §5 "Live cluster"): pods and
 * their conditions, the NEG readiness gate, owners, nodes and zones, events.
 * Facts from kubernetes/ingress-gce: pkg/neg/readiness (gate and reasons),
 * pkg/utils/zonegetter (zone from providerID), pkg/neg/types (EndpointSlice
 * reading), pkg/neg/syncers (degraded-mode validation).
 */
import type { Model, NegService, ServiceInfo } from '../model/index.js';
import { selects } from '../model/index.js';
import { asArray, asRecord, asRecords, asString, get, isRecord, stringMap, type Rec } from '../util/values.js';
import { nameOf, namespaceOf, type Workload } from '../model/workloads.js';
import type { SnapshotObject } from '../snapshot/types.js';

export const NEG_READINESS_GATE = 'cloud.google.com/load-balancer-neg-ready';
export const NEG_READY = 'LoadBalancerNegReady';
export const NEG_NOT_READY = 'LoadBalancerNegNotReady';
export const NEG_WITHOUT_HEALTH_CHECK = 'LoadBalancerNegWithoutHealthCheck';
export const NEG_TIMEOUT = 'LoadBalancerNegTimeout';
/** The reflector marks the gate True with LoadBalancerNegTimeout this long after pod creation. */
export const NEG_READINESS_TIMEOUT_SECONDS = 600;

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Controllers whose events are about GKE load balancing and NEGs. */
export const LB_COMPONENTS = new Set(['loadbalancer-controller', 'neg-controller', 'neg-readiness-reflector', 'glbc']);

export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

export interface Condition {
  index: number;
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
}

export function conditions(obj: SnapshotObject): Condition[] {
  const out: Condition[] = [];
  asArray(get(obj.object.status, 'conditions')).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const type = asString(raw.type);
    if (!type) return;
    const reason = asString(raw.reason);
    const message = asString(raw.message);
    const lastTransitionTime = parseTime(raw.lastTransitionTime);
    out.push({
      index,
      type,
      status: asString(raw.status) ?? '',
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
      ...(lastTransitionTime !== undefined ? { lastTransitionTime } : {}),
    });
  });
  return out;
}

export function condition(obj: SnapshotObject, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

/** Pods as the API returns them (with status): bare pods and controller-owned pods alike. */
export function livePods(model: Model): SnapshotObject[] {
  return model.kind('Pod').filter((p) => isRecord(p.object.status));
}

/**
 * Live pods of the Service's namespace that its (non-empty) selector picks, in
 * input order: `livePods(model).filter(same namespace && selects)` without
 * scanning every pod per Service. Empty or absent selector: no pods.
 */
export function livePodsSelectedBy(model: Model, service: ServiceInfo): SnapshotObject[] {
  const selector = service.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  const byLabel = model.memo('live-state:livePodsByLabel', () => {
    const index = new Map<string, Array<{ pod: SnapshotObject; labels: Record<string, string> }>>();
    for (const pod of livePods(model)) {
      const ns = namespaceOf(pod);
      const labels = podLabels(pod);
      const entry = { pod, labels };
      for (const [key, value] of Object.entries(labels)) {
        const k = `${ns}\0${key}\0${value}`;
        const list = index.get(k);
        if (list) list.push(entry);
        else index.set(k, [entry]);
      }
    }
    return index;
  });
  // Every selected pod carries each selector label, so the smallest label bucket holds them all, in input order.
  let candidates: Array<{ pod: SnapshotObject; labels: Record<string, string> }> | undefined;
  for (const [key, value] of Object.entries(selector)) {
    const bucket = byLabel.get(`${service.namespace}\0${key}\0${value}`) ?? [];
    if (!candidates || bucket.length < candidates.length) candidates = bucket;
  }
  const out: SnapshotObject[] = [];
  for (const { pod, labels } of candidates ?? []) if (selects(selector, labels)) out.push(pod);
  return out;
}

/**
 * EndpointSlices of a namespace whose kubernetes.io/service-name label
 * (read through stringMap) is `name`, in input order, without a scan of
 * every slice per Service.
 */
export function endpointSlicesLabelled(model: Model, namespace: string, name: string): SnapshotObject[] {
  const index = model.memo('live-state:endpointSlicesByService', () => {
    const byService = new Map<string, SnapshotObject[]>();
    for (const slice of model.kind('EndpointSlice')) {
      const service = stringMap(slice.object.metadata.labels)[SERVICE_NAME_LABEL];
      if (service === undefined) continue;
      const key = `${namespaceOf(slice)}\0${service}`;
      const list = byService.get(key);
      if (list) list.push(slice);
      else byService.set(key, [slice]);
    }
    return byService;
  });
  return index.get(`${namespace}\0${name}`) ?? [];
}

export function podLabels(pod: SnapshotObject): Record<string, string> {
  return stringMap(pod.object.metadata.labels);
}

export function podPhase(pod: SnapshotObject): string | undefined {
  return asString(get(pod.object.status, 'phase'));
}

export function isTerminal(pod: SnapshotObject): boolean {
  const phase = podPhase(pod);
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isDeleting(obj: SnapshotObject): boolean {
  return typeof obj.object.metadata.deletionTimestamp === 'string';
}

export function podNodeName(pod: SnapshotObject): string | undefined {
  return asString(get(pod.object.spec, 'nodeName')) || undefined;
}

export function podIps(pod: SnapshotObject): string[] {
  const ips = asRecords(get(pod.object.status, 'podIPs'))
    .map((p) => asString(p.ip))
    .filter((ip): ip is string => !!ip);
  const single = asString(get(pod.object.status, 'podIP'));
  if (single && !ips.includes(single)) ips.push(single);
  return ips;
}

export function isPodReady(pod: SnapshotObject): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

/** Index of the NEG readiness gate in spec.readinessGates, or -1. */
export function readinessGateIndex(pod: SnapshotObject): number {
  return asRecords(get(pod.object.spec, 'readinessGates')).findIndex((g) => g.conditionType === NEG_READINESS_GATE);
}

export function ownerRef(obj: SnapshotObject): { kind: string; name: string } | undefined {
  const refs = asRecords(obj.object.metadata.ownerReferences);
  const ref = refs.find((r) => r.controller === true) ?? refs[0];
  const kind = asString(ref?.kind);
  const name = asString(ref?.name);
  return kind && name ? { kind, name } : undefined;
}

/**
 * The workload that owns a pod: Deployment through its ReplicaSet (found in
 * the snapshot, or by the ReplicaSet name minus the pod-template-hash),
 * StatefulSet, DaemonSet, Job (and its CronJob), or the bare pod itself.
 */
export function ownerChain(model: Model, pod: SnapshotObject): { kind: string; name: string; workload?: Workload } {
  const ns = namespaceOf(pod);
  const owner = ownerRef(pod);
  if (!owner) return { kind: 'Pod', name: nameOf(pod) };
  // The answer depends only on the namespace, the owner reference and the pod-template-hash label:
  // the pods of one ReplicaSet share it, so it is resolved once per owner.
  const hash = owner.kind === 'ReplicaSet' ? labelValue(pod, 'pod-template-hash') : undefined;
  const cache = model.memo('live-state:ownerChain', () => new Map<string, { kind: string; name: string; workload?: Workload }>());
  const key = `${ns}\0${owner.kind}\0${owner.name}\0${hash === undefined ? '' : `=${hash}`}`;
  let chain = cache.get(key);
  if (!chain) cache.set(key, (chain = resolveOwnerChain(model, ns, owner, hash)));
  return { ...chain };
}

/** One label as podLabels reads it (strings; numbers and booleans as text), without copying the map. */
function labelValue(obj: SnapshotObject, key: string): string | undefined {
  const labels = obj.object.metadata.labels;
  if (!isRecord(labels) || !Object.prototype.hasOwnProperty.call(labels, key)) return undefined;
  const value = labels[key];
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function resolveOwnerChain(
  model: Model,
  ns: string,
  ref: { kind: string; name: string },
  hash: string | undefined,
): { kind: string; name: string; workload?: Workload } {
  let owner = ref;
  if (owner.kind === 'ReplicaSet') {
    const rs = model.find('ReplicaSet', ns, owner.name)[0];
    const rsOwner = rs ? ownerRef(rs) : undefined;
    if (rsOwner) owner = rsOwner;
    else if (!rs) {
      if (hash && owner.name.endsWith(`-${hash}`)) owner = { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
    }
  } else if (owner.kind === 'Job') {
    const job = model.find('Job', ns, owner.name)[0];
    const jobOwner = job ? ownerRef(job) : undefined;
    if (jobOwner) owner = jobOwner;
  }
  const { kind, name } = owner;
  const workload = workloadIndex(model).get(`${kind}\0${ns}\0${name}`);
  return { kind, name, ...(workload ? { workload } : {}) };
}

/** Workloads by kind/namespace/name; the first in model order wins, as a scan of model.workloads would find it. */
function workloadIndex(model: Model): Map<string, Workload> {
  return model.memo('live-state:workloadIndex', () => {
    const index = new Map<string, Workload>();
    for (const w of model.workloads) {
      const key = `${w.kind}\0${w.namespace}\0${w.name}`;
      if (!index.has(key)) index.set(key, w);
    }
    return index;
  });
}

/** Live pods (see livePods) grouped by the workload ownerChain finds for them, in input order. */
export function livePodsByWorkload(model: Model): Map<Workload, SnapshotObject[]> {
  return model.memo('live-state:livePodsByWorkload', () => {
    const out = new Map<Workload, SnapshotObject[]>();
    for (const pod of livePods(model)) {
      const workload = ownerChain(model, pod).workload;
      if (!workload) continue;
      const list = out.get(workload);
      if (list) list.push(pod);
      else out.set(workload, [pod]);
    }
    return out;
  });
}

export const BATCH_KINDS = new Set(['Job', 'CronJob']);

/** NEG Services in the pod's namespace whose selector picks the pod. */
export function negServicesOfPod(model: Model, pod: SnapshotObject): NegService[] {
  const ns = namespaceOf(pod);
  const labels = podLabels(pod);
  const inNamespace = model.memo('live-state:negServicesByNamespace', () => {
    const byNamespace = new Map<string, NegService[]>();
    for (const neg of model.negServices) {
      const list = byNamespace.get(neg.service.namespace);
      if (list) list.push(neg);
      else byNamespace.set(neg.service.namespace, [neg]);
    }
    return byNamespace;
  });
  // Pods of one workload share their labels: the answer is kept per namespace and label set.
  const byLabels = model.memo('live-state:negServicesByLabels', () => new Map<string, NegService[]>());
  const key = `${ns}\0${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  const cached = byLabels.get(key);
  if (cached) return [...cached];
  const result = (inNamespace.get(ns) ?? []).filter(
    (neg) => neg.service.selector && Object.keys(neg.service.selector).length > 0 && selects(neg.service.selector, labels),
  );
  byLabels.set(key, result);
  return [...result];
}

export function serviceList(services: ServiceInfo[]): string {
  const names = [...new Set(services.map((s) => s.name))];
  return names.length === 1 ? `Service ${names[0]}` : `Services ${names.join(', ')}`;
}

// ---------------------------------------------------------------------------
// Nodes and zones

const PROVIDER_ID = /^gce:\/\/([^/]+)\/([^/]*)\/([^/]+)$/;

/** The zone the NEG controller uses: parsed from `gce://<project>/<zone>/<instance>` (zonegetter), not from labels. */
export function providerZone(node: SnapshotObject): string | undefined {
  const id = asString(get(node.object.spec, 'providerID'));
  if (!id) return undefined;
  const match = PROVIDER_ID.exec(id);
  return match && match[2] ? match[2] : undefined;
}

export function labelZone(node: SnapshotObject): string | undefined {
  const labels = stringMap(node.object.metadata.labels);
  return labels[ZONE_LABEL] || labels[LEGACY_ZONE_LABEL] || undefined;
}

export function nodeZone(node: SnapshotObject): string | undefined {
  return providerZone(node) ?? labelZone(node);
}

export function nodesByName(model: Model): Map<string, SnapshotObject> {
  const map = new Map<string, SnapshotObject>();
  for (const node of model.kind('Node')) map.set(nameOf(node), node);
  return map;
}

export function nodePodCidrs(node: SnapshotObject): string[] {
  const spec = asRecord(node.object.spec) ?? {};
  const cidrs = asArray(spec.podCIDRs).filter((c): c is string => typeof c === 'string');
  const single = asString(spec.podCIDR);
  if (single && !cidrs.includes(single)) cidrs.push(single);
  return cidrs;
}

// ---------------------------------------------------------------------------
// Events (core/v1 and events.k8s.io/v1 shapes)

export interface EventInfo {
  obj: SnapshotObject;
  type: string;
  reason: string;
  message: string;
  component?: string;
  involved: { kind: string; namespace: string; name: string };
  /** Latest occurrence (ms). */
  last?: number;
  count: number;
}

export function events(model: Model): EventInfo[] {
  const out: EventInfo[] = [];
  for (const obj of model.kind('Event')) {
    const e = obj.object as Rec;
    const involved = asRecord(e.involvedObject) ?? asRecord(e.regarding);
    const kind = asString(involved?.kind);
    const name = asString(involved?.name);
    if (!kind || !name) continue;
    const namespace = asString(involved?.namespace) || namespaceOf(obj);
    const component =
      asString(get(e, 'source', 'component')) || asString(e.reportingController) || asString(e.reportingComponent) || asString(get(e, 'deprecatedSource', 'component'));
    const last = Math.max(
      ...[e.lastTimestamp, e.deprecatedLastTimestamp, get(e, 'series', 'lastObservedTime'), e.eventTime, e.firstTimestamp, e.deprecatedFirstTimestamp, obj.object.metadata.creationTimestamp]
        .map(parseTime)
        .filter((t): t is number => t !== undefined),
    );
    const count = typeof e.count === 'number' ? e.count : typeof get(e, 'series', 'count') === 'number' ? (get(e, 'series', 'count') as number) : typeof e.deprecatedCount === 'number' ? e.deprecatedCount : 1;
    out.push({
      obj,
      type: asString(e.type) ?? 'Normal',
      reason: asString(e.reason) ?? '',
      message: asString(e.message) ?? asString(e.note) ?? '',
      ...(component ? { component } : {}),
      involved: { kind, namespace, name },
      ...(Number.isFinite(last) ? { last } : {}),
      count,
    });
  }
  return out;
}

export function eventsAbout(all: EventInfo[], kind: string, namespace: string, name: string): EventInfo[] {
  return all
    .filter((e) => e.involved.kind === kind && e.involved.namespace === namespace && e.involved.name === name)
    .sort((a, b) => (a.last ?? 0) - (b.last ?? 0));
}

/** Whether the object looks like it came from the API server (a dump or a scan), not from a hand-written manifest. */
export function isLiveObject(obj: SnapshotObject, source: 'manifests' | 'live'): boolean {
  if (source === 'live') return true;
  const md = obj.object.metadata;
  return typeof md.uid === 'string' || typeof md.resourceVersion === 'string' || typeof md.creationTimestamp === 'string';
}

export function truncate(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
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
