/**
 * Load balancer request logs joined to the cluster: backend service name →
 * NEG → Service port → the workloads behind it, and `serverIp` → Pod.
 *
 * A backend service of a GKE Ingress with NEGs is named like its NEG
 * (`k8s1-<uid8>-<ns>-<svc>-<port>-<hash8>`); a GKE Gateway's backend service
 * is `gkegw1-<4>-<ns>-<svc>-<port>-<hash8>`. The join uses, in turn: the
 * backend services list (its NEG backends), the NEG list (descriptions), the
 * Services' neg-status annotations, and the name itself when exactly one
 * Service port of the model fits it. Pods are found by IP among the pods and
 * EndpointSlices, including pods that were terminating or are already gone.
 */
import type { LbRequestLog, SnapshotObject } from '../snapshot/types.js';
import type { Model, NegService } from './index.js';
import type { Workload } from './workloads.js';
import { nameOf, namespaceOf } from './workloads.js';
import { negKeyOfGroup, negServiceInModel } from './neg-index.js';
import { negStatusNames } from './neg-status.js';
import { podIps } from './pods.js';
import { asArray, asRecord, asString, get } from '../util/values.js';
import { parseTime } from '../util/time.js';
import { events } from './events.js';

export interface LogBackend {
  /** The backend service name (or the NEG name when the log names only that). */
  name: string;
  negs: string[];
  negService?: NegService;
  portIndex?: number;
  /** The workloads behind that Service port. */
  workloads: Workload[];
}

export interface EndpointPod {
  namespace: string;
  name: string;
  obj?: SnapshotObject;
  /** When its termination started (ms): deletionTimestamp minus the grace period, or a Killing event. */
  terminatingFrom?: number;
  /** Known from an EndpointSlice or an event, but no longer among the pods. */
  gone?: boolean;
  /** Kind/namespace/name of its workload, when known. */
  workload?: string;
}

export interface MappedRequest {
  log: LbRequestLog;
  ms: number;
  pod?: EndpointPod;
}

export interface BackendRequests {
  backend: LogBackend;
  requests: MappedRequest[];
}

const GKE_NAME = /^(?:k8s1-[0-9a-f]{8}|gkegw1-[0-9a-z]{4})-(.+)-[0-9a-z]{8}$/;

/** The request logs by backend, for backends this cluster serves (others are not ours to judge). */
export function lbLogsByBackend(model: Model): BackendRequests[] {
  return model.memo('lb-logs:byBackend', () => compute(model));
}

function compute(model: Model): BackendRequests[] {
  const logs = model.snapshot.cloud?.requestLogs ?? [];
  const backends = new Map<string, BackendRequests | null>();
  const pods = endpointPods(model);
  for (const log of logs) {
    const name = log.backendService ?? log.neg;
    if (!name) continue;
    let entry = backends.get(name);
    if (entry === undefined) {
      const backend = resolveBackend(model, name, log.neg);
      entry = backend ? { backend, requests: [] } : null;
      backends.set(name, entry);
    }
    if (!entry) continue;
    const ms = Date.parse(log.t);
    const pod = log.serverIp ? pods.get(log.serverIp) : undefined;
    entry.requests.push({ log, ms, ...(pod ? { pod } : {}) });
  }
  return [...backends.values()].filter((e): e is BackendRequests => e !== null);
}

/** The NEG names of a backend service (backend services list), or the name itself. */
function negsOfBackendService(model: Model, name: string, negLabel: string | undefined): string[] {
  const out = new Set<string>();
  if (negLabel) out.add(negLabel);
  const service = model.snapshot.cloud?.backendServices?.find((b) => b.name === name);
  for (const backend of service?.backends ?? []) {
    const key = negKeyOfGroup(backend.group);
    if (key) out.add(key.slice(key.indexOf('/') + 1));
  }
  if (out.size === 0) out.add(name);
  return [...out];
}

