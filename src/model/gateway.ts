/**
 * The Gateway API view the rules share: which Gateways GKE's controller
 * programs, which routes attach to which of their listeners (parentRefs,
 * sectionName/port, allowedRoutes, hostnames), which backendRefs resolve to
 * which Service ports (ReferenceGrant across namespaces), and which of GKE's
 * policies (HealthCheckPolicy, GCPBackendPolicy, GCPGatewayPolicy) apply to
 * which target. Built once per model.
 *
 * Only `gateway.networking.k8s.io` objects are modelled. The pre-GA preview
 * API `networking.x-k8s.io/v1alpha1` (`spec.listeners[].routes`, `forwardTo`)
 * is not served by GKE any more; its objects are listed in `legacy` and never
 * judged with the v1 rules.
 */
import { allowedRoutesAdmit, GATEWAY_GROUP, referenceGrantAllows, routeHostnamesIntersect } from '../analysis/gateway-api.js';
import { GATEWAY_API_SCHEMA_KINDS, gatewayApiSchemaProblems } from '../analysis/gateway-api-schema.js';
import { GKE_POLICY_KINDS, policySchemaProblems, type GkePolicyKind, type SchemaProblem } from '../analysis/gke-policy-schema.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { fromApiServer } from './completeness.js';
import { resolveImport } from './service-imports.js';
import { listenerSetGateway } from './listener-sets.js';
import { judgeListeners, type ListenerInfo } from './gateway-listeners.js';
import { gkeGatewayClass, isGkeGatewayClassName, type GkeGatewayClass } from './gateway-classes.js';
import { nearest, type ObjectIndex } from './objects.js';
import { matchServicePort, type ServiceInfo, type ServicePort } from './services.js';
import { asArray, asCount, asRecord, asString, get, isRecord, stringMap, type Rec } from '../util/values.js';
import { nameOf, namespaceOf, type Path } from './workloads.js';

export const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'] as const;
/** GKE's multi-cluster backends: ServiceImports of the Multi-cluster Services API. */
export const SERVICE_IMPORT_GROUP = 'net.gke.io';
/** Backend kinds outside Service/ServiceImport that GKE serves (GKE Inference Gateway's InferencePool). */
const OTHER_BACKEND_GROUPS = new Set(['inference.networking.x-k8s.io', 'inference.networking.k8s.io']);

export type { ListenerInfo, ListenerProblem } from './gateway-listeners.js';

export interface GatewayInfo {
  obj: SnapshotObject;
  namespace: string;
  name: string;
  className?: string;
  /** Whether GKE's controller owns it: a `gke-l7-*` class name (offered or not). */
  gke: boolean;
  /** GKE's documented class, when the name is one. */
  gkeClass?: GkeGatewayClass;
  listeners: ListenerInfo[];
  /** Set when the API server would reject the object (manifest-invalid says why): it is not judged. */
  rejected?: true;
}

