/**
 * The derived view every rule shares: which Services select which pod
 * templates, which Services GKE backs with NEGs (SPEC §4), and which
 * container serves each NEG port. Built once per snapshot and settings.
 */
import { semverLib } from '../util/lazy.js';
import type { Settings } from '../config/settings.js';
import type { Snapshot, SnapshotObject } from '../snapshot/types.js';
import { asArray, asCount, asRecord, asString, get, isRecord, stringMap, type Rec } from '../util/values.js';
import { containersOf, nameOf, namespaceOf, workloadOf, type ContainerRef, type Path, type Workload } from './workloads.js';
import { ingressClassOf, parseNegAnnotation, NEG_ANNOTATION } from '../analysis/annotations.js';
import { buildGatewayModel, type GatewayModel } from './gateway.js';

export type { Path, Workload, ContainerRef };

export interface ServicePort {
  index: number;
  port: number;
  name?: string;
  /** targetPort as written (number or name); defaults to `port`. */
  targetPort: number | string;
  protocol: string;
  appProtocol?: string;
  path: Path;
}

export interface ServiceInfo {
  obj: SnapshotObject;
  namespace: string;
  name: string;
  /** undefined when the Service has no selector (endpoints managed elsewhere). */
  selector?: Record<string, string>;
  ports: ServicePort[];
  type: string;
}

export interface IngressBackendRef {
  ingress: IngressInfo;
  /** Path of the backend block inside the Ingress. */
  path: Path;
  serviceName: string;
  /** The port as written: a number or a port name. */
  port?: number | string;
  portPath: Path;
}

export interface IngressInfo {
  obj: SnapshotObject;
  namespace: string;
  name: string;
  ingressClass: 'gce' | 'gce-internal' | 'other';
  backends: IngressBackendRef[];
}

export type NegReason = 'annotation-ingress' | 'annotation-exposed-ports' | 'ingress-default' | 'gateway';

export interface NegPort {
  servicePort: ServicePort;
  reasons: NegReason[];
  /** Whether a GKE Ingress in the inputs routes to this port (the controller creates Ingress NEGs only for those). */
  usedByIngress: boolean;
}

/** A Service whose ports GKE programs as NEGs. */
export interface NegService {
  service: ServiceInfo;
  ports: NegPort[];
}

export interface ServingContainer {
  container: ContainerRef;
  /** The container port number the Service port resolves to, when known. */
  portNumber?: number;
  /** The container's port entry the targetPort matched, if declared. */
  portIndex?: number;
}

/** A workload whose pods are NEG endpoints, with the Service ports that make it so. */
export interface NegBackedWorkload {
  workload: Workload;
  services: Array<{ neg: NegService; ports: Array<{ negPort: NegPort; serving?: ServingContainer }> }>;
  /** Serving containers, one entry per container (a container may serve several ports). */
  servingContainers: ServingContainer[];
}

export class Model {
  readonly objectsByKind = new Map<string, SnapshotObject[]>();
  readonly workloads: Workload[] = [];
  readonly services: ServiceInfo[] = [];
  readonly ingresses: IngressInfo[] = [];
  readonly negServices: NegService[] = [];
  readonly negBacked: NegBackedWorkload[] = [];
  /** Gateways, their routes' attachment and backends (see gateway.ts). */
  readonly gateway: GatewayModel;
  /** Whether an Ingress backend gets NEGs without the annotation (GKE ≥ 1.17, VPC-native, not Shared VPC). */
  readonly negIsIngressDefault: boolean;
  /** Lookups by kind/namespace/name and by namespace: rules resolve references per object, so scans must not be linear. */
  private readonly byKindNamespaceName = new Map<string, SnapshotObject[]>();
  private readonly servicesByName = new Map<string, ServiceInfo[]>();
  private readonly workloadsByNamespace = new Map<string, Workload[]>();
  /** Workloads by namespace and one pod-template label (`ns\0key\0value`), in input order: selector lookups start from the smallest bucket. */
  private readonly workloadsByLabel = new Map<string, Workload[]>();
  private readonly selectedBy = new Map<ServiceInfo, Workload[]>();
  private hpasByTarget: Map<string, SnapshotObject> | undefined;
  private readonly memos = new Map<string, unknown>();

