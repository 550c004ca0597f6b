/**
 * The derived view every rule shares: which Services select which pod
 * templates, which Services GKE backs with NEGs (SPEC §4), and which
 * container serves each NEG port. Built once per snapshot and settings.
 */
import { semverLib } from '../util/lazy.js';
import type { Settings } from './settings.js';
import type { Snapshot, SnapshotObject } from '../snapshot/types.js';
import { asArray, asCount, asRecord, asString, get, isRecord, type Rec } from '../util/values.js';
import { containersOf, nameOf, namespaceOf, workloadOf, type ContainerRef, type Path, type Workload } from './workloads.js';
import { ingressClassOf, parseNegAnnotation, NEG_ANNOTATION } from '../analysis/annotations.js';
import { buildGatewayModel, type GatewayModel } from './gateway.js';
import { nearest, ObjectIndex, objectKey, push } from './objects.js';
import { matchServicePort, selects, type ServiceInfo, type ServicePort } from './services.js';

export type { Path, Workload, ContainerRef };

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

export class Model extends ObjectIndex {
  readonly workloads: Workload[] = [];
  readonly ingresses: IngressInfo[] = [];
  readonly negServices: NegService[] = [];
  readonly negBacked: NegBackedWorkload[] = [];
  /** Gateways, their routes' attachment and backends (see gateway.ts). */
  readonly gateway: GatewayModel;
  /** Whether an Ingress backend gets NEGs without the annotation (GKE ≥ 1.17, VPC-native, not Shared VPC). */
  readonly negIsIngressDefault: boolean;
  /** Lookups by namespace and label: rules resolve references per object, so scans must not be linear. */
  private readonly workloadsByNamespace = new Map<string, Workload[]>();
  /** Workloads by namespace and one pod-template label (`ns\0key\0value`), in input order: selector lookups start from the smallest bucket. */
  private readonly workloadsByLabel = new Map<string, Workload[]>();
  private readonly selectedBy = new Map<ServiceInfo, Workload[]>();
  private hpasByTarget: Map<string, SnapshotObject> | undefined;

  constructor(snapshot: Snapshot, settings: Settings) {
    super(snapshot, settings);
    for (const obj of snapshot.objects) {
      const workload = workloadOf(obj);
      if (workload) {
        this.workloads.push(workload);
        push(this.workloadsByNamespace, workload.namespace, workload);
        for (const [key, value] of Object.entries(workload.labels)) push(this.workloadsByLabel, labelKey(workload.namespace, key, value), workload);
      }
    }
    this.negIsIngressDefault = negIsIngressDefault(settings);
    const ingressClasses = this.kind('IngressClass').map((o) => o.object);
    for (const obj of this.kind('Ingress')) this.ingresses.push(ingressInfo(obj, ingressClasses));
    this.gateway = buildGatewayModel(this);
    this.computeNegServices();
    this.computeNegBacked();
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

function labelKey(namespace: string, key: string, value: string): string {
  return `${namespace}\0${key}\0${value}`;
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

function negIsIngressDefault(settings: Settings): boolean {
  if (settings.sharedVpc) return false;
  if (!settings.gkeVersion) return true;
  const version = semverLib().coerce(settings.gkeVersion);
  return version ? semverLib().gte(version, '1.17.0') : true;
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