/** A reference as a route writes it, with group, kind and namespace defaulted. */
export interface RouteRef {
  index: number;
  path: Path;
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ParentAttachment extends RouteRef {
  sectionName?: string;
  port?: number;
  /** The Gateway this parentRef names, when it is in the inputs. */
  gateway?: GatewayInfo;
  /** Listeners the route attaches to through this parentRef. */
  listeners: ListenerInfo[];
  /** Why it attaches to no listener (set only when that is certain). */
  problem?: string;
  /** The route status reason the Gateway API gives for `problem` (Accepted=False). */
  reason?: 'NoMatchingParent' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname';
  /** Why attachment cannot be decided from the inputs (a Namespace's labels unknown). */
  undecided?: string;
  /** A ListenerSet parent on a GKE Gateway (`gateway` is the ListenerSet's Gateway): GKE does not serve ListenerSets. */
  listenerSet?: true;
  /** Set with `problem` when listeners would accept the route but are all invalid (gateway-listener-invalid). */
  invalidListeners?: ListenerInfo[];
}

export type BackendProblem =
  | 'service-missing'
  | 'port-missing'
  | 'port-unset'
  | 'no-reference-grant'
  | 'unsupported-kind'
  | 'import-missing';

export interface BackendResolution extends RouteRef {
  ruleIndex: number;
  port?: number;
  service?: ServiceInfo;
  servicePort?: ServicePort;
  /** A `requestMirror.backendRef` (index is then the filter's): resolved like a backendRef, it receives a copy of the requests. */
  mirror?: true;
  /** Why it could not be resolved from the inputs (a ServiceImport without Multi-cluster Services data). */
  unverified?: string;
  /** Set when the backend does not resolve; `message` says why. */
  problem?: { kind: BackendProblem; message: string };
}

export interface RouteInfo {
  obj: SnapshotObject;
  kind: (typeof ROUTE_KINDS)[number];
  namespace: string;
  name: string;
  hostnames: string[];
  parents: ParentAttachment[];
  backends: BackendResolution[];
  /** Whether at least one parentRef attaches (or may attach) it to a GKE Gateway. */
  onGkeGateway: boolean;
  /** Set when the API server would reject the object (manifest-invalid says why): it is not judged. */
  rejected?: true;
}

export interface PolicyTarget {
  group: string;
  kind: string;
  name: string;
  /** targetRef.namespace as written (policies apply only in their own namespace). */
  namespace?: string;
}

export interface PolicyInfo {
  obj: SnapshotObject;
  kind: GkePolicyKind;
  namespace: string;
  name: string;
  target?: PolicyTarget;
  schemaProblems: SchemaProblem[];
  /** Why it cannot apply, apart from the schema: a wrong kind or namespace. */
  targetProblem?: string;
  /** The target objects in the inputs (Services, or Gateways for GCPGatewayPolicy). */
  targets: SnapshotObject[];
  /** Set on a policy that loses a conflict for the same target. */
  lostTo?: PolicyInfo;
  /** Whether it takes effect: schema valid, right target kind and namespace, and not losing a conflict. */
  applies: boolean;
}

export interface GatewayModel {
  gateways: GatewayInfo[];
  routes: RouteInfo[];
  /** Objects of the pre-GA `networking.x-k8s.io` API: GKE no longer serves it; not judged. */
  legacy: SnapshotObject[];
  /** Service ports that routes attached to a GKE Gateway send traffic to: GKE backs them with NEGs. */
  backendPorts: Map<ServiceInfo, Set<ServicePort>>;
  /** Gateway API objects the API server would reject, with the schema's reasons (vendored CRDs). */
  rejected: Map<SnapshotObject, SchemaProblem[]>;
}

const GATEWAY_API_PREFIX = `${GATEWAY_GROUP}/`;
const LEGACY_PREFIX = 'networking.x-k8s.io/';

export function isGatewayApi(obj: SnapshotObject): boolean {
  return obj.object.apiVersion.startsWith(GATEWAY_API_PREFIX);
}

export function isGkePolicy(obj: SnapshotObject): boolean {
  return obj.object.apiVersion.startsWith('networking.gke.io/') && (GKE_POLICY_KINDS as readonly string[]).includes(obj.object.kind);
}

/** The model's Gateway view (built with the model: NEG scoping needs it). */
export function buildGatewayModel(model: ObjectIndex): GatewayModel {
  const rejected = new Map<SnapshotObject, SchemaProblem[]>();
  for (const kind of GATEWAY_API_SCHEMA_KINDS) {
    // What came from an API server was accepted by it (under the CRD version it serves): only manifests are validated.
    if (model.snapshot.source === 'live') break;
    for (const obj of model.kind(kind).filter((o) => isGatewayApi(o) && !fromApiServer(o))) {
      const problems = gatewayApiSchemaProblems(obj.object);
      if (problems && problems.length > 0) rejected.set(obj, problems);
    }
  }
  const grantsByNamespace = new Map<string, SnapshotObject[]>();
  for (const grant of model.kind('ReferenceGrant').filter((g) => isGatewayApi(g) && !rejected.has(g))) {
    const ns = namespaceOf(grant);
    grantsByNamespace.set(ns, [...(grantsByNamespace.get(ns) ?? []), grant]);
  }

  const gateways = model.kind('Gateway').filter(isGatewayApi).map((g) => gatewayInfo(g, rejected.has(g)));
  const byName = new Map<string, GatewayInfo[]>();
  for (const g of gateways) {
    const key = `${g.namespace}/${g.name}`;
    byName.set(key, [...(byName.get(key) ?? []), g]);
  }
  const namespaceLabels = new Map<string, Record<string, string>>();
  for (const ns of model.kind('Namespace')) {
    namespaceLabels.set(nameOf(ns), { ...stringMap(ns.object.metadata.labels), 'kubernetes.io/metadata.name': nameOf(ns) });
  }
  for (const g of gateways) if (g.gke && !g.rejected) judgeListeners(model, g, g.listeners, (ns) => grantsByNamespace.get(ns) ?? []);
  const routes: RouteInfo[] = [];
  const backendPorts = new Map<ServiceInfo, Set<ServicePort>>();
  for (const kind of ROUTE_KINDS) {
    for (const obj of model.kind(kind).filter(isGatewayApi)) {
      const route = routeInfo(model, obj, kind, byName, namespaceLabels, grantsByNamespace);
      if (rejected.has(obj)) route.rejected = true;
      routes.push(route);
      if (!route.onGkeGateway || route.rejected) continue;
      for (const backend of route.backends) {
        if (!backend.service || !backend.servicePort || backend.problem) continue;
        let ports = backendPorts.get(backend.service);
        if (!ports) backendPorts.set(backend.service, (ports = new Set()));
        ports.add(backend.servicePort);
      }
    }
  }
  const legacy = model.snapshot.objects.filter((o) => o.object.apiVersion.startsWith(LEGACY_PREFIX));
  return { gateways, routes, legacy, backendPorts, rejected };
}

function gatewayInfo(obj: SnapshotObject, rejected: boolean): GatewayInfo {
  const className = asString(get(obj.object, 'spec', 'gatewayClassName'));
  const gkeClass = gkeGatewayClass(className);
  const listeners: ListenerInfo[] = [];
  asArray(get(obj.object, 'spec', 'listeners')).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const port = asCount(raw.port);
    const protocol = asString(raw.protocol);
    const hostname = asString(raw.hostname);
    const tls = asRecord(raw.tls);
    listeners.push({
      index,
      name: asString(raw.name) ?? `#${index}`,
      ...(port !== undefined ? { port } : {}),
      ...(protocol ? { protocol } : {}),
      ...(hostname ? { hostname } : {}),
      ...(raw.allowedRoutes !== undefined ? { allowedRoutes: raw.allowedRoutes } : {}),
      ...(tls ? { tls } : {}),
      path: ['spec', 'listeners', index],
      problems: [],
    });
  });
  return {
    obj,
    namespace: namespaceOf(obj),
    name: nameOf(obj),
    ...(className ? { className } : {}),
    gke: isGkeGatewayClassName(className),
    ...(gkeClass ? { gkeClass } : {}),
    listeners,
    ...(rejected ? { rejected: true as const } : {}),
  };
}

