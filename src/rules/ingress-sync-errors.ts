import { DATA } from '../snapshot/data-keys.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { defineRule } from './define-rule.js';
import { LB_COMPONENTS, events, type EventInfo } from '../model/events.js';
import { UNKNOWN_TIME } from '../model/readiness-gate.js';
import { formatDuration } from '../util/time.js';
import { truncate } from '../util/text.js';

/** Warning reasons the GKE Ingress and NEG controllers emit (pkg/controller, pkg/neg, pkg/events). */
const LB_REASONS = new Set([
  'Sync',
  'Translate',
  'GarbageCollection',
  'SyncNetworkEndpointGroupFailed',
  'AttachNetworkEndpointsFailed',
  'DetachNetworkEndpointsFailed',
  'ProcessServiceFailed',
  'ProcessServiceSkipped',
  'RetryFailed',
  'BackendConfigOverridesTHC',
  'THCAnnotationWithoutFlag',
  'THCAnnotationWithoutNEG',
]);

/** Reported by endpointslice-degraded, not twice. */
const OWN_RULE_REASONS = new Set(['EnterDegradedMode']);

export default defineRule({
  meta: {
    id: 'ingress-sync-errors',
    title: 'GKE load balancer or NEG controller reports errors',
    severity: 'error',
    category: 'live',
    symptom: 'Changes to the Ingress or Service do not reach the load balancer: stale backends, missing paths, 404/502s after a deploy.',
    cause:
      'The GKE Ingress controller (loadbalancer-controller) and the NEG controller (neg-controller) report failures only as Warning events on the Ingress or Service: "Translation failed", "Error syncing to GCP", SyncNetworkEndpointGroupFailed, failed endpoint attach/detach. Until the cause is fixed, every sync fails the same way.',
    evidence:
      'Warning events from those controllers (or with their reasons) about a GKE-class Ingress or a NEG Service in the snapshot, seen within the age window; one finding per object and reason, quoting the latest message and the count.',
    remediation: 'Fix what the event message names (a missing Service or port, an invalid annotation, a quota or IAM error); `kubectl describe` the object to follow the retries.',
    needs: [DATA.events, DATA.ingresses, DATA.services],
    explains: [
      { rule: 'ingress-no-address', on: 'ingress', why: "While the load-balancer controller fails to sync an Ingress it does not finish its load balancer, so that Ingress gets no address." },
    ],
    options: {
      maxAgeSeconds: { type: 'integer', minimum: 0, description: 'Ignore events whose last occurrence is older than this (Kubernetes keeps events for 1 h by default).' },
    },
    defaults: { maxAgeSeconds: 3600 },
  },
  check(ctx) {
    const targets = new Map<string, SnapshotObject>();
    for (const ingress of ctx.model.ingresses) {
      if (ingress.ingressClass !== 'other') targets.set(`Ingress/${ingress.namespace}/${ingress.name}`, ingress.obj);
    }
    for (const neg of ctx.model.negServices) targets.set(`Service/${neg.service.namespace}/${neg.service.name}`, neg.service.obj);

    const groups = new Map<string, { obj: SnapshotObject; reason: string; events: EventInfo[] }>();
    for (const e of events(ctx.model)) {
      if (e.type !== 'Warning' || OWN_RULE_REASONS.has(e.reason)) continue;
      if (!(e.component ? LB_COMPONENTS.has(e.component) : LB_REASONS.has(e.reason))) continue;
      const obj = targets.get(`${e.involved.kind}/${e.involved.namespace}/${e.involved.name}`);
      if (!obj) continue;
      if (e.last !== undefined && (ctx.now.getTime() - e.last) / 1000 > ctx.options.maxAgeSeconds) continue;
      const key = `${e.involved.kind}/${e.involved.namespace}/${e.involved.name}/${e.reason}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { obj, reason: e.reason, events: [] }));
      group.events.push(e);
    }
    for (const group of groups.values()) {
      const sorted = group.events.sort((a, b) => (a.last ?? 0) - (b.last ?? 0));
      const latest = sorted.at(-1)!;
      const count = sorted.reduce((n, e) => n + e.count, 0);
      const when = latest.last !== undefined ? `, last ${formatDuration((ctx.now.getTime() - latest.last) / 1000)} ago` : '';
      // Events pasted without their times: the error was reported, but whether it is recent is unknown.
      const timeless = latest.last === undefined;
      ctx.report({
        object: group.obj,
        path: [],
        ...(timeless ? { severity: 'info' as const } : {}),
        message: `${group.obj.object.kind} ${latest.involved.name}: ${latest.component ?? 'the load balancer controller'} reports ${group.reason} (${count} ${count === 1 ? 'time' : 'times'}${when})${timeless ? `, ${UNKNOWN_TIME}: no event time says whether it is recent` : ''}: ${truncate(latest.message, 240)}`,
        evidence: { reason: group.reason, count, message: latest.message, component: latest.component ?? null },
      });
    }
  },
});
