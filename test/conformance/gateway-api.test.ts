/**
 * Drives the Gateway model with the upstream Gateway API conformance suite's
 * manifests (kubernetes-sigs/gateway-api, vendored at the release in
 * gateway-api/SOURCE.json by scripts/vendor-gateway-api.mjs) and compares its
 * verdicts with the conditions each test asserts: route Accepted and
 * ResolvedRefs per parent Gateway, and listener Accepted/ResolvedRefs. As the
 * suite does, the GatewayClass under test replaces {GATEWAY_CLASS_NAME} (here
 * GKE's gke-l7-global-external-managed) and the Secrets the suite creates in
 * code are added. The expectations are those of each test's Go file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Model } from '../../src/model/index.js';
import { defaultSettings } from '../../src/model/settings.js';
import type { RouteInfo } from '../../src/model/gateway.js';
import type { KubeObject } from '../../src/snapshot/types.js';
import { snapshotOf } from '../snapshot-of.js';

const DIR = path.join(import.meta.dirname, 'gateway-api');
const CLASS = 'gke-l7-global-external-managed';
const INFRA = 'gateway-conformance-infra';
const WEB = 'gateway-conformance-web-backend';
const APP = 'gateway-conformance-app-backend';

/** Tests of the suite's HTTPRoute/GRPCRoute/listener set not run here, and why. */
export const SKIPPED: Record<string, string> = {
  'tlsroute-*, tcproute-*, udproute-*': "GKE's GatewayClasses serve no TLSRoute, TCPRoute or UDPRoute (HTTP and HTTPS listeners only)",
  'listenerset-*': "GKE's Gateway controller does not serve ListenerSet",
  'gateway-with-clientcertificate-validation*, gateway-invalid-default-frontend-client-certificate-validation, gateway-tls-backend-client-certificate, gateway-invalid-tls-backend-configuration':
    'frontend mTLS and backend TLS are configured on GKE through ServerTLSPolicy and GCPBackendPolicy, not the Gateway API fields these tests use',
  'gateway-static-addresses, gateway-optional-address-value, gateway-infrastructure, gateway-invalid-parameters-ref': 'address assignment and infrastructure parameters: not what the model decides',
  'gateway-observed-generation-bump, httproute-observed-generation-bump, gateway-modify-listeners': 'status bookkeeping across updates: the model judges one state',
  'httproute-https-listener-detect-misdirected-requests, httproute-cors, httproute-backend-protocol-*, httproute-retry': 'data-plane behaviour only (no status assertion beyond Accepted, covered by the other tests)',
};

type Verdict = true | string; // true, or the False condition's reason ('*' : False with any reason)

interface RouteExpectation {
  route: string; // namespace/name
  gateway: string; // namespace/name
  accepted?: Verdict;
  resolvedRefs?: Verdict;
}
interface ListenerExpectation {
  gateway: string;
  listener: string;
  accepted?: Verdict;
  resolvedRefs?: Verdict;
}
interface Case {
  test: string;
  routes?: RouteExpectation[];
  listeners?: ListenerExpectation[];
  /** Every route of the file accepted with resolved refs by each parent Gateway it names (the suite's GatewayAndHTTPRoutesMustBeAccepted). */
  allAccepted?: boolean;
  /** Routes (names) of an allAccepted file that the test expects otherwise (listed in `routes`). */
  except?: string[];
}

const r = (route: string, gateway: string, accepted?: Verdict, resolvedRefs?: Verdict): RouteExpectation => ({
  route: route.includes('/') ? route : `${INFRA}/${route}`,
  gateway: gateway.includes('/') ? gateway : `${INFRA}/${gateway}`,
  ...(accepted !== undefined ? { accepted } : {}),
  ...(resolvedRefs !== undefined ? { resolvedRefs } : {}),
});
const l = (gateway: string, listener: string, accepted?: Verdict, resolvedRefs?: Verdict): ListenerExpectation => ({
  gateway: `${INFRA}/${gateway}`,
  listener,
  ...(accepted !== undefined ? { accepted } : {}),
  ...(resolvedRefs !== undefined ? { resolvedRefs } : {}),
});

