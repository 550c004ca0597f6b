/**
 * ListenerSet (gateway.networking.k8s.io, standard channel since v1.5): a
 * resource that adds listeners to a Gateway, and a parent routes can attach
 * to. GKE's Gateway controller does not serve it: its "GatewayClass
 * capabilities" page lists no ListenerSet support for any class, so a route
 * attached through a ListenerSet to a GKE Gateway is attached to nothing.
 */
import type { SnapshotObject } from '../snapshot/types.js';
import { nearest, type ObjectIndex } from './objects.js';
import { asRecord, asString, get } from '../util/values.js';
import { namespaceOf } from './workloads.js';

/** The Gateway a ListenerSet of the inputs names in spec.parentRef (namespace defaulted to the ListenerSet's). */
export function listenerSetGateway(model: ObjectIndex, from: SnapshotObject, namespace: string, name: string): { namespace: string; name: string } | undefined {
  const set = nearest(from, model.find('ListenerSet', namespace, name), (o) => o)[0];
  if (!set) return undefined;
  const ref = asRecord(get(set.object, 'spec', 'parentRef')) ?? {};
  const gateway = asString(ref.name);
  if (!gateway || (asString(ref.kind) ?? 'Gateway') !== 'Gateway') return undefined;
  return { namespace: asString(ref.namespace) ?? namespaceOf(set), name: gateway };
}