  constructor(
    readonly snapshot: Snapshot,
    readonly settings: Settings,
  ) {
    for (const obj of snapshot.objects) {
      const list = this.objectsByKind.get(obj.object.kind);
      if (list) list.push(obj);
      else this.objectsByKind.set(obj.object.kind, [obj]);
      push(this.byKindNamespaceName, objectKey(obj.object.kind, namespaceOf(obj), nameOf(obj)), obj);
      const workload = workloadOf(obj);
      if (workload) {
        this.workloads.push(workload);
        push(this.workloadsByNamespace, workload.namespace, workload);
        for (const [key, value] of Object.entries(workload.labels)) push(this.workloadsByLabel, labelKey(workload.namespace, key, value), workload);
      }
    }
    this.negIsIngressDefault = negIsIngressDefault(settings);
    for (const obj of this.kind('Service')) {
      const info = serviceInfo(obj);
      this.services.push(info);
      push(this.servicesByName, `${info.namespace}/${info.name}`, info);
    }
    const ingressClasses = this.kind('IngressClass').map((o) => o.object);
    for (const obj of this.kind('Ingress')) this.ingresses.push(ingressInfo(obj, ingressClasses));
    this.gateway = buildGatewayModel(this);
    this.computeNegServices();
    this.computeNegBacked();
  }

  kind(kind: string): SnapshotObject[] {
    return this.objectsByKind.get(kind) ?? [];
  }

  /** Objects of a kind with this namespace and name (manifests may hold the same name twice). */
  find(kind: string, namespace: string | undefined, name: string): SnapshotObject[] {
    if (namespace !== undefined) return this.byKindNamespaceName.get(objectKey(kind, namespace, name)) ?? [];
    return this.kind(kind).filter((o) => nameOf(o) === name);
  }

  /**
   * A value derived from the model, computed once per model: several rules
   * share views such as the serving ports with their inferred health checks.
   */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** Services of this namespace and name; with `from`, only those of the referring object's own input set (see `nearest`). */
  servicesNamed(namespace: string, name: string, from?: SnapshotObject): ServiceInfo[] {
    const candidates = this.servicesByName.get(`${namespace}/${name}`) ?? [];
    return from ? nearest(from, candidates, (s) => s.obj) : candidates;
  }

  /** Workloads whose pod template the Service selects (same namespace, every selector label present), within the Service's input set. */
  workloadsSelectedBy(service: ServiceInfo): Workload[] {
    const selector = service.selector;
    if (!selector || Object.keys(selector).length === 0) return [];
    const cached = this.selectedBy.get(service);
    if (cached) return cached;
    // Every selected workload carries each selector label, so any one label's bucket holds them all (in input order).
    let candidates: Workload[] | undefined;
    for (const [key, value] of Object.entries(selector)) {
      const bucket = this.workloadsByLabel.get(labelKey(service.namespace, key, value)) ?? [];
      if (!candidates || bucket.length < candidates.length) candidates = bucket;
    }
    const selected = (candidates ?? []).filter((w) => selects(selector, w.labels));
    const result = nearest(service.obj, selected, (w) => w.obj);
    this.selectedBy.set(service, result);
    return result;
  }

  /** The HPA's minReplicas for a workload, when an HPA targets it. */
  hpaMinReplicas(workload: Workload): { minReplicas: number; hpa: SnapshotObject } | undefined {
    if (!this.hpasByTarget) {
      // The first HPA (in input order) targeting a workload wins, as a scan over them would find it.
      this.hpasByTarget = new Map();
      for (const hpa of this.kind('HorizontalPodAutoscaler')) {
        const target = asRecord(get(hpa.object, 'spec', 'scaleTargetRef'));
        const kind = asString(target?.kind);
        const name = asString(target?.name);
        if (kind === undefined || name === undefined) continue;
        const key = objectKey(kind, namespaceOf(hpa), name);
        if (!this.hpasByTarget.has(key)) this.hpasByTarget.set(key, hpa);
      }
    }
    const hpa = this.hpasByTarget.get(objectKey(workload.kind, workload.namespace, workload.name));
    return hpa ? { minReplicas: asCount(get(hpa.object, 'spec', 'minReplicas')) ?? 1, hpa } : undefined;
  }