const HAPPY = [
  'httproute-simple-same-namespace', 'httproute-request-mirror', 'httproute-request-multiple-mirrors', 'httproute-request-percentage-mirror',
  'httproute-listener-hostname-matching', 'httproute-listener-port-matching', 'httproute-matching', 'httproute-matching-across-routes',
  'httproute-exact-path-matching', 'httproute-header-matching', 'httproute-query-param-matching', 'httproute-method-matching',
  'httproute-path-match-order', 'httproute-weight', 'httproute-rewrite-path', 'httproute-rewrite-host', 'httproute-redirect-path',
  'httproute-redirect-host-and-status', 'httproute-redirect-port', 'httproute-redirect-scheme', 'httproute-redirect-port-and-scheme',
  'httproute-request-header-modifier', 'httproute-response-header-modifier', 'httproute-multiple-gateways', 'httproute-named-rule',
  'httproute-service-types', 'httproute-timeout-request', 'httproute-timeout-backend-request', 'httproute-https-listener',
  'httproute-omitted-backendrefs', 'grpcroute-exact-method-matching', 'grpcroute-header-matching', 'grpcroute-listener-hostname-matching',
  'grpcroute-weight', 'grpcroute-named-rule', 'gateway-http-listener-isolation',
];

const CASES: Case[] = [
  ...HAPPY.map((test) => ({ test, allAccepted: true })),
  {
    test: 'gateway-with-attached-routes',
    allAccepted: true,
    except: ['http-route-not-accepted', 'http-route-4'],
    routes: [r('http-route-not-accepted', 'gateway-with-two-attached-routes', 'NoMatchingListenerHostname'), r('http-route-4', 'unresolved-gateway-with-one-attached-unresolved-route', true, '*')],
    listeners: [
      l('gateway-with-one-attached-route', 'http', true, true),
      l('gateway-with-two-attached-routes', 'http', true, true),
      l('unresolved-gateway-with-one-attached-unresolved-route', 'tls', undefined, '*'),
    ],
  },
  { test: 'httproute-reference-grant', routes: [r('reference-grant', 'same-namespace', true, true)] },
  { test: 'httproute-cross-namespace', routes: [r(`${WEB}/cross-namespace`, 'backend-namespaces', true, true)] },
  { test: 'httproute-invalid-nonexistent-backendref', routes: [r('invalid-nonexistent-backend-ref', 'same-namespace', true, 'BackendNotFound')] },
  { test: 'httproute-invalid-backendref-unknown-kind', routes: [r('invalid-backend-ref-unknown-kind', 'same-namespace', true, 'InvalidKind')] },
  { test: 'httproute-invalid-cross-namespace-backend-ref', routes: [r('invalid-cross-namespace-backend-ref', 'same-namespace', true, 'RefNotPermitted')] },
  { test: 'httproute-invalid-reference-grant', routes: [r('reference-grant', 'same-namespace', true, 'RefNotPermitted')] },
  { test: 'httproute-partially-invalid-via-invalid-reference-grant', routes: [r('invalid-reference-grant', 'same-namespace', true, 'RefNotPermitted')] },
  { test: 'httproute-invalid-cross-namespace-parent-ref', routes: [r(`${WEB}/invalid-cross-namespace-parent-ref`, 'same-namespace', 'NotAllowedByListeners', true)] },
  { test: 'httproute-invalid-parentref-not-matching-listener-port', routes: [r('httproute-listener-not-matching-route-port', 'same-namespace', 'NoMatchingParent', true)] },
  { test: 'httproute-invalid-parentref-not-matching-section-name', routes: [r('httproute-listener-not-matching-section-name', 'same-namespace', 'NoMatchingParent')] },
  {
    test: 'httproute-invalid-parentref-section-name-not-matching-port',
    routes: [r('httproute-listener-section-name-not-matching-port', 'gateway-with-one-not-matching-port-and-section-name-route', 'NoMatchingParent')],
  },
  { test: 'httproute-disallowed-kind', routes: [r('disallowed-kind', 'tlsroutes-only', 'NotAllowedByListeners', true)] },
  {
    test: 'httproute-hostname-intersection',
    routes: [
      ...['specific-host-matches-listener-specific-host', 'specific-host-matches-listener-wildcard-host', 'wildcard-host-matches-listener-specific-host', 'wildcard-host-matches-listener-wildcard-host'].map((n) =>
        r(`${INFRA}/${n}`, 'httproute-hostname-intersection', true, true),
      ),
      r('no-intersecting-hosts', 'httproute-hostname-intersection', 'NoMatchingListenerHostname'),
    ],
  },
  {
    test: 'gateway-invalid-route-kind',
    listeners: [l('gateway-only-invalid-route-kind', 'http', undefined, 'InvalidRouteKinds'), l('gateway-supported-and-invalid-route-kind', 'http', undefined, 'InvalidRouteKinds')],
  },
  {
    test: 'gateway-invalid-listeners-unsupported-protocol',
    listeners: [
      l('gateway-only-unsupported-protocols', 'invalid', 'UnsupportedProtocol'),
      l('gateway-supported-and-unsupported-protocols', 'http', true),
      l('gateway-supported-and-unsupported-protocols', 'invalid', 'UnsupportedProtocol'),
    ],
  },
  {
    test: 'gateway-invalid-tls-configuration',
    listeners: ['gateway-certificate-nonexistent-secret', 'gateway-certificate-unsupported-group', 'gateway-certificate-unsupported-kind', 'gateway-certificate-malformed-secret'].map((g) =>
      l(g, 'https', undefined, 'InvalidCertificateRef'),
    ),
  },
  { test: 'gateway-secret-invalid-reference-grant', listeners: [l('gateway-secret-invalid-reference-grant', 'https', undefined, 'RefNotPermitted')] },
  { test: 'gateway-secret-missing-reference-grant', listeners: [l('gateway-secret-missing-reference-grant', 'https', undefined, 'RefNotPermitted')] },
  { test: 'gateway-secret-reference-grant-all-in-namespace', listeners: [l('gateway-secret-reference-grant-all-in-namespace', 'https', true, true)] },
  { test: 'gateway-secret-reference-grant-specific', listeners: [l('gateway-secret-reference-grant-specific', 'https', true, true)] },
];

