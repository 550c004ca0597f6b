import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { policySchemaProblems } from '../../src/analysis/gke-policy-schema.js';
import { defaultSettings } from '../../src/model/settings.js';
import { gatewayHealthCheck, gatewayPolicies, policyFor } from '../../src/model/gateway.js';
import { Model } from '../../src/model/index.js';
import type { KubeObject } from '../../src/snapshot/types.js';
import { snapshotOf } from '../snapshot-of.js';

function modelOf(objects: KubeObject[]): Model {
  const snapshot = snapshotOf(objects);
  return new Model(snapshot, defaultSettings());
}

const gateway = (cls: string, allowedRoutes?: unknown): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'external', namespace: 'infra' },
  spec: { gatewayClassName: cls, listeners: [{ name: 'http', protocol: 'HTTP', port: 80, ...(allowedRoutes ? { allowedRoutes } : {}) }] },
});
const route = (backendRefs: unknown[]): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'store', namespace: 'shop' },
  spec: { parentRefs: [{ name: 'external', namespace: 'infra' }], rules: [{ backendRefs }] },
});
const service = (name: string, namespace = 'shop', appProtocol?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, ...(appProtocol ? { appProtocol } : {}) }] },
});
const hcp = (name: string, namespace: string, config: unknown, creationTimestamp?: string): KubeObject => ({
  apiVersion: 'networking.gke.io/v1',
  kind: 'HealthCheckPolicy',
  metadata: { name, namespace, ...(creationTimestamp ? { creationTimestamp } : {}) },
  spec: { targetRef: { group: '', kind: 'Service', name: 'web' }, default: { config } },
});

describe('Gateway model', () => {
  it('backs the Service ports of routes attached to a GKE Gateway with NEGs, and only those', () => {
    const attached = modelOf([gateway('gke-l7-global-external-managed', { namespaces: { from: 'All' } }), route([{ name: 'web', port: 80 }]), service('web')]);
    expect(attached.negServices.map((n) => [n.service.name, n.ports.map((p) => p.reasons)])).toEqual([['web', [['gateway']]]]);
    // Same namespace only (the default): the route does not attach, GKE creates no NEG for it.
    const refused = modelOf([gateway('gke-l7-global-external-managed'), route([{ name: 'web', port: 80 }]), service('web')]);
    expect(refused.negServices).toEqual([]);
    expect(refused.gateway.routes[0]!.parents[0]!.problem).toContain('from: Same');
    // Another controller's Gateway: not GKE's NEGs.
    const istio = modelOf([gateway('istio', { namespaces: { from: 'All' } }), route([{ name: 'web', port: 80 }]), service('web')]);
    expect(istio.negServices).toEqual([]);
  });

  it('resolves cross-namespace backends only through a ReferenceGrant', () => {
    const objects = [gateway('gke-l7-rilb', { namespaces: { from: 'All' } }), route([{ name: 'api', namespace: 'backends', port: 80 }]), service('api', 'backends')];
    const denied = modelOf(objects);
    expect(denied.gateway.routes[0]!.backends[0]!.problem?.kind).toBe('no-reference-grant');
    const grant: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'allow', namespace: 'backends' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [{ group: '', kind: 'Service' }] },
    };
    const allowed = modelOf([...objects, grant]);
    expect(allowed.gateway.routes[0]!.backends[0]!.problem).toBeUndefined();
    expect(allowed.negServices.map((n) => `${n.service.namespace}/${n.service.name}`)).toEqual(['backends/api']);
  });

  it('keeps pre-GA networking.x-k8s.io objects out of the v1 model', () => {
    const legacy: KubeObject = { apiVersion: 'networking.x-k8s.io/v1alpha1', kind: 'Gateway', metadata: { name: 'old' }, spec: { gatewayClassName: 'gke-l7-gxlb' } };
    const model = modelOf([legacy]);
    expect(model.gateway.gateways).toEqual([]);
    expect(model.gateway.legacy.map((o) => o.object.metadata.name)).toEqual(['old']);
  });

  it('computes the effective health check field by field over the defaults', () => {
    const web = service('web');
    const base = modelOf([web]);
    const svc = base.services[0]!;
    expect(gatewayHealthCheck(base, svc, svc.ports[0]!)).toEqual({ type: 'HTTP', port: 'serving', path: '/' });
    const h2c = modelOf([service('web', 'shop', 'kubernetes.io/h2c')]);
    expect(gatewayHealthCheck(h2c, h2c.services[0]!, h2c.services[0]!.ports[0]!).type).toBe('HTTP2');
    const withPolicy = modelOf([web, hcp('web', 'shop', { type: 'HTTP', httpHealthCheck: { port: 8081 } })]);
    const s = withPolicy.services[0]!;
    expect(gatewayHealthCheck(withPolicy, s, s.ports[0]!)).toMatchObject({ type: 'HTTP', port: 8081, path: '/' });
    // A policy in another namespace applies to nothing here.
    const elsewhere = modelOf([web, hcp('web', 'infra', { type: 'HTTP', httpHealthCheck: { requestPath: '/healthz' } })]);
    expect(policyFor(elsewhere, 'HealthCheckPolicy', elsewhere.services[0]!)).toBeUndefined();
  });

  it('lets the oldest of two policies on one target win, then by name', () => {
    const model = modelOf([
      service('web'),
      hcp('b-newer', 'shop', { type: 'TCP', tcpHealthCheck: {} }, '2024-02-01T00:00:00Z'),
      hcp('z-older', 'shop', { type: 'TCP', tcpHealthCheck: {} }, '2024-01-01T00:00:00Z'),
    ]);
    const policies = gatewayPolicies(model);
    expect(policies.find((p) => p.name === 'b-newer')!.lostTo?.name).toBe('z-older');
    expect(policyFor(model, 'HealthCheckPolicy', model.services[0]!)?.name).toBe('z-older');
    const noTimes = modelOf([service('web'), hcp('b', 'shop', { type: 'TCP', tcpHealthCheck: {} }), hcp('a', 'shop', { type: 'TCP', tcpHealthCheck: {} })]);
    expect(policyFor(noTimes, 'HealthCheckPolicy', noTimes.services[0]!)?.name).toBe('a');
  });
});

