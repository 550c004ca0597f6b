/**
 * Workloads and their pod templates, and the rollout arithmetic Kubernetes
 * applies to them.
 */
import type { SnapshotObject } from '../snapshot/types.js';
import { asCount, asRecord, asRecords, asString, get, stringMap, type Rec } from '../util/values.js';

export type Path = Array<string | number>;

/** Kinds whose pods are replaced by a controller during a rollout: the termination and rollout rules apply. */
const ROLLOUT_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout']);

export interface Workload {
  obj: SnapshotObject;
  kind: string;
  namespace: string;
  name: string;
  /** Path to the pod template (`['spec', 'template']`), or [] for a bare Pod. */
  templatePath: Path;
  /** Path to the pod spec. */
  podSpecPath: Path;
  podSpec: Rec;
  labels: Record<string, string>;
  templateAnnotations: Record<string, string>;
  /** Deployment, StatefulSet, DaemonSet or Argo Rollout: rolled by a controller. */
  rolled: boolean;
}

export function namespaceOf(obj: SnapshotObject): string {
  return asString(obj.object.metadata.namespace) || 'default';
}

export function nameOf(obj: SnapshotObject): string {
  return asString(obj.object.metadata.name) ?? '';
}

/**
 * The pod template of an object, if it has one. Pods owned by a controller
 * (as in a kubectl dump) are left out: their template is the owner's.
 */
export function workloadOf(obj: SnapshotObject): Workload | undefined {
  const { kind } = obj.object;
  let templatePath: Path;
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
    case 'Rollout':
      templatePath = ['spec', 'template'];
      break;
    case 'CronJob':
      templatePath = ['spec', 'jobTemplate', 'spec', 'template'];
      break;
    case 'Pod':
      if (asRecords(obj.object.metadata.ownerReferences).length > 0) return undefined;
      templatePath = [];
      break;
    default:
      return undefined;
  }
  if (kind === 'ReplicaSet' && asRecords(obj.object.metadata.ownerReferences).length > 0) return undefined;
  if (kind === 'Rollout' && !obj.object.apiVersion.startsWith('argoproj.io/')) return undefined;
  const template = templatePath.length ? asRecord(get(obj.object, ...templatePath)) : (obj.object as Rec);
  const podSpec = asRecord(template?.spec);
  if (!template || !podSpec) return undefined;
  return {
    obj,
    kind,
    namespace: namespaceOf(obj),
    name: nameOf(obj),
    templatePath,
    podSpecPath: [...templatePath, 'spec'],
    podSpec,
    labels: stringMap(get(template, 'metadata', 'labels')),
    templateAnnotations: stringMap(get(template, 'metadata', 'annotations')),
    rolled: ROLLOUT_KINDS.has(kind),
  };
}

export interface ContainerRef {
  index: number;
  container: Rec;
  name: string;
  path: Path;
}

export function containersOf(workload: Workload): ContainerRef[] {
  return asRecords(workload.podSpec.containers).map((container, index) => ({
    index,
    container,
    name: asString(container.name) ?? `#${index}`,
    path: [...workload.podSpecPath, 'containers', index],
  }));
}

export const DEFAULT_GRACE_PERIOD_SECONDS = 30;

/** `terminationGracePeriodSeconds` as Kubernetes applies it: default 30 when absent or invalid. */
export function gracePeriodSeconds(workload: Workload): { seconds: number; explicit: boolean } {
  const value = asCount(workload.podSpec.terminationGracePeriodSeconds);
  return value === undefined ? { seconds: DEFAULT_GRACE_PERIOD_SECONDS, explicit: false } : { seconds: value, explicit: true };
}

/**
 * An int-or-percent rollout field resolved the way the Deployment controller
 * does it: percentages of `replicas`, rounded up for maxSurge and down for
 * maxUnavailable. Returns undefined for values Kubernetes would reject.
 */
export function resolveIntOrPercent(value: unknown, replicas: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string') {
    const match = /^(\d+)%$/.exec(value.trim());
    if (!match) return undefined;
    const scaled = (Number(match[1]) * replicas) / 100;
    return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
  }
  return undefined;
}

