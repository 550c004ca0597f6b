/**
 * A fake Kubernetes API server for tests: it serves a fixed set of objects
 * with the paths, discovery documents and list semantics that
 * @kubernetes/client-node and kubectl rely on (List kinds, resourceVersion,
 * `limit`/`continue` pagination, Status objects for errors). Faults and
 * latency come from the shared HTTP fake.
 *
 * Built-in list items carry no apiVersion/kind (as a real API server encodes
 * typed lists); custom resources keep them (unstructured encoding), so a
 * collector that forgets to set them is caught.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpFake, type FakeServer, type FakeTls, type LoggedRequest, type Reply } from './http-fake.js';

export interface FakeKubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** A custom resource: unstructured encoding, and can be "not installed". */
  custom?: boolean;
  /** CRDs installed together (GKE installs the Gateway API and its policy CRDs as one): by default installed when any of them has an object. */
  bundle?: string;
}

/** The resource types the fake knows: what a GKE cluster with the GKE CRDs serves. */
export const RESOURCE_TYPES: ResourceType[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'] },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'] },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true, shortNames: ['svc'] },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'] },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true, shortNames: ['ev'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'] },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset', namespaced: true, shortNames: ['sts'] },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset', namespaced: true, shortNames: ['ds'] },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', namespaced: true, shortNames: ['rs'] },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', namespaced: true, shortNames: ['hpa'] },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress', namespaced: true, shortNames: ['ing'] },
  { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass', namespaced: false },
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', singular: 'networkpolicy', namespaced: true, shortNames: ['netpol'] },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice', namespaced: true },
  { group: 'cloud.google.com', version: 'v1', kind: 'BackendConfig', plural: 'backendconfigs', singular: 'backendconfig', namespaced: true, shortNames: ['bc'], custom: true },
  { group: 'networking.gke.io', version: 'v1beta1', kind: 'FrontendConfig', plural: 'frontendconfigs', singular: 'frontendconfig', namespaced: true, custom: true },
  { group: 'networking.gke.io', version: 'v1beta1', kind: 'ServiceNetworkEndpointGroup', plural: 'servicenetworkendpointgroups', singular: 'servicenetworkendpointgroup', namespaced: true, shortNames: ['svcneg'], custom: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'GatewayClass', plural: 'gatewayclasses', singular: 'gatewayclass', namespaced: false, shortNames: ['gc'], custom: true, bundle: 'gateway' },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'Gateway', plural: 'gateways', singular: 'gateway', namespaced: true, shortNames: ['gtw'], custom: true, bundle: 'gateway' },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute', plural: 'httproutes', singular: 'httproute', namespaced: true, custom: true, bundle: 'gateway' },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'GRPCRoute', plural: 'grpcroutes', singular: 'grpcroute', namespaced: true, custom: true, bundle: 'gateway' },
  { group: 'gateway.networking.k8s.io', version: 'v1beta1', kind: 'ReferenceGrant', plural: 'referencegrants', singular: 'referencegrant', namespaced: true, shortNames: ['refgrant'], custom: true, bundle: 'gateway' },
  { group: 'net.gke.io', version: 'v1', kind: 'ServiceImport', plural: 'serviceimports', singular: 'serviceimport', namespaced: true, shortNames: ['svcimport'], custom: true, bundle: 'mcs' },
  { group: 'net.gke.io', version: 'v1', kind: 'ServiceExport', plural: 'serviceexports', singular: 'serviceexport', namespaced: true, shortNames: ['svcexport'], custom: true, bundle: 'mcs' },
  { group: 'networking.gke.io', version: 'v1', kind: 'HealthCheckPolicy', plural: 'healthcheckpolicies', singular: 'healthcheckpolicy', namespaced: true, custom: true, bundle: 'gateway' },
  { group: 'networking.gke.io', version: 'v1', kind: 'GCPBackendPolicy', plural: 'gcpbackendpolicies', singular: 'gcpbackendpolicy', namespaced: true, custom: true, bundle: 'gateway' },
  { group: 'networking.gke.io', version: 'v1', kind: 'GCPGatewayPolicy', plural: 'gcpgatewaypolicies', singular: 'gcpgatewaypolicy', namespaced: true, custom: true, bundle: 'gateway' },
  // What deploy/ renders, so that `kubectl apply --dry-run=client` can map every kind (see test/deploy.test.ts).
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false },
  { group: 'monitoring.googleapis.com', version: 'v1', kind: 'PodMonitoring', plural: 'podmonitorings', singular: 'podmonitoring', namespaced: true, custom: true },
  { group: 'monitoring.googleapis.com', version: 'v1', kind: 'Rules', plural: 'rules', singular: 'rules', namespaced: true, custom: true },
  { group: 'monitoring.coreos.com', version: 'v1', kind: 'ServiceMonitor', plural: 'servicemonitors', singular: 'servicemonitor', namespaced: true, custom: true },
  { group: 'monitoring.coreos.com', version: 'v1', kind: 'PrometheusRule', plural: 'prometheusrules', singular: 'prometheusrule', namespaced: true, custom: true },
];