function routeInfo(
  model: ObjectIndex,
  obj: SnapshotObject,
  kind: RouteInfo['kind'],
  gatewaysByName: Map<string, GatewayInfo[]>,
  namespaceLabels: Map<string, Record<string, string>>,
  grantsByNamespace: Map<string, SnapshotObject[]>,
): RouteInfo {
  const namespace = namespaceOf(obj);
  const hostnames = asArray(get(obj.object, 'spec', 'hostnames')).filter((h): h is string => typeof h === 'string');
  const parents: ParentAttachment[] = [];
  asArray(get(obj.object, 'spec', 'parentRefs')).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const group = asString(raw.group) ?? GATEWAY_GROUP;
    const parentKind = asString(raw.kind) ?? 'Gateway';
    const parentNamespace = asString(raw.namespace) ?? namespace;
    const name = asString(raw.name) ?? '';
    const sectionName = asString(raw.sectionName);
    const port = asCount(raw.port);
    const parent: ParentAttachment = {
      index,
      path: ['spec', 'parentRefs', index],
      group,
      kind: parentKind,
      namespace: parentNamespace,
      name,
      ...(sectionName ? { sectionName } : {}),
      ...(port !== undefined ? { port } : {}),
      listeners: [],
    };
    parents.push(parent);
    if (group === GATEWAY_GROUP && parentKind === 'ListenerSet') {
      const target = listenerSetGateway(model, obj, parentNamespace, name);
      const gateway = target && nearest(obj, gatewaysByName.get(`${target.namespace}/${target.name}`) ?? [], (g) => g.obj)[0];
      if (!gateway?.gke) return; // another controller's ListenerSet, or one the inputs do not show: not judged
      parent.listenerSet = true;
      parent.gateway = gateway;
      parent.problem = `it names ListenerSet ${parentNamespace}/${name}, whose Gateway ${gateway.namespace}/${gateway.name} is GKE's (class ${gateway.className ?? '?'}), and GKE's Gateway controller does not serve ListenerSets: attach the route to the Gateway's own listeners`;
      return;
    }
    if (group !== GATEWAY_GROUP || parentKind !== 'Gateway') return; // mesh (Service) parents: not a Gateway attachment
    const gateway = nearest(obj, gatewaysByName.get(`${parentNamespace}/${name}`) ?? [], (g) => g.obj)[0];
    if (!gateway) return;
    parent.gateway = gateway;
    attach(parent, gateway, { kind, namespace, hostnames }, namespaceLabels.get(namespace));
  });
  const onGkeGateway = parents.some((p) => p.gateway?.gke && (p.listeners.length > 0 || p.undecided !== undefined));
  const classes = parents.flatMap((p) => (p.gateway?.gkeClass ? [p.gateway] : []));
  const backends: BackendResolution[] = [];
  asArray(get(obj.object, 'spec', 'rules')).forEach((rule, ruleIndex) => {
    const mirrors = (filters: unknown, at: Path) =>
      asArray(filters).forEach((filter, f) => {
        const ref = asRecord(get(filter, 'requestMirror', 'backendRef'));
        if (ref) backends.push(resolveBackend(model, obj, kind, ref, ruleIndex, f, grantsByNamespace, [...at, 'filters', f, 'requestMirror', 'backendRef']));
      });
    mirrors(get(rule, 'filters'), ['spec', 'rules', ruleIndex]);
    asArray(get(rule, 'backendRefs')).forEach((raw, index) => {
      if (!isRecord(raw)) return;
      backends.push(resolveBackend(model, obj, kind, raw, ruleIndex, index, grantsByNamespace));
      mirrors(raw.filters, ['spec', 'rules', ruleIndex, 'backendRefs', index]);
    });
  });
  for (const backend of backends) if (backend.group === SERVICE_IMPORT_GROUP && backend.kind === 'ServiceImport' && !backend.problem) resolveImport(model, obj, backend, classes);
  return { obj, kind, namespace, name: nameOf(obj), hostnames, parents, backends, onGkeGateway };
}

