/**
 * Live pods and what they say about themselves: labels, phase, readiness, node, IPs,
 * and the NEG-backed Services that select them. Facts from kubernetes/ingress-gce:
 * pkg/neg/types (EndpointSlice reading), pkg/neg/syncers (degraded-mode validation).
 */
import type { Model, NegService } from './index.js';
import type { ServiceInfo } from './services.js';
import { selects } from './services.js';
import { asRecords, asString, get, isRecord, stringMap } from '../util/values.js';
import { namespaceOf } from './workloads.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { condition } from './conditions.js';

export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

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
  const byLabel = model.memo('pods:livePodsByLabel', () => {
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
  const index = model.memo('pods:endpointSlicesByService', () => {
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

/** NEG Services in the pod's namespace whose selector picks the pod. */
export function negServicesOfPod(model: Model, pod: SnapshotObject): NegService[] {
  const ns = namespaceOf(pod);
  const labels = podLabels(pod);
  const inNamespace = model.memo('pods:negServicesByNamespace', () => {
    const byNamespace = new Map<string, NegService[]>();
    for (const neg of model.negServices) {
      const list = byNamespace.get(neg.service.namespace);
      if (list) list.push(neg);
      else byNamespace.set(neg.service.namespace, [neg]);
    }
    return byNamespace;
  });
  // Pods of one workload share their labels: the answer is kept per namespace and label set.
  const byLabels = model.memo('pods:negServicesByLabels', () => new Map<string, NegService[]>());
  const key = `${ns}\0${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  const cached = byLabels.get(key);
  if (cached) return [...cached];
  const result = (inNamespace.get(ns) ?? []).filter(
    (neg) => neg.service.selector && Object.keys(neg.service.selector).length > 0 && selects(neg.service.selector, labels),
  );
  byLabels.set(key, result);
  return [...result];
}

/** Whether the object looks like it came from the API server (a dump or a scan), not from a hand-written manifest. */
export function isLiveObject(obj: SnapshotObject, source: 'manifests' | 'live'): boolean {
  if (source === 'live') return true;
  const md = obj.object.metadata;
  return typeof md.uid === 'string' || typeof md.resourceVersion === 'string' || typeof md.creationTimestamp === 'string';
}

/** Live pods by IP, for mapping NEG endpoints back to pods. */
export function podsByIp(model: Model): ReadonlyMap<string, SnapshotObject> {
  // Built once per model: backend-unhealthy, the correlation keys and the path pictures all ask.
  return model.memo('pods:podsByIp', () => {
    const out = new Map<string, SnapshotObject>();
    for (const pod of livePods(model)) for (const ip of podIps(pod)) if (!out.has(ip)) out.set(ip, pod);
    return out;
  });
}