export function resolveBackend(model: Model, name: string, negLabel?: string): LogBackend | undefined {
  const negs = negsOfBackendService(model, name, negLabel);
  for (const candidate of [...negs, name]) {
    const found = servicePortOfName(model, candidate);
    if (found) return { name, negs, negService: found.negService, portIndex: found.portIndex, workloads: workloadsOf(model, found.negService, found.portIndex) };
  }
  return undefined;
}

function servicePortOfName(model: Model, name: string): { negService: NegService; portIndex: number } | undefined {
  const neg = model.snapshot.cloud?.negs?.find((n) => n.name === name);
  if (neg) {
    const found = negServiceInModel(model, neg);
    if (found) return { negService: found.neg, portIndex: found.portIndex };
  }
  const status = negStatusNames(model).get(name);
  if (status) {
    for (const negService of model.negServices) {
      if (negService.service !== status.service) continue;
      const portIndex = negService.ports.findIndex((p) => String(p.servicePort.port) === status.port);
      if (portIndex >= 0) return { negService, portIndex };
    }
  }
  const middle = GKE_NAME.exec(name)?.[1];
  if (!middle) return undefined;
  const fits: Array<{ negService: NegService; portIndex: number }> = [];
  for (const negService of model.negServices) {
    negService.ports.forEach((p, portIndex) => {
      if (`${negService.service.namespace}-${negService.service.name}-${p.servicePort.port}` === middle) fits.push({ negService, portIndex });
    });
  }
  return fits.length === 1 ? fits[0] : undefined;
}

function workloadsOf(model: Model, negService: NegService, portIndex: number): Workload[] {
  const port = negService.ports[portIndex];
  return model.negBacked
    .filter((entry) => entry.services.some((s) => s.neg.service === negService.service && s.ports.some((p) => p.negPort === port)))
    .map((entry) => entry.workload);
}

export function workloadKey(w: Workload): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}

/** Every pod IP the inputs know: live pods, and EndpointSlice endpoints whose pod is gone. */
export function endpointPods(model: Model): ReadonlyMap<string, EndpointPod> {
  return model.memo('lb-logs:endpointPods', () => {
    const out = new Map<string, EndpointPod>();
    const killing = killingTimes(model);
    const owners = podWorkloads(model);
    for (const pod of model.kind('Pod')) {
      const namespace = namespaceOf(pod);
      const name = nameOf(pod);
      const terminatingFrom = deletionStart(pod) ?? killing.get(`${namespace}/${name}`);
      const workload = owners(namespace, name);
      for (const ip of podIps(pod)) {
        if (out.has(ip)) continue;
        out.set(ip, { namespace, name, obj: pod, ...(terminatingFrom !== undefined ? { terminatingFrom } : {}), ...(workload ? { workload } : {}) });
      }
    }
    for (const slice of model.kind('EndpointSlice')) {
      for (const endpoint of asArray(get(slice.object, 'endpoints'))) {
        const ref = asRecord(get(endpoint, 'targetRef'));
        if (!ref || (asString(ref.kind) ?? 'Pod') !== 'Pod' || !asString(ref.name)) continue;
        const namespace = asString(ref.namespace) ?? namespaceOf(slice);
        const name = asString(ref.name)!;
        const terminating = get(endpoint, 'conditions', 'terminating') === true;
        for (const ip of asArray(get(endpoint, 'addresses'))) {
          if (typeof ip !== 'string' || out.has(ip)) continue;
          const from = killing.get(`${namespace}/${name}`);
          const workload = owners(namespace, name);
          out.set(ip, { namespace, name, gone: true, ...(from !== undefined ? { terminatingFrom: from } : terminating ? { terminatingFrom: Date.parse(model.snapshot.collectedAt) } : {}), ...(workload ? { workload } : {}) });
        }
      }
    }
    return out;
  });
}