/** Decides which listeners of the Gateway accept the route through one parentRef. */
function attach(
  parent: ParentAttachment,
  gateway: GatewayInfo,
  route: { kind: string; namespace: string; hostnames: string[] },
  labels: Record<string, string> | undefined,
): void {
  if (gateway.rejected) {
    parent.undecided = `Gateway ${gateway.namespace}/${gateway.name} is one the API server rejects (see manifest-invalid)`;
    return;
  }
  let candidates = gateway.listeners;
  if (parent.sectionName !== undefined) {
    candidates = candidates.filter((l) => l.name === parent.sectionName);
    if (candidates.length === 0) {
      parent.reason = 'NoMatchingParent';
      parent.problem = `Gateway ${gateway.namespace}/${gateway.name} has no listener named ${JSON.stringify(parent.sectionName)} (listeners: ${listenerList(gateway)})`;
      return;
    }
  }
  if (parent.port !== undefined) {
    const port = parent.port;
    candidates = candidates.filter((l) => l.port === port);
    if (candidates.length === 0) {
      parent.reason = 'NoMatchingParent';
      parent.problem = `Gateway ${gateway.namespace}/${gateway.name} has no listener${parent.sectionName ? ` ${parent.sectionName}` : ''} on port ${port} (listeners: ${listenerList(gateway)})`;
      return;
    }
  }
  if (candidates.length === 0) {
    parent.reason = 'NoMatchingParent';
    parent.problem = `Gateway ${gateway.namespace}/${gateway.name} has no listeners`;
    return;
  }
  const refusals: string[] = [];
  const undecided: string[] = [];
  const invalid: ListenerInfo[] = [];
  let hostnameRefusals = 0;
  for (const listener of candidates) {
    const admission = allowedRoutesAdmit(
      { namespace: gateway.namespace, ...(listener.protocol ? { protocol: listener.protocol } : {}), allowedRoutes: listener.allowedRoutes },
      { group: GATEWAY_GROUP, kind: route.kind, namespace: route.namespace },
      labels,
    );
    if (admission.admitted === false) {
      refusals.push(`listener ${listener.name}: ${admission.reason}`);
      continue;
    }
    if (!routeHostnamesIntersect(listener.hostname, route.hostnames)) {
      hostnameRefusals++;
      refusals.push(`listener ${listener.name}: its hostname ${listener.hostname} intersects none of the route's hostnames (${route.hostnames.join(', ')})`);
      continue;
    }
    if (admission.admitted === 'unknown') undecided.push(admission.reason);
    else if (listener.invalid) invalid.push(listener);
    else parent.listeners.push(listener);
  }
  if (parent.listeners.length > 0) return;
  const hostnameOnly = hostnameRefusals > 0 && hostnameRefusals === refusals.length;
  if (undecided.length > 0) parent.undecided = undecided[0]!;
  else if (invalid.length > 0) {
    parent.invalidListeners = invalid;
    parent.problem = `the listener${invalid.length === 1 ? '' : 's'} that would accept it ${invalid.length === 1 ? 'is' : 'are'} invalid (${invalid.map((l) => `listener ${l.name}: ${l.invalid}`).join('; ')})`;
    parent.reason = 'NotAllowedByListeners';
  } else {
    parent.reason = hostnameOnly ? 'NoMatchingListenerHostname' : 'NotAllowedByListeners';
    parent.problem = `no listener of Gateway ${gateway.namespace}/${gateway.name} accepts it (${refusals.join('; ')})`;
  }
}