  private computeNegServices(): void {
    const wanted = new Map<ServiceInfo, Map<ServicePort, Set<NegReason>>>();
    const want = (service: ServiceInfo, port: ServicePort, reason: NegReason) => {
      let ports = wanted.get(service);
      if (!ports) wanted.set(service, (ports = new Map()));
      let reasons = ports.get(port);
      if (!reasons) ports.set(port, (reasons = new Set()));
      reasons.add(reason);
    };

    const ingressRefs = new Map<ServiceInfo, Set<ServicePort>>();
    for (const ingress of this.ingresses) {
      if (ingress.ingressClass === 'other') continue;
      for (const backend of ingress.backends) {
        for (const service of this.servicesNamed(ingress.namespace, backend.serviceName, ingress.obj)) {
          const port = matchServicePort(service, backend.port);
          if (!port) continue;
          let set = ingressRefs.get(service);
          if (!set) ingressRefs.set(service, (set = new Set()));
          set.add(port);
        }
      }
    }

    for (const service of this.services) {
      const annotation = parseNegAnnotation(service.obj.object.metadata.annotations?.[NEG_ANNOTATION]);
      const neg = annotation.ok ? annotation.value : undefined;
      for (const key of Object.keys(neg?.exposed_ports ?? {})) {
        const port = service.ports.find((p) => String(p.port) === key);
        if (port) want(service, port, 'annotation-exposed-ports');
      }
      const refs = ingressRefs.get(service);
      if (neg?.ingress === true) {
        // The annotation asks for NEGs for the ports an Ingress uses; with no Ingress
        // in the inputs it may live elsewhere, so every port may be backed.
        for (const port of refs ?? service.ports) want(service, port, 'annotation-ingress');
      } else if (refs && neg?.ingress !== false && this.negIsIngressDefault) {
        for (const port of refs) want(service, port, 'ingress-default');
      }
    }

    // Routes attached to a GKE Gateway: the Gateway controller backs their Service ports with NEGs.
    for (const [service, ports] of this.gateway.backendPorts) for (const port of ports) want(service, port, 'gateway');

    for (const [service, ports] of wanted) {
      this.negServices.push({
        service,
        ports: [...ports].map(([servicePort, reasons]) => ({
          servicePort,
          reasons: [...reasons],
          usedByIngress: ingressRefs.get(service)?.has(servicePort) ?? false,
        })),
      });
    }
  }