export interface KubeFakeOptions {
  latencyMs?: number;
  /**
   * Custom resource types whose CRD is not installed ("group/plural", e.g.
   * "cloud.google.com/backendconfigs"): their paths 404 and discovery omits
   * them. Default: every custom type with no object in the fixture.
   */
  notInstalled?: string[];
  /** `gitVersion` answered on /version. */
  serverVersion?: string;
  /** Serve HTTPS with this key and certificate (as a GKE control plane does). */
  tls?: FakeTls;
}

export interface KubeFake extends FakeServer {
  /** The served objects (mutable: tests may add or remove objects between calls). */
  objects: FakeKubeObject[];
  /** Resource types currently served ("group/plural"). */
  installed: Set<string>;
  /** Writes a kubeconfig pointing at this server; returns its path. */
  writeKubeconfig(options?: KubeconfigOptions): string;
}

export interface KubeconfigOptions {
  /** Directory to write into (default: a new temporary directory). */
  dir?: string;
  /** Context name; the default follows GKE's gke_PROJECT_LOCATION_CLUSTER naming. */
  contextName?: string;
  namespace?: string;
  token?: string;
  /** Server URL (default: this fake's URL), e.g. to point at a closed port. */
  server?: string;
}

export const FAKE_CONTEXT = 'gke_my-project_us-central1_demo';

const typeKey = (t: Pick<ResourceType, 'group' | 'plural'>) => `${t.group}/${t.plural}`;
const groupVersion = (t: Pick<ResourceType, 'group' | 'version'>) => (t.group ? `${t.group}/${t.version}` : t.version);

export async function startKubeFake(objects: FakeKubeObject[], options: KubeFakeOptions = {}): Promise<KubeFake> {
  const served = structuredClone(objects);
  const installed = new Set<string>();
  for (const type of RESOURCE_TYPES) {
    const bundle = type.bundle ? RESOURCE_TYPES.filter((t) => t.bundle === type.bundle) : [type];
    const hasObjects = served.some((o) => bundle.some((t) => o.kind === t.kind && o.apiVersion === groupVersion(t)));
    const excluded = options.notInstalled ? options.notInstalled.includes(typeKey(type)) : !hasObjects;
    if (!type.custom || !excluded) installed.add(typeKey(type));
  }
  const state = { resourceVersion: 1000, gitVersion: options.serverVersion ?? 'v1.30.5-gke.1014001' };
  const handler = (req: LoggedRequest): Reply => route(req, served, installed, state);
  const fake = (await startHttpFake(handler, { latencyMs: options.latencyMs, ...(options.tls ? { tls: options.tls } : {}) })) as KubeFake;
  fake.objects = served;
  fake.installed = installed;
  fake.writeKubeconfig = (kubeconfigOptions = {}) => writeKubeconfig(kubeconfigOptions.server ?? fake.url, kubeconfigOptions);
  return fake;
}

/** Writes a kubeconfig with one cluster (TLS verification off: the fake speaks plain HTTP), one token user and one context. */
export function writeKubeconfig(server: string, options: KubeconfigOptions = {}): string {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'negdoctor-kubeconfig-'));
  const contextName = options.contextName ?? FAKE_CONTEXT;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: contextName, user: { token: options.token ?? 'fake-token' } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': contextName,
    preferences: {},
  };
  const file = join(dir, 'kubeconfig');
  // JSON is valid YAML: kubectl and client-node both read it.
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

interface ServerState {
  resourceVersion: number;
  gitVersion: string;
}

