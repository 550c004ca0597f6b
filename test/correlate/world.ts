/**
 * A small live cluster with two of everything (side a and side b): two NEG
 * Services behind two Ingresses, their Deployments, one pod each on its own
 * node, EndpointSlices. Findings are written the way each rule reports them
 * (object, field path, the evidence the correlation reads), about side a or
 * side b, so one edge can be checked with a matching and a differing join key.
 * `test/correlate/correlate.test.ts` checks these shapes against the real
 * findings of the demo snapshot, so they cannot drift from the rules.
 */
import type { Finding } from '../../src/findings.js';
import type { JoinKey } from '../../src/model/rule-contract.js';
import type { Snapshot, SnapshotObject } from '../../src/snapshot/types.js';

export type Side = 'a' | 'b';

const NS = 'shop';
const podName = (s: Side) => `web-${s}-5d8b7c9f4-x${s}`;
const podIp = (s: Side) => (s === 'a' ? '10.52.0.11' : '10.52.1.22');
const negName = (s: Side) => `k8s1-7f3c9a12-shop-web-${s}-80-0123abcd`;

export function worldSnapshot(): Snapshot {
  const objects: Array<SnapshotObject['object']> = [];
  for (const s of ['a', 'b'] as const) {
    objects.push(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `web-${s}`, namespace: NS, uid: `dep-${s}` },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: `web-${s}` } },
          template: {
            metadata: { labels: { app: `web-${s}` } },
            spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
          },
        },
        status: { replicas: 2 },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `web-${s}`, namespace: NS, uid: `svc-${s}`, annotations: { 'cloud.google.com/neg': '{"ingress": true}' } },
        spec: { type: 'ClusterIP', selector: { app: `web-${s}` }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `web-${s}`, namespace: NS, uid: `ing-${s}`, annotations: { 'kubernetes.io/ingress.class': 'gce' } },
        spec: { defaultBackend: { service: { name: `web-${s}`, port: { number: 80 } } } },
      },
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: `node-${s}`, uid: `node-${s}` },
        spec: {},
        status: {},
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName(s),
          namespace: NS,
          uid: `pod-${s}`,
          labels: { app: `web-${s}`, 'pod-template-hash': '5d8b7c9f4' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${s}-5d8b7c9f4`, controller: true }],
        },
        spec: { nodeName: `node-${s}`, containers: [{ name: 'web', image: 'nginx' }] },
        status: { phase: 'Running', podIP: podIp(s) },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `web-${s}-abcde`, namespace: NS, uid: `eps-${s}`, labels: { 'kubernetes.io/service-name': `web-${s}` } },
        addressType: 'IPv4',
        ports: [{ port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: [podIp(s)], nodeName: `node-${s}`, targetRef: { kind: 'Pod', name: podName(s), namespace: NS } }],
      },
      {
        apiVersion: 'networking.gke.io/v1',
        kind: 'HealthCheckPolicy',
        metadata: { name: `web-${s}`, namespace: NS, uid: `hcp-${s}` },
        spec: { targetRef: { group: '', kind: 'Service', name: `web-${s}` }, default: { config: { type: 'HTTP', httpHealthCheck: { requestPth: '/healthz' } } } },
      },
      {
        apiVersion: 'networking.gke.io/v1',
        kind: 'GCPBackendPolicy',
        metadata: { name: `web-${s}`, namespace: NS, uid: `bp-${s}` },
        spec: { targetRef: { group: '', kind: 'Service', name: `web-${s}` }, default: { timeoutSec: 'thirty' } },
      },
    );
  }
  objects.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: NS },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
  return {
    apiVersion: 'negdoctor.dev/v1',
    kind: 'Snapshot',
    collectedAt: '2026-01-01T00:00:00Z',
    source: 'live',
    tool: { name: 'negdoctor', version: 'test' },
    objects: objects.map((object, id) => ({ id, object })),
    data: {},
    errors: [],
    inputs: { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] },
  } as Snapshot;
}

function obj(apiVersion: string, kind: string, name: string, namespace: string | null = NS): Finding['object'] {
  return { apiVersion, kind, namespace, name };
}

let serial = 0;

/** A finding of `rule` about side `s`, shaped as the rule reports it. */
export const FINDING_OF: Record<string, (s: Side) => Omit<Finding, 'fingerprint' | 'message' | 'severity' | 'fix' | 'location' | 'ruleId'>> = {
  'firewall-health-check-blocked': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'spec.ports[0].targetPort',
    evidence: { ports: [8080], nodeTargets: [{ pools: ['default-pool'], tags: ['gke-demo-3f1a2b4c-node'], serviceAccount: null }] },
  }),
  'network-policy-blocks-health-checks': (s) => ({
    object: obj('networking.k8s.io/v1', 'NetworkPolicy', 'default-deny'),
    path: 'spec',
    evidence: { port: 8080, policies: ['default-deny'], workload: `Deployment/${NS}/web-${s}` },
  }),
  'health-check-not-inferred': (s) => ({
    object: obj('apps/v1', 'Deployment', `web-${s}`),
    path: 'spec.template.spec.containers[0].readinessProbe',
    evidence: { reasons: ['the probe is not httpGet'] },
  }),
  'readiness-probe-missing': (s) => ({
    object: obj('apps/v1', 'Deployment', `web-${s}`),
    path: 'spec.template.spec.containers[0].readinessProbe',
  }),
  // Symptom findings (request and health-check logs) are about the Service port, with the backend, NEG and workloads as evidence.
  'lb-errors-at-pod-termination': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'spec.ports[0]',
    evidence: { backendServices: [negName(s)], negs: [{ name: negName(s) }], workloads: [`Deployment/${NS}/web-${s}`] },
  }),
  'lb-no-healthy-backend': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'spec.ports[0]',
    evidence: { backendServices: [negName(s)], negs: [{ name: negName(s) }], workloads: [`Deployment/${NS}/web-${s}`] },
  }),
  'health-check-probe-failing': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'spec.ports[0]',
    evidence: { backendServices: [negName(s)], negs: [{ name: negName(s) }], reason: 'http-error-default-path' },
  }),
  'backend-unhealthy': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'spec.ports[0]',
    evidence: { neg: negName(s), unhealthy: [{ endpoint: `${podIp(s)}:8080`, zone: 'us-central1-a', pod: `${NS}/${podName(s)}`, backendServices: [] }] },
  }),
  'readiness-gate-stuck': (s) => ({
    object: obj('v1', 'Pod', podName(s)),
    path: 'status.conditions[1]',
    evidence: { gate: 'cloud.google.com/load-balancer-neg-ready', services: [`web-${s}`] },
  }),
  'rollout-stuck': (s) => ({
    object: obj('apps/v1', 'Deployment', `web-${s}`),
    path: 'status.conditions[1]',
    evidence: { heldPods: [podName(s)] },
  }),
  'node-zone-missing': (s) => ({
    object: obj('v1', 'Node', `node-${s}`, null),
    path: 'spec.providerID',
    evidence: { providerID: null, zoneLabel: null },
  }),
  'endpointslice-degraded': (s) => ({
    object: obj('discovery.k8s.io/v1', 'EndpointSlice', `web-${s}-abcde`),
    path: 'endpoints[0].nodeName',
    evidence: { reason: 'EPZoneMissing', service: `web-${s}`, endpoint: podIp(s) },
  }),
  'neg-endpoints-out-of-sync': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'spec.ports[0]',
    evidence: { negs: [{ name: negName(s), zone: 'us-central1-a', endpoints: 0 }], missing: [`${podIp(s)}:8080`], stale: [] },
  }),
  'ingress-service-port-mismatch': (s) => ({
    object: obj('networking.k8s.io/v1', 'Ingress', `web-${s}`),
    path: 'spec.defaultBackend.service.port.number',
    evidence: { service: `${NS}/web-${s}`, port: 8443 },
  }),
  'ingress-service-missing': (s) => ({
    object: obj('networking.k8s.io/v1', 'Ingress', `web-${s}`),
    path: 'spec.defaultBackend.service.name',
    evidence: { service: `${NS}/web-${s}-gone` },
  }),
  'ingress-sync-errors': (s) => ({
    object: obj('networking.k8s.io/v1', 'Ingress', `web-${s}`),
    path: '',
    evidence: { reason: 'Translate', count: 3 },
  }),
  'ingress-no-address': (s) => ({
    object: obj('networking.k8s.io/v1', 'Ingress', `web-${s}`),
    path: 'status.loadBalancer.ingress',
    evidence: { ageSeconds: 3000 },
  }),
  'legacy-network': () => ({ object: null, path: '', evidence: { resource: 'compute/global/networks/default' } }),
  'cluster-not-vpc-native': () => ({ object: null, path: '', evidence: { resource: 'container/locations/us-central1/clusters/demo' } }),
  'http-load-balancing-disabled': () => ({ object: null, path: '', evidence: { resource: 'container/locations/us-central1/clusters/demo' } }),
  'neg-status-missing': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'metadata.annotations["cloud.google.com/neg-status"]',
    evidence: { ports: [80] },
  }),
  'prestop-hook-missing': (s) => ({ object: obj('apps/v1', 'Deployment', `web-${s}`), path: 'spec.template.spec.containers[0].lifecycle.preStop' }),
  'prestop-exceeds-grace-period': (s) => ({ object: obj('apps/v1', 'Deployment', `web-${s}`), path: 'spec.template.spec.containers[0].lifecycle.preStop' }),
  'termination-grace-period-short': (s) => ({ object: obj('apps/v1', 'Deployment', `web-${s}`), path: 'spec.template.spec.terminationGracePeriodSeconds' }),
  'connection-draining-missing': (s) => ({ object: obj('v1', 'Service', `web-${s}`), path: 'metadata.annotations["cloud.google.com/backend-config"]' }),
  'zone-spread-missing': (s) => ({ object: obj('apps/v1', 'Deployment', `web-${s}`), path: 'spec.template.spec.topologySpreadConstraints' }),
  'pods-single-zone': (s) => ({
    object: obj('apps/v1', 'Deployment', `web-${s}`),
    path: 'spec.template.spec.topologySpreadConstraints',
    evidence: { zone: 'us-central1-a', pods: [podName(s)] },
  }),
  'gateway-health-check-default': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'spec.ports[0]',
    evidence: { healthCheck: 'HTTP / :8080', readiness: 'httpGet /healthz:8080' },
  }),
  'proxy-only-subnet-missing': (s) => ({
    object: obj('networking.k8s.io/v1', 'Ingress', `web-${s}`),
    path: 'metadata.annotations["kubernetes.io/ingress.class"]',
    evidence: { cluster: 'demo', network: 'default', region: 'us-central1', purpose: 'REGIONAL_MANAGED_PROXY', class: 'gce-internal', proxySubnetsElsewhere: [] },
  }),
  'gateway-policy-invalid': (s) => ({
    object: obj('networking.gke.io/v1', 'HealthCheckPolicy', `web-${s}`),
    path: 'spec.default.config.httpHealthCheck.requestPth',
    evidence: { reason: 'schema', problem: 'unknown field "requestPth"' },
  }),
  'gateway-backendconfig-ignored': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: 'metadata.annotations["cloud.google.com/backend-config"]',
    evidence: { lost: ['health check → HealthCheckPolicy'], backendConfigs: [`web-${s}`], healthCheckPorts: [80] },
  }),
  'gateway-class-invalid': (s) => ({
    object: obj('gateway.networking.k8s.io/v1', 'Gateway', `web-${s}`),
    path: 'spec.gatewayClassName',
    evidence: { gatewayClassName: 'gke-l7-rilbb', source: 'GKE documentation' },
  }),
  'gateway-listener-invalid': (s) => ({
    object: obj('gateway.networking.k8s.io/v1', 'Gateway', `web-${s}`),
    path: 'spec.listeners[0].protocol',
    evidence: { listener: `${NS}/web-${s}/https`, condition: 'Accepted', reason: 'UnsupportedProtocol' },
  }),
  'route-not-attached': (s) => ({
    object: obj('gateway.networking.k8s.io/v1', 'HTTPRoute', `web-${s}`),
    path: 'spec.parentRefs[0]',
    evidence: { gateway: `${NS}/web-${s}`, reason: 'the listener that would accept it is invalid', listeners: [`${NS}/web-${s}/https`] },
  }),
  'gateway-not-programmed': (s) => ({
    object: obj('gateway.networking.k8s.io/v1', 'Gateway', `web-${s}`),
    path: 'status.addresses',
    evidence: { ageSeconds: 3000 },
  }),
};

/** Rules that report about several kinds of object: the shape for one kind (`rule:Kind`). */
export const FINDING_OF_KIND: Record<string, (s: Side) => Omit<Finding, 'fingerprint' | 'message' | 'severity' | 'fix' | 'location' | 'ruleId'>> = {
  'endpointslice-degraded:Service': (s) => ({
    object: obj('v1', 'Service', `web-${s}`),
    path: '',
    evidence: { event: `web-${s}.17fa3c2b1d0e9f8a`, reason: 'EnterDegradedMode' },
  }),
  'proxy-only-subnet-missing:Gateway': (s) => ({
    object: obj('gateway.networking.k8s.io/v1', 'Gateway', `web-${s}`),
    path: 'spec.gatewayClassName',
    evidence: { cluster: 'demo', network: 'default', region: 'us-central1', purpose: 'REGIONAL_MANAGED_PROXY', class: 'gke-l7-rilb', proxySubnetsElsewhere: [] },
  }),
};

/** The object kind a join key names: a cause reporting about several kinds is shaped as that kind (an Ingress or a Gateway). */
export const KIND_OF_KEY: Partial<Record<JoinKey, string>> = { ingress: 'Ingress', gateway: 'Gateway' };

export function findingOf(rule: string, side: Side, kind?: string): Finding {
  const shape = (kind ? FINDING_OF_KIND[`${rule}:${kind}`] : undefined) ?? FINDING_OF[rule];
  if (!shape) throw new Error(`test/correlate/world.ts has no finding shape for ${rule}: add one for the new edge`);
  serial++;
  return { ruleId: rule, severity: 'error', message: `${rule} about side ${side}.`, fix: null, location: null, fingerprint: `${rule}-${side}-${serial}`, ...shape(side) };
}
