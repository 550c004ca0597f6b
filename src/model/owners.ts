/** Which workload a live pod belongs to, through its ownerReferences (Pod → ReplicaSet → Deployment, …). */
import type { Model } from './index.js';
import { asRecords, asString, isRecord } from '../util/values.js';
import { nameOf, namespaceOf, type Workload } from './workloads.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { livePods } from './pods.js';

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
  const cache = model.memo('owners:ownerChain', () => new Map<string, { kind: string; name: string; workload?: Workload }>());
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
  return model.memo('owners:workloadIndex', () => {
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
  return model.memo('owners:livePodsByWorkload', () => {
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