/** When a pod's termination began: deletionTimestamp is the deletion request plus the grace period. */
function deletionStart(pod: SnapshotObject): number | undefined {
  const at = parseTime(pod.object.metadata.deletionTimestamp);
  if (at === undefined) return undefined;
  const grace = pod.object.metadata.deletionGracePeriodSeconds;
  const seconds = typeof grace === 'number' ? grace : typeof get(pod.object.spec, 'terminationGracePeriodSeconds') === 'number' ? (get(pod.object.spec, 'terminationGracePeriodSeconds') as number) : 30;
  return at - seconds * 1000;
}

/** `Killing` events by pod (namespace/name): when the kubelet began stopping its containers. */
export function killingTimes(model: Model): ReadonlyMap<string, number> {
  return model.memo('lb-logs:killing', () => {
    const out = new Map<string, number>();
    for (const e of events(model)) {
      if (e.reason !== 'Killing' || e.involved.kind !== 'Pod' || e.last === undefined) continue;
      const key = `${e.involved.namespace}/${e.involved.name}`;
      const first = parseTime(get(e.obj.object, 'firstTimestamp')) ?? parseTime(get(e.obj.object, 'eventTime')) ?? e.last;
      out.set(key, Math.min(out.get(key) ?? Infinity, first));
    }
    return out;
  });
}

/**
 * The workload of a pod by name, for pods that may be gone: the workload whose
 * generated pod names it has (`<deployment>-<rs hash>-<5>`, `<statefulset>-<n>`, `<daemonset>-<5>`).
 */
export function podWorkloads(model: Model): (namespace: string, name: string) => string | undefined {
  const workloads = model.negBacked.map((e) => e.workload);
  return (namespace, name) => {
    let best: Workload | undefined;
    for (const w of workloads) {
      if (w.namespace !== namespace || !name.startsWith(`${w.name}-`)) continue;
      const rest = name.slice(w.name.length + 1);
      const fits =
        w.kind === 'Deployment' ? /^[a-z0-9]{1,10}-[a-z0-9]{5}$/.test(rest) : w.kind === 'StatefulSet' ? /^\d+$/.test(rest) : /^[a-z0-9]{5}$/.test(rest);
      if (fits && (!best || w.name.length > best.name.length)) best = w;
    }
    return best ? workloadKey(best) : undefined;
  };
}

/** The NEG names of this snapshot by numeric id (health-check logs name NEGs by id only). */
export function negNamesById(model: Model): ReadonlyMap<string, { name: string; zone?: string }> {
  return model.memo('lb-logs:negsById', () => {
    const out = new Map<string, { name: string; zone?: string }>();
    for (const neg of model.snapshot.cloud?.negs ?? []) {
      const id = neg.id;
      if (typeof id === 'string' || typeof id === 'number') out.set(String(id), { name: neg.name, ...(neg.zone ? { zone: neg.zone } : {}) });
    }
    return out;
  });
}

/** What a symptom finding about a backend is about: the Service port, with the keys the correlation joins on. */
export function backendSubject(backend: LogBackend): { object?: SnapshotObject; path: Array<string | number>; related: SnapshotObject[]; resource?: string; label: string; evidence: Record<string, unknown> } {
  const service = backend.negService?.service;
  const port = service && backend.portIndex !== undefined ? backend.negService!.ports[backend.portIndex]?.servicePort : undefined;
  const workloads = backend.workloads.map(workloadKey);
  const evidence: Record<string, unknown> = {
    backendServices: [backend.name],
    negs: backend.negs.map((name) => ({ name })),
    ...(workloads.length ? { workloads } : {}),
  };
  const label = service ? `backend service ${backend.name} (Service ${service.namespace}/${service.name}${port ? ` port ${port.port}` : ''})` : `backend service ${backend.name}`;
  if (!service) return { path: [], related: [], resource: `compute/backendServices/${backend.name}`, label, evidence };
  return { object: service.obj, path: port ? port.path : ['spec', 'ports'], related: backend.workloads.map((w) => w.obj), label, evidence };
}

/** "Deployment shop/checkout" */
export function workloadsText(backend: LogBackend): string {
  return backend.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(', ');
}
