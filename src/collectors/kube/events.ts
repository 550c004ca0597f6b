/** Which events are kept: the collector lists every event, the rules read those about the objects they judge. */
import type { KubeObject } from '../../snapshot/types.js';

/** Kinds whose events are kept: the objects the rules reason about. */
const EVENT_SUBJECT_KINDS = new Set(['Pod', 'Service', 'Ingress', 'Deployment', 'StatefulSet', 'DaemonSet', 'EndpointSlice', 'Node', 'Gateway', 'HTTPRoute', 'GRPCRoute']);

/** Keeps only the events about collected objects the rules reason about; other events are noise (and can be many). */
export function keepRelevantEvents(objects: KubeObject[]): KubeObject[] {
  const uids = new Set<string>();
  const names = new Set<string>();
  for (const o of objects) {
    if (!EVENT_SUBJECT_KINDS.has(o.kind)) continue;
    if (o.metadata.uid) uids.add(o.metadata.uid);
    names.add(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
  }
  return objects.filter((o) => {
    if (o.kind !== 'Event' || o.apiVersion !== 'v1') return true;
    const involved = o.involvedObject as { kind?: string; namespace?: string; name?: string; uid?: string } | undefined;
    if (!involved?.kind || !EVENT_SUBJECT_KINDS.has(involved.kind)) return false;
    if (involved.uid && uids.has(involved.uid)) return true;
    return names.has(`${involved.kind}/${involved.namespace ?? ''}/${involved.name ?? ''}`);
  });
}