export interface RolloutPlan {
  strategy: string;
  replicas: number;
  replicasSource: 'spec' | 'default' | 'hpa';
  /** Effective number of pods that may be unavailable at once; undefined when not applicable (OnDelete). */
  maxUnavailable?: number;
  maxSurge?: number;
  /** Path of the field that set maxUnavailable, or where it would go. */
  maxUnavailablePath: Path;
  /** Whether maxUnavailable came from the 25% default. */
  maxUnavailableDefaulted: boolean;
}

/**
 * The rollout a controller will perform. For a Deployment this is
 * `ResolveFenceposts`: surge rounds up, unavailable rounds down, and when
 * both end at 0 the controller still allows one unavailable pod.
 */
export function rolloutPlan(workload: Workload, hpaMinReplicas?: number): RolloutPlan | undefined {
  const spec = asRecord(workload.obj.object.spec) ?? {};
  const specReplicas = asCount(spec.replicas);
  const replicas = hpaMinReplicas ?? specReplicas ?? 1;
  const replicasSource = hpaMinReplicas !== undefined ? 'hpa' : specReplicas !== undefined ? 'spec' : 'default';
  switch (workload.kind) {
    case 'Deployment': {
      const strategy = asRecord(spec.strategy) ?? {};
      const type = asString(strategy.type) ?? 'RollingUpdate';
      const base = ['spec', 'strategy'];
      if (type === 'Recreate') {
        return { strategy: type, replicas, replicasSource, maxUnavailable: replicas, maxSurge: 0, maxUnavailablePath: [...base, 'type'], maxUnavailableDefaulted: false };
      }
      const rolling = asRecord(strategy.rollingUpdate) ?? {};
      const rawUnavailable = rolling.maxUnavailable ?? '25%';
      const rawSurge = rolling.maxSurge ?? '25%';
      const surge = resolveIntOrPercent(rawSurge, replicas, true) ?? 0;
      let unavailable = resolveIntOrPercent(rawUnavailable, replicas, false) ?? 0;
      if (surge === 0 && unavailable === 0) unavailable = 1;
      return {
        strategy: type,
        replicas,
        replicasSource,
        maxUnavailable: unavailable,
        maxSurge: surge,
        maxUnavailablePath: [...base, 'rollingUpdate', 'maxUnavailable'],
        maxUnavailableDefaulted: rolling.maxUnavailable === undefined,
      };
    }
    case 'StatefulSet': {
      const strategy = asRecord(spec.updateStrategy) ?? {};
      const type = asString(strategy.type) ?? 'RollingUpdate';
      if (type === 'OnDelete') return undefined;
      // A StatefulSet cannot surge: each ordinal is deleted before it is recreated.
      const rolling = asRecord(strategy.rollingUpdate) ?? {};
      const unavailable = Math.max(1, resolveIntOrPercent(rolling.maxUnavailable ?? 1, replicas, false) ?? 1);
      return {
        strategy: type,
        replicas,
        replicasSource,
        maxUnavailable: unavailable,
        maxSurge: 0,
        maxUnavailablePath: ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'],
        maxUnavailableDefaulted: rolling.maxUnavailable === undefined,
      };
    }
    case 'DaemonSet': {
      const strategy = asRecord(spec.updateStrategy) ?? {};
      const type = asString(strategy.type) ?? 'RollingUpdate';
      if (type === 'OnDelete') return undefined;
      // One pod per node; percentages are of the node count, which a manifest does not know: treat any non-zero as 1.
      const rolling = asRecord(strategy.rollingUpdate) ?? {};
      const surgeRaw = rolling.maxSurge ?? 0;
      const unavailableRaw = rolling.maxUnavailable ?? 1;
      const nonZero = (v: unknown) => (typeof v === 'string' ? !/^0+%?$/.test(v.trim()) : v !== 0);
      const surge = nonZero(surgeRaw) ? 1 : 0;
      const unavailable = nonZero(unavailableRaw) || surge === 0 ? 1 : 0;
      return {
        strategy: type,
        replicas,
        replicasSource,
        maxUnavailable: unavailable,
        maxSurge: surge,
        maxUnavailablePath: ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'],
        maxUnavailableDefaulted: rolling.maxUnavailable === undefined,
      };
    }
    default:
      return undefined;
  }
}
