/**
 * Pure Gateway API matching, as the spec (gateway-api.sigs.k8s.io, v1) and
 * GKE's controller apply it: listener and route hostname intersection,
 * allowedRoutes (namespaces and kinds), and ReferenceGrant lookups.
 */
import { labelSelectorMatches } from './network-policy.js';
import { asRecord, asRecords, asString, type Rec } from '../util/values.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * Whether two hostnames can match the same request. A leading `*.` matches
 * one or more DNS labels (so `*.example.com` matches `a.b.example.com` but
 * not `example.com`); comparison is case-insensitive.
 */
export function hostnamesOverlap(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  const xWild = x.startsWith('*.');
  const yWild = y.startsWith('*.');
  if (xWild && yWild) return x.slice(1).endsWith(y.slice(1)) || y.slice(1).endsWith(x.slice(1));
  if (xWild) return y.endsWith(x.slice(1)) && y.length > x.length - 1;
  if (yWild) return x.endsWith(y.slice(1)) && x.length > y.length - 1;
  return false;
}

/**
 * Whether a route's hostnames intersect a listener's hostname: a listener
 * without a hostname, or a route without hostnames, matches everything.
 */
export function routeHostnamesIntersect(listenerHostname: string | undefined, routeHostnames: readonly string[]): boolean {
  if (!listenerHostname || routeHostnames.length === 0) return true;
  return routeHostnames.some((h) => hostnamesOverlap(listenerHostname, h));
}

export interface RouteKind {
  group: string;
  kind: string;
}

/** The route kinds a listener admits by default, from its protocol (GKE serves HTTPRoute and GRPCRoute on HTTP(S) listeners). */
export function defaultRouteKinds(protocol: string | undefined): RouteKind[] {
  switch ((protocol ?? '').toUpperCase()) {
    case 'HTTP':
    case 'HTTPS':
      return [
        { group: GATEWAY_GROUP, kind: 'HTTPRoute' },
        { group: GATEWAY_GROUP, kind: 'GRPCRoute' },
      ];
    case 'TLS':
      return [{ group: GATEWAY_GROUP, kind: 'TLSRoute' }];
    case 'TCP':
      return [{ group: GATEWAY_GROUP, kind: 'TCPRoute' }];
    case 'UDP':
      return [{ group: GATEWAY_GROUP, kind: 'UDPRoute' }];
    default:
      return [];
  }
}

export type Admission = { admitted: true } | { admitted: false; reason: string } | { admitted: 'unknown'; reason: string };

/**
 * Whether a listener's `allowedRoutes` admits a route: `namespaces.from`
 * (`Same` by default, `All`, or `Selector` over the route namespace's labels)
 * and `kinds` (by default, those of the listener's protocol).
 * `namespaceLabels` is undefined when the route's Namespace object is not
 * known; a selector on other labels than `kubernetes.io/metadata.name` (which
 * every Namespace carries) then cannot be decided.
 */
export function allowedRoutesAdmit(
  listener: { allowedRoutes?: unknown; protocol?: string; namespace: string },
  route: { group: string; kind: string; namespace: string },
  namespaceLabels: Record<string, string> | undefined,
): Admission {
  const allowed = asRecord(listener.allowedRoutes) ?? {};
  const kinds = asRecords(allowed.kinds);
  const admittedKinds: RouteKind[] =
    kinds.length > 0 ? kinds.map((k) => ({ group: asString(k.group) ?? GATEWAY_GROUP, kind: asString(k.kind) ?? '' })) : defaultRouteKinds(listener.protocol);
  if (!admittedKinds.some((k) => k.kind === route.kind && k.group === route.group)) {
    return { admitted: false, reason: `its allowedRoutes.kinds admit ${admittedKinds.map((k) => k.kind).join(', ') || 'no route kind'}, not ${route.kind}` };
  }
  const namespaces = asRecord(allowed.namespaces) ?? {};
  const from = asString(namespaces.from) ?? 'Same';
  if (from === 'All') return { admitted: true };
  if (from === 'Same') {
    return route.namespace === listener.namespace
      ? { admitted: true }
      : { admitted: false, reason: `it admits routes from its own namespace ${listener.namespace} only (allowedRoutes.namespaces.from: Same), not from ${route.namespace}` };
  }
  if (from === 'Selector') {
    const selector = namespaces.selector;
    const labels = namespaceLabels ?? { 'kubernetes.io/metadata.name': route.namespace };
    const matches = labelSelectorMatches(selector, labels);
    if (matches) return { admitted: true };
    if (!namespaceLabels && !selectsOnlyByName(selector)) {
      return { admitted: 'unknown', reason: `Namespace ${route.namespace} is not in the inputs, so its labels cannot be matched against allowedRoutes.namespaces.selector` };
    }
    return { admitted: false, reason: `namespace ${route.namespace} does not match its allowedRoutes.namespaces.selector` };
  }
  return { admitted: false, reason: `allowedRoutes.namespaces.from is ${JSON.stringify(from)}, which is not Same, All or Selector` };
}

/** A selector that looks only at `kubernetes.io/metadata.name`, which the API server sets on every Namespace. */
function selectsOnlyByName(selector: unknown): boolean {
  const rec = asRecord(selector) ?? {};
  const keys = [...Object.keys(asRecord(rec.matchLabels) ?? {}), ...asRecords(rec.matchExpressions).map((e) => asString(e.key) ?? '')];
  return keys.length > 0 && keys.every((k) => k === 'kubernetes.io/metadata.name');
}

/**
 * Whether one of the ReferenceGrants (the objects in the target's namespace)
 * lets `from` (a route kind in its namespace) refer to `to` (group, kind,
 * name). A grant's `to[].name`, when set, limits it to that object.
 */
export function referenceGrantAllows(
  grants: readonly Rec[],
  from: { group: string; kind: string; namespace: string },
  to: { group: string; kind: string; name: string },
): Rec | undefined {
  return grants.find((grant) => {
    const spec = asRecord(grant.spec) ?? {};
    const fromOk = asRecords(spec.from).some(
      (f) => (asString(f.group) ?? '') === from.group && asString(f.kind) === from.kind && asString(f.namespace) === from.namespace,
    );
    if (!fromOk) return false;
    return asRecords(spec.to).some((t) => {
      const name = asString(t.name);
      return (asString(t.group) ?? '') === to.group && asString(t.kind) === to.kind && (name === undefined || name === '' || name === to.name);
    });
  });
}
