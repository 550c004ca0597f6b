import { describe, expect, it } from 'vitest';
import { allowedRoutesAdmit, defaultRouteKinds, hostnamesOverlap, referenceGrantAllows, routeHostnamesIntersect } from '../../src/analysis/gateway-api.js';

const HTTP_ROUTE = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' };

describe('hostname intersection', () => {
  it('matches exact names case-insensitively', () => {
    expect(hostnamesOverlap('Store.Example.com', 'store.example.com')).toBe(true);
    expect(hostnamesOverlap('store.example.com', 'shop.example.com')).toBe(false);
  });
  it('lets a wildcard match one or more labels but not the bare parent', () => {
    expect(hostnamesOverlap('*.example.com', 'store.example.com')).toBe(true);
    expect(hostnamesOverlap('a.b.example.com', '*.example.com')).toBe(true);
    expect(hostnamesOverlap('*.example.com', 'example.com')).toBe(false);
    expect(hostnamesOverlap('*.example.com', 'store.example.org')).toBe(false);
  });
  it('intersects two wildcards when one suffix contains the other', () => {
    expect(hostnamesOverlap('*.example.com', '*.store.example.com')).toBe(true);
    expect(hostnamesOverlap('*.example.com', '*.example.org')).toBe(false);
  });
  it('treats a listener or route without hostnames as matching everything', () => {
    expect(routeHostnamesIntersect(undefined, ['a.example.com'])).toBe(true);
    expect(routeHostnamesIntersect('a.example.com', [])).toBe(true);
    expect(routeHostnamesIntersect('a.example.com', ['b.example.com', '*.example.com'])).toBe(true);
    expect(routeHostnamesIntersect('a.example.com', ['b.example.com'])).toBe(false);
  });
});

describe('allowedRoutes', () => {
  const listener = (allowedRoutes?: unknown, protocol = 'HTTP') => ({ allowedRoutes, protocol, namespace: 'infra' });
  it('admits only the Gateway namespace by default (Same)', () => {
    expect(allowedRoutesAdmit(listener(), { ...HTTP_ROUTE, namespace: 'infra' }, undefined)).toEqual({ admitted: true });
    const other = allowedRoutesAdmit(listener(), { ...HTTP_ROUTE, namespace: 'shop' }, undefined);
    expect(other.admitted).toBe(false);
    expect(other).toMatchObject({ reason: expect.stringContaining('from: Same') });
  });
  it('admits every namespace with All', () => {
    expect(allowedRoutesAdmit(listener({ namespaces: { from: 'All' } }), { ...HTTP_ROUTE, namespace: 'shop' }, undefined)).toEqual({ admitted: true });
  });
  it('matches a Selector against the Namespace labels', () => {
    const selector = listener({ namespaces: { from: 'Selector', selector: { matchLabels: { 'shared-gateway-access': 'true' } } } });
    expect(allowedRoutesAdmit(selector, { ...HTTP_ROUTE, namespace: 'shop' }, { 'shared-gateway-access': 'true' })).toEqual({ admitted: true });
    expect(allowedRoutesAdmit(selector, { ...HTTP_ROUTE, namespace: 'shop' }, { team: 'x' }).admitted).toBe(false);
    // Without the Namespace object its labels are unknown: no verdict.
    expect(allowedRoutesAdmit(selector, { ...HTTP_ROUTE, namespace: 'shop' }, undefined).admitted).toBe('unknown');
  });
  it('decides a selector on kubernetes.io/metadata.name without the Namespace object', () => {
    const byName = listener({ namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] } } });
    expect(allowedRoutesAdmit(byName, { ...HTTP_ROUTE, namespace: 'shop' }, undefined)).toEqual({ admitted: true });
    expect(allowedRoutesAdmit(byName, { ...HTTP_ROUTE, namespace: 'blog' }, undefined).admitted).toBe(false);
  });
  it('checks kinds, defaulting from the protocol', () => {
    expect(defaultRouteKinds('HTTPS').map((k) => k.kind)).toEqual(['HTTPRoute', 'GRPCRoute']);
    expect(allowedRoutesAdmit(listener(undefined, 'TCP'), { ...HTTP_ROUTE, namespace: 'infra' }, undefined).admitted).toBe(false);
    const grpcOnly = listener({ kinds: [{ kind: 'GRPCRoute' }] });
    expect(allowedRoutesAdmit(grpcOnly, { ...HTTP_ROUTE, namespace: 'infra' }, undefined)).toMatchObject({ admitted: false, reason: expect.stringContaining('not HTTPRoute') });
    expect(allowedRoutesAdmit(grpcOnly, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'infra' }, undefined)).toEqual({ admitted: true });
  });
});

describe('ReferenceGrant', () => {
  const grant = (to: Record<string, unknown>) => ({
    metadata: { name: 'allow-shop', namespace: 'backends' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [to] },
  });
  const from = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' };
  it('allows a route of the named namespace to any Service, or to the named one', () => {
    expect(referenceGrantAllows([grant({ group: '', kind: 'Service' })], from, { group: '', kind: 'Service', name: 'api' })).toBeDefined();
    expect(referenceGrantAllows([grant({ group: '', kind: 'Service', name: 'api' })], from, { group: '', kind: 'Service', name: 'api' })).toBeDefined();
    expect(referenceGrantAllows([grant({ group: '', kind: 'Service', name: 'web' })], from, { group: '', kind: 'Service', name: 'api' })).toBeUndefined();
  });
  it('does not allow another namespace or route kind', () => {
    expect(referenceGrantAllows([grant({ group: '', kind: 'Service' })], { ...from, namespace: 'blog' }, { group: '', kind: 'Service', name: 'api' })).toBeUndefined();
    expect(referenceGrantAllows([grant({ group: '', kind: 'Service' })], { ...from, kind: 'GRPCRoute' }, { group: '', kind: 'Service', name: 'api' })).toBeUndefined();
  });
});