function listenerList(gateway: GatewayInfo): string {
  return gateway.listeners.map((l) => `${l.name}${l.port !== undefined ? `:${l.port}` : ''}`).join(', ') || 'none';
}

function resolveBackend(
  model: ObjectIndex,
  route: SnapshotObject,
  routeKind: string,
  raw: Rec,
  ruleIndex: number,
  index: number,
  grantsByNamespace: Map<string, SnapshotObject[]>,
  mirrorPath?: Path,
): BackendResolution {
  const routeNamespace = namespaceOf(route);
  const group = asString(raw.group) ?? '';
  const kind = asString(raw.kind) ?? 'Service';
  const namespace = asString(raw.namespace) ?? routeNamespace;
  const name = asString(raw.name) ?? '';
  const port = asCount(raw.port);
  const out: BackendResolution = {
    ruleIndex,
    index,
    path: mirrorPath ?? ['spec', 'rules', ruleIndex, 'backendRefs', index],
    ...(mirrorPath ? { mirror: true } : {}),
    group,
    kind,
    namespace,
    name,
    ...(port !== undefined ? { port } : {}),
  };
  const isService = group === '' && kind === 'Service';
  const isServiceImport = group === SERVICE_IMPORT_GROUP && kind === 'ServiceImport';
  if (!isService && !isServiceImport && !OTHER_BACKEND_GROUPS.has(group)) {
    out.problem = {
      kind: 'unsupported-kind',
      message: `backendRef kind ${kind}${group ? ` (group ${group})` : ''} is not one GKE's Gateway controller serves (Service, or ServiceImport of group net.gke.io for multi-cluster Gateways)`,
    };
    return out;
  }
  if (namespace !== routeNamespace) {
    const grants = (grantsByNamespace.get(namespace) ?? []).map((g) => g.object as unknown as Rec);
    const allowed = referenceGrantAllows(grants, { group: GATEWAY_GROUP, kind: routeKind, namespace: routeNamespace }, { group, kind, name });
    if (!allowed) {
      out.problem = {
        kind: 'no-reference-grant',
        message: `it refers to ${kind} ${namespace}/${name} in another namespace, and no ReferenceGrant in ${namespace} allows ${routeKind}s from ${routeNamespace} to refer to it`,
      };
      return out;
    }
  }
  if (!isService) return out; // ServiceImports and InferencePools come from other controllers: not resolvable from the inputs
  const services = model.servicesNamed(namespace, name, route);
  if (services.length === 0) {
    out.problem = { kind: 'service-missing', message: `Service ${namespace}/${name} does not exist` };
    return out;
  }
  if (port === undefined) {
    out.problem = { kind: 'port-unset', message: `backendRef to Service ${namespace}/${name} has no port (required for a Service)` };
    return out;
  }
  const service = services[0]!;
  out.service = service;
  const servicePort = matchServicePort(service, port);
  if (!servicePort) {
    out.problem = {
      kind: 'port-missing',
      message: `Service ${namespace}/${name} has no port ${port} (ports: ${service.ports.map((p) => p.port).join(', ') || 'none'})`,
    };
    return out;
  }
  out.servicePort = servicePort;
  return out;
}