const PEM = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
/** The Secrets the suite creates in code (conformance/utils/suite/suite.go), as a cluster would list them. */
const SUITE_SECRETS: KubeObject[] = [
  [WEB, 'certificate'],
  [INFRA, 'tls-validity-checks-certificate'],
  [INFRA, 'tls-checks-certificate'],
  [INFRA, 'tls-passthrough-checks-certificate'],
  [APP, 'tls-passthrough-checks-certificate'],
  [INFRA, 'tls-terminate-checks-certificate'],
].map(([namespace, name], i) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, resourceVersion: String(100 + i), uid: `00000000-0000-4000-8000-00000000000${i}` },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': PEM, 'tls.key': PEM },
}));

function load(file: string): KubeObject[] {
  const text = readFileSync(path.join(DIR, file), 'utf8').replaceAll('{GATEWAY_CLASS_NAME}', CLASS);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}
const BASE = load('base/manifests.yaml');

function modelFor(test: string): Model {
  const objects = [...BASE, ...SUITE_SECRETS, ...load(`tests/${test}.yaml`)];
  const snapshot = snapshotOf(objects, '2026-12-01T00:00:00Z');
  return new Model(snapshot, defaultSettings());
}

const BACKEND_REASON: Record<string, string> = {
  'service-missing': 'BackendNotFound',
  'port-missing': 'BackendNotFound',
  'port-unset': 'BackendNotFound',
  'import-missing': 'BackendNotFound',
  'no-reference-grant': 'RefNotPermitted',
  'unsupported-kind': 'InvalidKind',
};

