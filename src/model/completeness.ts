/**
 * Whether the inputs hold every object of a kind in a namespace, so that an
 * object missing from them is missing from the cluster too. True for live
 * data (a scan or its snapshot), for kinds the user stated the file of
 * (`k8s:services=svc.yaml`, each capture of a `negdoctor gather` bundle), for
 * typed lists (`kind: ServiceList`), and for `kubectl get … -o yaml` dumps:
 * objects that carry the metadata only the API server writes (resourceVersion,
 * uid). A folder of hand-written manifests is never complete: charts,
 * operators and other repositories create objects it does not show.
 */
import type { SnapshotObject } from '../snapshot/types.js';
import type { ObjectIndex } from './objects.js';
import { namespaceOf } from './workloads.js';

/** Kinds a scan never reads (SPEC §7): live data says nothing about them. */
const NEVER_COLLECTED = new Set(['Secret', 'ConfigMap']);

/** Metadata only the API server writes: the object came from a cluster, not from a manifest. */
export function fromApiServer(obj: SnapshotObject): boolean {
  const m = obj.object.metadata;
  return (typeof m.resourceVersion === 'string' && m.resourceVersion !== '') || (typeof m.uid === 'string' && m.uid !== '');
}

export function inputsHoldAll(model: ObjectIndex, kind: string, namespace: string, referrer?: SnapshotObject): boolean {
  const snapshot = model.snapshot;
  if (snapshot.source === 'live' && !NEVER_COLLECTED.has(kind)) return true;
  if (snapshot.inputs.completeKinds?.includes(kind)) return true;
  const dumped = model.memo(`completeness:${kind}`, () => {
    const namespaces = new Set<string>();
    for (const obj of model.kind(kind)) if (fromApiServer(obj)) namespaces.add(namespaceOf(obj));
    return namespaces;
  });
  if (dumped.has(namespace)) return true;
  // A dump that holds this kind in other namespaces and the referrer too (`kubectl get httproute,svc -A -o yaml`).
  return dumped.size > 0 && referrer !== undefined && fromApiServer(referrer);
}