describe('GKE policy schemas (vendored from gke-gateway-api)', () => {
  const gbp = (spec: unknown) => ({ apiVersion: 'networking.gke.io/v1', kind: 'GCPBackendPolicy', metadata: { name: 'p' }, spec });
  it('accepts the fields Google\'s current docs and samples use, maxRatePerEndpoint included', () => {
    expect(
      policySchemaProblems(
        'GCPBackendPolicy',
        gbp({ targetRef: { group: '', kind: 'Service', name: 'store' }, default: { maxRatePerEndpoint: 10, timeoutSec: 40, connectionDraining: { drainingTimeoutSec: 60 }, securityPolicy: 'armor', logging: { enabled: true, sampleRate: 500000 } } }),
      ),
    ).toEqual([]);
  });
  it('rejects unknown fields, wrong types and out-of-range values with their paths', () => {
    const problems = policySchemaProblems('GCPBackendPolicy', gbp({ targetRef: { group: '', kind: 'Service', name: 'store' }, default: { drainingTimeoutSec: 60, timeoutSec: '40s' } }));
    expect(problems).toEqual([
      { path: ['spec', 'default', 'drainingTimeoutSec'], message: 'unknown field spec.default.drainingTimeoutSec' },
      { path: ['spec', 'default', 'timeoutSec'], message: 'spec.default.timeoutSec must be of type integer, not "40s"' },
    ]);
    expect(policySchemaProblems('GCPBackendPolicy', gbp({ default: {} }))).toEqual([{ path: ['spec', 'targetRef'], message: 'spec.targetRef is required' }]);
  });
  it('enforces the CRD\'s simple CEL rules (the config of the declared type, fixed/named ports)', () => {
    const policy = (config: unknown) => ({ apiVersion: 'networking.gke.io/v1', kind: 'HealthCheckPolicy', metadata: { name: 'h' }, spec: { targetRef: { group: '', kind: 'Service', name: 'web' }, default: { config } } });
    expect(policySchemaProblems('HealthCheckPolicy', policy({ type: 'TCP', httpHealthCheck: { requestPath: '/' } })).map((p) => p.message)).toContain(
      'spec.default.config: tcpHealthCheck must be specified for type TCP',
    );
    expect(policySchemaProblems('HealthCheckPolicy', policy({ type: 'HTTP', httpHealthCheck: { portSpecification: 'USE_FIXED_PORT' } })).map((p) => p.message)).toEqual([
      'spec.default.config.httpHealthCheck: for portSpecification being USE_FIXED_PORT, port must be set and portName must be unset',
    ]);
    expect(policySchemaProblems('HealthCheckPolicy', policy({ type: 'HTTP', httpHealthCheck: { portSpecification: 'USE_FIXED_PORT', port: 8081, requestPath: '/ready' } }))).toEqual([]);
  });
  it('validates the policies of Google\'s own samples in the repository fixtures', () => {
    for (const file of ['fixtures/rules/gateway-policy-invalid/silent/gcpbackendpolicy-with-max-rate-per-endpoint.yaml', 'fixtures/rules/gateway-policy-invalid/silent/healthcheckpolicy-fixed-port.yaml']) {
      for (const doc of parseAllDocuments(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'))) {
        const object = doc.toJS() as { kind: string };
        if (object.kind === 'GCPBackendPolicy' || object.kind === 'HealthCheckPolicy') expect(policySchemaProblems(object.kind, object), file).toEqual([]);
      }
    }
  });
});