/** GKE's policies with their targets, validity and conflicts. */
export function gatewayPolicies(model: ObjectIndex): PolicyInfo[] {
  return model.memo('gatewayPolicies', () => computePolicies(model));
}

function computePolicies(model: ObjectIndex): PolicyInfo[] {
  const out: PolicyInfo[] = [];
  for (const kind of GKE_POLICY_KINDS) {
    for (const obj of model.kind(kind).filter(isGkePolicy)) out.push(policyInfo(model, obj, kind));
  }
  // Conflicts: one policy of a kind per target; the oldest wins (then namespace/name order, Gateway API's rule).
  const groups = new Map<string, PolicyInfo[]>();
  for (const policy of out) {
    if (!policy.applies || !policy.target) continue;
    const key = `${policy.kind}\0${policy.namespace}\0${policy.target.group}\0${policy.target.kind}\0${policy.target.name}`;
    groups.set(key, [...(groups.get(key) ?? []), policy]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort(olderFirst);
    for (const loser of sorted.slice(1)) {
      loser.lostTo = sorted[0]!;
      loser.applies = false;
    }
  }
  return out;
}

function olderFirst(a: PolicyInfo, b: PolicyInfo): number {
  const ta = Date.parse(asString(a.obj.object.metadata.creationTimestamp) ?? '');
  const tb = Date.parse(asString(b.obj.object.metadata.creationTimestamp) ?? '');
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
  return `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);
}

function policyInfo(model: ObjectIndex, obj: SnapshotObject, kind: GkePolicyKind): PolicyInfo {
  const namespace = namespaceOf(obj);
  const ref = asRecord(get(obj.object, 'spec', 'targetRef'));
  const target: PolicyTarget | undefined = ref
    ? {
        group: asString(ref.group) ?? '',
        kind: asString(ref.kind) ?? '',
        name: asString(ref.name) ?? '',
        ...(asString(ref.namespace) ? { namespace: asString(ref.namespace)! } : {}),
      }
    : undefined;
  const schemaProblems = policySchemaProblems(kind, obj.object);
  let targetProblem: string | undefined;
  let targets: SnapshotObject[] = [];
  if (target) {
    const wanted =
      kind === 'GCPGatewayPolicy'
        ? [{ group: GATEWAY_GROUP, kind: 'Gateway' }]
        : [
            { group: '', kind: 'Service' },
            { group: SERVICE_IMPORT_GROUP, kind: 'ServiceImport' },
          ];
    if (!wanted.some((w) => w.group === target.group && w.kind === target.kind)) {
      targetProblem = `its targetRef is ${target.kind}${target.group ? ` (group ${target.group})` : ''}, but a ${kind} must target ${wanted.map((w) => `${w.kind}${w.group ? ` (group ${w.group})` : ' (group "")'}`).join(' or ')}`;
    } else if (target.namespace !== undefined && target.namespace !== namespace) {
      targetProblem = `its targetRef names namespace ${target.namespace}, but a ${kind} applies only to a target in its own namespace ${namespace}`;
    } else if (target.kind === 'Service') {
      targets = model.servicesNamed(namespace, target.name, obj).map((s) => s.obj);
    } else if (target.kind === 'Gateway') {
      targets = nearest(obj, model.find('Gateway', namespace, target.name).filter(isGatewayApi), (o) => o);
    } else {
      targets = nearest(obj, model.find('ServiceImport', namespace, target.name), (o) => o);
    }
  }
  return {
    obj,
    kind,
    namespace,
    name: nameOf(obj),
    ...(target ? { target } : {}),
    schemaProblems,
    ...(targetProblem ? { targetProblem } : {}),
    targets,
    applies: schemaProblems.length === 0 && targetProblem === undefined && target !== undefined,
  };
}

/** The policy of a kind that applies to a Service (same namespace, valid, the conflict's winner). */
export function policyFor(model: ObjectIndex, kind: 'HealthCheckPolicy' | 'GCPBackendPolicy', service: ServiceInfo): PolicyInfo | undefined {
  return gatewayPolicies(model).find(
    (p) => p.kind === kind && p.applies && p.namespace === service.namespace && p.target?.kind === 'Service' && p.target.name === service.name,
  );
}

export type HealthCheckType = 'HTTP' | 'HTTPS' | 'HTTP2' | 'GRPC' | 'TCP';

/** The health check GKE's Gateway controller programs for a Service port: a HealthCheckPolicy's fields over the defaults. */
export interface GatewayHealthCheck {
  type: HealthCheckType;
  /** A fixed port, or the serving port (each endpoint's port). */
  port: number | 'serving' | { name: string };
  /** Request path for HTTP-family checks. */
  path?: string;
  policy?: PolicyInfo;
}

const CONFIG_KEYS: Record<HealthCheckType, string> = {
  HTTP: 'httpHealthCheck',
  HTTPS: 'httpsHealthCheck',
  HTTP2: 'http2HealthCheck',
  GRPC: 'grpcHealthCheck',
  TCP: 'tcpHealthCheck',
};

/**
 * The effective health check of a Gateway backend Service. Without a
 * HealthCheckPolicy that applies, GKE probes HTTP `/` on the serving port
 * (HTTPS or HTTP2 when the Service port's appProtocol says so); a policy
 * sets it field by field (type HTTP, path `/`, serving port unless set).
 */
export function gatewayHealthCheck(model: ObjectIndex, service: ServiceInfo, port: ServicePort): GatewayHealthCheck {
  const policy = policyFor(model, 'HealthCheckPolicy', service);
  const fallback: HealthCheckType = defaultTypeFor(port);
  if (!policy) return { type: fallback, port: 'serving', ...(fallback === 'HTTP' || fallback === 'HTTPS' || fallback === 'HTTP2' ? { path: '/' } : {}) };
  const config = asRecord(get(policy.obj.object, 'spec', 'default', 'config')) ?? {};
  const type = (asString(config.type) as HealthCheckType | undefined) ?? 'HTTP';
  const sub = asRecord(config[CONFIG_KEYS[type] ?? 'httpHealthCheck']) ?? {};
  const spec = asString(sub.portSpecification);
  const fixed = asCount(sub.port);
  const named = asString(sub.portName);
  const hcPort: GatewayHealthCheck['port'] =
    spec === 'USE_SERVING_PORT'
      ? 'serving'
      : fixed !== undefined && spec !== 'USE_NAMED_PORT'
        ? fixed
        : named !== undefined
          ? { name: named }
          : 'serving';
  const httpFamily = type === 'HTTP' || type === 'HTTPS' || type === 'HTTP2';
  return { type, port: hcPort, ...(httpFamily ? { path: asString(sub.requestPath) || '/' } : {}), policy };
}

function defaultTypeFor(port: ServicePort): HealthCheckType {
  const app = (port.appProtocol ?? '').toUpperCase();
  if (app === 'HTTPS') return 'HTTPS';
  if (app === 'HTTP2' || app === 'KUBERNETES.IO/H2C') return 'HTTP2';
  return 'HTTP';
}
