import { describe, expect, it } from 'vitest';
import { gatewayApiSchemaProblems } from '../../src/analysis/gateway-api-schema.js';

const route = (spec: unknown, apiVersion = 'gateway.networking.k8s.io/v1') => ({ apiVersion, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' }, spec });
const gateway = (listeners: unknown[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'g' },
  spec: { gatewayClassName: 'gke-l7-global-external-managed', listeners },
});

describe('Gateway API schemas (standard channel, vendored)', () => {
  it('accepts a typical HTTPRoute, in v1 and v1beta1', () => {
    const spec = { parentRefs: [{ name: 'external', sectionName: 'https' }], hostnames: ['store.example.com'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'store', port: 80 }] }] };
    expect(gatewayApiSchemaProblems(route(spec))).toEqual([]);
    expect(gatewayApiSchemaProblems(route(spec, 'gateway.networking.k8s.io/v1beta1'))).toEqual([]);
  });
  it('rejects a port written as a string and a parentRef without a name, in the API server\'s terms', () => {
    expect(gatewayApiSchemaProblems(route({ parentRefs: [{}, { name: 'external', port: '8080' }], rules: [{ backendRefs: [{ name: 'store', port: '8080' }] }] }))).toEqual([
      { path: ['spec', 'parentRefs', 0, 'name'], message: 'spec.parentRefs[0].name is required' },
      { path: ['spec', 'parentRefs', 1, 'port'], message: 'spec.parentRefs[1].port must be of type integer, not "8080"' },
      { path: ['spec', 'rules', 0, 'backendRefs', 0, 'port'], message: 'spec.rules[0].backendRefs[0].port must be of type integer, not "8080"' },
    ]);
  });
  it('enforces the translated CEL rules with their messages', () => {
    expect(gatewayApiSchemaProblems(route({ rules: [{ backendRefs: [{ name: 'store' }] }] }))?.map((p) => p.message)).toEqual([
      'spec.rules[0].backendRefs[0]: Must have port for Service reference',
    ]);
    expect(gatewayApiSchemaProblems(gateway([{ name: 'a', protocol: 'HTTP', port: 80 }, { name: 'a', protocol: 'HTTP', port: 8080 }]))?.map((p) => p.message)).toEqual([
      'spec.listeners: Listener name must be unique within the Gateway',
    ]);
    expect(gatewayApiSchemaProblems(gateway([{ name: 'https', protocol: 'HTTPS', port: 443, tls: { mode: 'Terminate' } }]))?.map((p) => p.message)).toEqual([
      'spec.listeners[0].tls: certificateRefs or options must be specified when mode is Terminate',
    ]);
    // A backendRef to another kind needs no port; an HTTPS listener may leave tls to a certificate map annotation.
    expect(gatewayApiSchemaProblems(route({ rules: [{ backendRefs: [{ group: 'net.gke.io', kind: 'ServiceImport', name: 'store', port: 80 }] }] }))).toEqual([]);
    expect(gatewayApiSchemaProblems(gateway([{ name: 'https', protocol: 'HTTPS', port: 443 }]))).toEqual([]);
  });
  it('validates only the kinds and versions the vendored CRDs serve', () => {
    expect(gatewayApiSchemaProblems({ apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute' })).toBeUndefined();
    expect(gatewayApiSchemaProblems({ apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'HTTPRoute' })).toBeUndefined();
  });
});