function route(req: LoggedRequest, objects: FakeKubeObject[], installed: Set<string>, state: ServerState): Reply {
  if (req.method !== 'GET') {
    return status(405, 'MethodNotAllowed', `the fake API server is read-only: ${req.method} is not allowed`);
  }
  const segments = req.path.split('/').filter(Boolean);
  if (req.path === '/version') return { status: 200, body: versionInfo(state.gitVersion) };
  if (req.path === '/api') {
    return { status: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:443' }] } };
  }
  if (req.path === '/apis') return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups(installed) } };

  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length === 2) {
    const apiGroup = apiGroups(installed).find((g) => g.name === segments[1]);
    return apiGroup ? { status: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup } } : notFound();
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return notFound();
  }

  const typesInVersion = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version && installed.has(typeKey(t)));
  if (typesInVersion.length === 0) return notFound();
  if (rest.length === 0) return { status: 200, body: resourceList(group, version, typesInVersion) };

  // [plural] | [plural, name] | [namespaces, ns, plural] | [namespaces, ns, plural, name]
  let namespace: string | undefined;
  let plural: string;
  let name: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    plural = rest[2]!;
    name = rest[3];
    if (rest.length > 4) return notFound();
  } else {
    plural = rest[0]!;
    name = rest[1];
    if (rest.length > 2) return notFound();
  }
  const type = typesInVersion.find((t) => t.plural === plural);
  if (!type || (namespace !== undefined && !type.namespaced)) return notFound();

  const ofType = objects
    .filter((o) => o.kind === type.kind && o.apiVersion === groupVersion(type))
    .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
    .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`));

  if (name !== undefined) {
    if (type.namespaced && namespace === undefined) return notFound();
    const found = ofType.find((o) => o.metadata.name === name);
    return found ? { status: 200, body: found } : status(404, 'NotFound', `${type.plural}${type.group ? '.' + type.group : ''} "${name}" not found`, { name, group: type.group, kind: type.plural });
  }
  if (req.query.watch === 'true' || req.query.watch === '1') return status(400, 'BadRequest', 'the fake API server does not support watch');
  // Selectors are not implemented: refuse them rather than silently returning everything.
  if (req.query.labelSelector || req.query.fieldSelector) {
    return status(400, 'BadRequest', 'the fake API server does not support labelSelector or fieldSelector');
  }
  return listPage(type, ofType, req.query, state);
}

function listPage(type: ResourceType, items: FakeKubeObject[], query: Record<string, string>, state: ServerState): Reply {
  let offset = 0;
  let resourceVersion = String(state.resourceVersion);
  if (query.continue) {
    const token = decodeContinue(query.continue);
    if (!token || token.type !== typeKey(type)) return status(400, 'BadRequest', 'continue key is not valid: malformed or for another resource');
    offset = token.offset;
    resourceVersion = token.resourceVersion;
  }
  const limit = query.limit ? Number(query.limit) : 0;
  if (!Number.isInteger(limit) || limit < 0) return status(400, 'BadRequest', `invalid limit ${query.limit}`);
  const end = limit > 0 ? Math.min(items.length, offset + limit) : items.length;
  const page = items.slice(offset, end);
  const metadata: Record<string, unknown> = { resourceVersion };
  if (end < items.length) {
    metadata.continue = encodeContinue({ type: typeKey(type), offset: end, resourceVersion });
    metadata.remainingItemCount = items.length - end;
  }
  return {
    status: 200,
    body: {
      kind: `${type.kind}List`,
      apiVersion: groupVersion(type),
      metadata,
      items: page.map((o) => (type.custom ? o : withoutTypeMeta(o))),
    },
  };
}

interface ContinueToken {
  type: string;
  offset: number;
  resourceVersion: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken | undefined {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    return typeof token.offset === 'number' && typeof token.type === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

function withoutTypeMeta(object: FakeKubeObject): Omit<FakeKubeObject, 'apiVersion' | 'kind'> {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

function apiGroups(installed: Set<string>) {
  const groups = new Map<string, Set<string>>();
  for (const t of RESOURCE_TYPES) {
    if (!t.group || !installed.has(typeKey(t))) continue;
    if (!groups.has(t.group)) groups.set(t.group, new Set());
    groups.get(t.group)!.add(t.version);
  }
  return [...groups].map(([name, versions]) => {
    const list = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: list, preferredVersion: list[0]! };
  });
}

function resourceList(group: string, version: string, types: ResourceType[]) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.map((t) => ({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'list', 'watch'],
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
    })),
  };
}

function versionInfo(gitVersion: string) {
  const match = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: match?.[1] ?? '1',
    minor: match?.[2] ?? '30',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-10-01T00:00:00Z',
    goVersion: 'go1.22.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function notFound(): Reply {
  return status(404, 'NotFound', 'the server could not find the requested resource');
}

function status(code: number, reason: string, message: string, details: Record<string, unknown> = {}): Reply {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code },
  };
}

/** A Kubernetes Status body, for faults that should look like the API server's own errors. */
export function statusBody(code: number, reason: string, message: string): Record<string, unknown> {
  return status(code, reason, message).body as Record<string, unknown>;
}
