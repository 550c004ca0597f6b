/** Kubernetes events (core/v1 and events.k8s.io/v1 shapes), and which come from the load-balancing controllers. */
import type { Model } from './index.js';
import { asRecord, asString, get, type Rec } from '../util/values.js';
import { namespaceOf } from './workloads.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { parseTime } from '../util/time.js';

/** Controllers whose events are about GKE load balancing and NEGs. */
export const LB_COMPONENTS = new Set(['loadbalancer-controller', 'neg-controller', 'neg-readiness-reflector', 'glbc']);

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