  private computeNegBacked(): void {
    const byWorkload = new Map<Workload, NegBackedWorkload>();
    for (const neg of this.negServices) {
      for (const workload of this.workloadsSelectedBy(neg.service)) {
        let entry = byWorkload.get(workload);
        if (!entry) byWorkload.set(workload, (entry = { workload, services: [], servingContainers: [] }));
        const ports = neg.ports.map((negPort) => ({ negPort, serving: resolveServingContainer(workload, negPort.servicePort.targetPort) }));
        entry.services.push({ neg, ports });
        for (const { serving } of ports) {
          if (serving && !entry.servingContainers.some((s) => s.container.index === serving.container.index)) {
            entry.servingContainers.push(serving);
          }
        }
      }
    }
    this.negBacked.push(...byWorkload.values());
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function labelKey(namespace: string, key: string, value: string): string {
  return `${namespace}\0${key}\0${value}`;
}

function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}\0${namespace}\0${name}`;
}

const cache = new WeakMap<Snapshot, Map<string, Model>>();

/** The model of a snapshot under the given settings, built once. */
export function modelOf(snapshot: Snapshot, settings: Settings): Model {
  let bySettings = cache.get(snapshot);
  if (!bySettings) cache.set(snapshot, (bySettings = new Map()));
  const key = JSON.stringify(settings);
  let model = bySettings.get(key);
  if (!model) bySettings.set(key, (model = new Model(snapshot, settings)));
  return model;
}

/**
 * The candidates whose source file is nearest to `from` (longest common
 * directory prefix; the same file wins outright). Inputs often hold several
 * independent apps that reuse names in one namespace (samples,
 * per-environment folders): a reference is resolved within its own input
 * set, not against every object of that name. Objects without a source (live
 * data) keep every candidate.
 */
export function nearest<T>(from: SnapshotObject, candidates: T[], objOf: (candidate: T) => SnapshotObject): T[] {
  if (candidates.length < 2) return candidates;
  const base = directoryOf(from);
  if (!base) return candidates;
  const scored = candidates.map((candidate) => {
    const dirs = directoryOf(objOf(candidate));
    if (!dirs) return { candidate, score: -1 };
    let score = 0;
    while (score < base.length && score < dirs.length && base[score] === dirs[score]) score++;
    if (objOf(candidate).source?.file === from.source?.file) score = Number.MAX_SAFE_INTEGER;
    return { candidate, score };
  });
  if (scored.some((s) => s.score < 0)) return candidates;
  const best = Math.max(...scored.map((s) => s.score));
  return scored.filter((s) => s.score === best).map((s) => s.candidate);
}

function directoryOf(obj: SnapshotObject): string[] | undefined {
  const file = obj.source?.file;
  if (!file) return undefined;
  const parts = file.split(/[\\/]+/);
  parts.pop();
  return parts;
}

export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) return false;
  return true;
}

function negIsIngressDefault(settings: Settings): boolean {
  if (settings.sharedVpc) return false;
  if (!settings.gkeVersion) return true;
  const version = semverLib().coerce(settings.gkeVersion);
  return version ? semverLib().gte(version, '1.17.0') : true;
}

export function serviceInfo(obj: SnapshotObject): ServiceInfo {
  const spec = asRecord(obj.object.spec) ?? {};
  const selector = isRecord(spec.selector) ? stringMap(spec.selector) : undefined;
  const ports: ServicePort[] = [];
  asArray(spec.ports).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const port = typeof raw.port === 'number' && Number.isInteger(raw.port) ? raw.port : undefined;
    if (port === undefined) return;
    const target = raw.targetPort;
    const targetPort =
      typeof target === 'number' && Number.isInteger(target)
        ? target
        : typeof target === 'string' && target !== ''
          ? /^\d+$/.test(target)
            ? Number(target)
            : target
          : port;
    ports.push({
      index,
      port,
      ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
      targetPort,
      protocol: asString(raw.protocol) ?? 'TCP',
      ...(typeof raw.appProtocol === 'string' ? { appProtocol: raw.appProtocol } : {}),
      path: ['spec', 'ports', index],
    });
  });
  return {
    obj,
    namespace: namespaceOf(obj),
    name: nameOf(obj),
    ...(selector ? { selector } : {}),
    ports,
    type: asString(spec.type) ?? 'ClusterIP',
  };
}

/** The Service port an Ingress or route backend names: by number, or by port name. */
export function matchServicePort(service: ServiceInfo, port: number | string | undefined): ServicePort | undefined {
  if (port === undefined) return service.ports.length === 1 ? service.ports[0] : undefined;
  if (typeof port === 'number') return service.ports.find((p) => p.port === port);
  return service.ports.find((p) => p.name === port);
}

/** Backends of an Ingress in both the networking.k8s.io/v1 and the old extensions/v1beta1 shape. */
function ingressInfo(obj: SnapshotObject, ingressClasses: unknown[]): IngressInfo {
  const info: IngressInfo = {
    obj,
    namespace: namespaceOf(obj),
    name: nameOf(obj),
    ingressClass: ingressClassOf(obj.object, ingressClasses),
    backends: [],
  };
  const spec = asRecord(obj.object.spec) ?? {};
  const addBackend = (backend: unknown, path: Path) => {
    const ref = readBackend(backend, path);
    if (ref) info.backends.push({ ingress: info, ...ref });
  };
  if (spec.defaultBackend !== undefined) addBackend(spec.defaultBackend, ['spec', 'defaultBackend']);
  if (spec.backend !== undefined) addBackend(spec.backend, ['spec', 'backend']);
  asArray(spec.rules).forEach((rule, r) => {
    asArray(get(rule, 'http', 'paths')).forEach((p, i) => {
      addBackend(get(p, 'backend'), ['spec', 'rules', r, 'http', 'paths', i, 'backend']);
    });
  });
  return info;
}

function readBackend(backend: unknown, path: Path): Omit<IngressBackendRef, 'ingress'> | undefined {
  if (!isRecord(backend)) return undefined;
  const service = asRecord(backend.service);
  if (service) {
    const name = asString(service.name);
    if (!name) return undefined;
    const port = asRecord(service.port);
    const number = port?.number;
    const portName = asString(port?.name);
    const value = typeof number === 'number' ? number : portName;
    return {
      path,
      serviceName: name,
      ...(value !== undefined ? { port: value } : {}),
      portPath: [...path, 'service', 'port', typeof number === 'number' ? 'number' : 'name'],
    };
  }
  const legacyName = asString(backend.serviceName);
  if (!legacyName) return undefined;
  const raw = backend.servicePort;
  const port = typeof raw === 'number' ? raw : typeof raw === 'string' ? (/^\d+$/.test(raw) ? Number(raw) : raw) : undefined;
  return { path, serviceName: legacyName, ...(port !== undefined ? { port } : {}), portPath: [...path, 'servicePort'] };
}

/**
 * The container that serves a Service targetPort. A name resolves through the
 * containers' declared port names; a number through declared containerPorts,
 * or — since a numeric targetPort needs no declaration — to the only
 * container when there is just one.
 */
export function resolveServingContainer(workload: Workload, targetPort: number | string): ServingContainer | undefined {
  const containers = containersOf(workload);
  for (const ref of containers) {
    const ports = asArray(ref.container.ports);
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i] as Rec;
      if (!isRecord(p)) continue;
      if (typeof targetPort === 'string' ? p.name === targetPort : p.containerPort === targetPort) {
        const portNumber = typeof p.containerPort === 'number' ? p.containerPort : undefined;
        return { container: ref, ...(portNumber !== undefined ? { portNumber } : {}), portIndex: i };
      }
    }
  }
  if (typeof targetPort === 'number' && containers.length === 1) return { container: containers[0]!, portNumber: targetPort };
  return undefined;
}
