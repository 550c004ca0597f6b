import type { Snapshot, SnapshotObject } from '../snapshot/types.js';
import type { Settings } from './settings.js';
import { serviceInfo, type ServiceInfo } from './services.js';
import { nameOf, namespaceOf } from './workloads.js';

/**
 * The snapshot's objects indexed by kind and by name, and its Services: what
 * every derived view looks objects up in. The Model builds on it; views that
 * the Model itself is built from (the Gateway view) take this index, so the
 * model's modules do not import each other in a circle.
 */
export class ObjectIndex {
  readonly objectsByKind = new Map<string, SnapshotObject[]>();
  readonly services: ServiceInfo[] = [];
  /** Lookups by kind/namespace/name: rules resolve references per object, so scans must not be linear. */
  private readonly byKindNamespaceName = new Map<string, SnapshotObject[]>();
  private readonly servicesByName = new Map<string, ServiceInfo[]>();
  private readonly memos = new Map<string, unknown>();

  constructor(
    readonly snapshot: Snapshot,
    readonly settings: Settings,
  ) {
    for (const obj of snapshot.objects) {
      const list = this.objectsByKind.get(obj.object.kind);
      if (list) list.push(obj);
      else this.objectsByKind.set(obj.object.kind, [obj]);
      push(this.byKindNamespaceName, objectKey(obj.object.kind, namespaceOf(obj), nameOf(obj)), obj);
    }
    for (const obj of this.kind('Service')) {
      const info = serviceInfo(obj);
      this.services.push(info);
      push(this.servicesByName, `${info.namespace}/${info.name}`, info);
    }
  }

  kind(kind: string): SnapshotObject[] {
    return this.objectsByKind.get(kind) ?? [];
  }

  /** Objects of a kind with this namespace and name (manifests may hold the same name twice). */
  find(kind: string, namespace: string | undefined, name: string): SnapshotObject[] {
    if (namespace !== undefined) return this.byKindNamespaceName.get(objectKey(kind, namespace, name)) ?? [];
    return this.kind(kind).filter((o) => nameOf(o) === name);
  }

  /**
   * A value derived from the model, computed once per model: several rules
   * share views such as the serving ports with their inferred health checks.
   */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** Services of this namespace and name; with `from`, only those of the referring object's own input set (see `nearest`). */
  servicesNamed(namespace: string, name: string, from?: SnapshotObject): ServiceInfo[] {
    const candidates = this.servicesByName.get(`${namespace}/${name}`) ?? [];
    return from ? nearest(from, candidates, (s) => s.obj) : candidates;
  }
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}\0${namespace}\0${name}`;
}

/**
 * The candidates whose source file is nearest to `from` (longest common
 * directory prefix; the same file wins outright). Inputs often hold several
 * independent apps that reuse names in one namespace (samples,
 * per-environment folders): a reference is resolved within its own input
 * set, not against every object of that name. Objects without a source (live
 * data) keep every candidate.
 */
export function nearest<T>(from: SnapshotObject, candidates: T[], objOf: (candidate: T) => SnapshotObject): T[] {
  if (candidates.length < 2) return candidates;
  const base = directoryOf(from);
  if (!base) return candidates;
  const scored = candidates.map((candidate) => {
    const dirs = directoryOf(objOf(candidate));
    if (!dirs) return { candidate, score: -1 };
    let score = 0;
    while (score < base.length && score < dirs.length && base[score] === dirs[score]) score++;
    if (objOf(candidate).source?.file === from.source?.file) score = Number.MAX_SAFE_INTEGER;
    return { candidate, score };
  });
  if (scored.some((s) => s.score < 0)) return candidates;
  const best = Math.max(...scored.map((s) => s.score));
  return scored.filter((s) => s.score === best).map((s) => s.candidate);
}

function directoryOf(obj: SnapshotObject): string[] | undefined {
  const file = obj.source?.file;
  if (!file) return undefined;
  const parts = file.split(/[\\/]+/);
  parts.pop();
  return parts;
}