function routeVerdicts(route: RouteInfo, gateway: string): { accepted: Verdict; resolvedRefs: Verdict } {
  const parents = route.parents.filter((p) => `${p.namespace}/${p.name}` === gateway);
  const accepted: Verdict = parents.some((p) => p.listeners.length > 0) ? true : (parents.find((p) => p.reason)?.reason ?? 'NoMatchingParent');
  const problem = route.backends.find((b) => b.problem)?.problem;
  return { accepted, resolvedRefs: problem ? BACKEND_REASON[problem.kind]! : true };
}

function listenerVerdicts(model: Model, gateway: string, name: string): { accepted: Verdict; resolvedRefs: Verdict } {
  const gw = model.gateway.gateways.find((g) => `${g.namespace}/${g.name}` === gateway);
  const listener = gw?.listeners.find((x) => x.name === name);
  if (!listener) return { accepted: 'missing', resolvedRefs: 'missing' };
  const of = (condition: string): Verdict => listener.problems.find((p) => p.condition === condition)?.reason ?? true;
  return { accepted: of('Accepted'), resolvedRefs: of('ResolvedRefs') };
}

interface Check {
  test: string;
  what: string;
  expected: Verdict;
  actual: Verdict;
}

function run(): Check[] {
  const checks: Check[] = [];
  for (const c of CASES) {
    const model = modelFor(c.test);
    const add = (what: string, expected: Verdict | undefined, actual: Verdict) => {
      if (expected !== undefined) checks.push({ test: c.test, what, expected, actual });
    };
    const testObjects = new Set(load(`tests/${c.test}.yaml`).map((o) => `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`));
    if (c.allAccepted) {
      for (const route of model.gateway.routes) {
        if (!testObjects.has(`${route.kind}/${route.namespace}/${route.name}`) || c.except?.includes(route.name)) continue;
        for (const parent of route.parents) {
          const gateway = `${parent.namespace}/${parent.name}`;
          const v = routeVerdicts(route, gateway);
          add(`${route.kind} ${route.namespace}/${route.name} on ${gateway} Accepted`, true, v.accepted);
          add(`${route.kind} ${route.namespace}/${route.name} on ${gateway} ResolvedRefs`, true, v.resolvedRefs);
        }
      }
    }
    for (const e of c.routes ?? []) {
      const route = model.gateway.routes.find((x) => `${x.namespace}/${x.name}` === e.route);
      const v = route ? routeVerdicts(route, e.gateway) : { accepted: 'route missing', resolvedRefs: 'route missing' };
      add(`route ${e.route} on ${e.gateway} Accepted`, e.accepted, v.accepted);
      add(`route ${e.route} on ${e.gateway} ResolvedRefs`, e.resolvedRefs, v.resolvedRefs);
    }
    for (const e of c.listeners ?? []) {
      const v = listenerVerdicts(model, e.gateway, e.listener);
      add(`listener ${e.gateway}/${e.listener} Accepted`, e.accepted, v.accepted);
      add(`listener ${e.gateway}/${e.listener} ResolvedRefs`, e.resolvedRefs, v.resolvedRefs);
    }
  }
  return checks;
}

describe('Gateway API conformance suite manifests (GKE class substituted)', () => {
  const checks = run();
  it('agrees with every condition the suite asserts for the tests GKE supports', () => {
    const disagreements = checks.filter((c) => c.expected !== c.actual && !(c.expected === '*' && c.actual !== true));
    const tests = new Set(checks.map((c) => c.test));
    console.log(`conformance: ${checks.length - disagreements.length}/${checks.length} asserted conditions agree across ${tests.size} tests; ${Object.keys(SKIPPED).length} groups skipped`);
    expect(disagreements).toEqual([]);
  });
  it('checks every vendored test, each at least once', () => {
    const source = JSON.parse(readFileSync(path.join(DIR, 'SOURCE.json'), 'utf8')) as { files: string[] };
    const vendored = source.files.filter((f) => f.startsWith('conformance/tests/')).map((f) => path.basename(f, '.yaml'));
    const checked = new Set(checks.map((c) => c.test));
    expect(vendored.filter((t) => !checked.has(t))).toEqual([]);
  });
});
