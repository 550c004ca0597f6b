/**
 * Lookups shared by the wiring rules (SPEC §5 "Service, Ingress and
 * health-check wiring"): GKE Ingress backends, NEG-relevant Services,
 * BackendConfig and app-protocol resolution per Service port, and the health
 * check GKE infers for each serving port of a NEG-backed workload.
 */
import {
  APP_PROTOCOLS_ANNOTATION,
  appProtocolForPort,
  appProtocolsAnnotationOf,
  backendConfigAnnotationOf,
  backendConfigNameForPort,
  NEG_ANNOTATION,
  type AppProtocol,
} from '../analysis/annotations.js';
import { inferHealthCheck, type InferredHealthCheck } from '../analysis/health-check.js';
import type {
  IngressBackendRef,
  IngressInfo,
  Model,
  NegBackedWorkload,
  NegPort,
  NegService,
  ServiceInfo,
  ServicePort,
  ServingContainer,
} from '../model/index.js';
import { asRecord, get, isRecord } from '../util/values.js';
import type { SnapshotObject } from '../snapshot/types.js';
import type { Path } from './define-rule.js';
import { negBackedWorkloads } from './scope.js';

export { NEG_ANNOTATION, APP_PROTOCOLS_ANNOTATION };

export const FRONTEND_CONFIG_ANNOTATION = 'networking.gke.io/v1beta1.FrontendConfig';

/** Raw annotations of an object (any value type: YAML may hold a mapping where a string belongs). */
export function annotationsOf(obj: SnapshotObject): Record<string, unknown> {
  return asRecord(obj.object.metadata?.annotations) ?? {};
}

export function hasAnnotation(obj: SnapshotObject, key: string): boolean {
  return Object.hasOwn(annotationsOf(obj), key);
}

export function annotationPath(key: string): Path {
  return ['metadata', 'annotations', key];
}

/** Ingresses GKE's controller programs (class gce, gce-internal or none). */
export function gkeIngresses(model: Model): IngressInfo[] {
  return model.ingresses.filter((ingress) => ingress.ingressClass !== 'other');
}

/** Whether a backend was written in the old extensions/v1beta1 shape (serviceName/servicePort). */
export function isLegacyBackend(backend: IngressBackendRef): boolean {
  return backend.portPath[backend.portPath.length - 1] === 'servicePort';
}

/** Path of the Service name inside the Ingress backend. */
export function backendNamePath(backend: IngressBackendRef): Path {
  return isLegacyBackend(backend) ? [...backend.path, 'serviceName'] : [...backend.path, 'service', 'name'];
}

/** "Ingress shop/web" */
export function ingressLabel(ingress: IngressInfo): string {
  return `Ingress ${ingress.namespace}/${ingress.name}`;
}

export function serviceLabel(service: ServiceInfo): string {
  return `Service ${service.namespace}/${service.name}`;
}

export function portLabel(port: ServicePort): string {
  return port.name ? `${port.port} ("${port.name}")` : String(port.port);
}

/** Services that GKE Ingress backends name, with the backends naming each. */
export function ingressBackedServices(model: Model): Map<ServiceInfo, IngressBackendRef[]> {
  return model.memo('ingressBackedServices', () => computeIngressBackedServices(model));
}

function computeIngressBackedServices(model: Model): Map<ServiceInfo, IngressBackendRef[]> {
  const out = new Map<ServiceInfo, IngressBackendRef[]>();
  for (const ingress of gkeIngresses(model)) {
    for (const backend of ingress.backends) {
      for (const service of model.servicesNamed(ingress.namespace, backend.serviceName, ingress.obj)) {
        const list = out.get(service);
        if (list) list.push(backend);
        else out.set(service, [backend]);
      }
    }
  }
  return out;
}

/**
 * Services that matter for container-native load balancing: NEG-backed ones,
 * GKE Ingress backends (with or without NEGs), and NEG-annotated ones.
 */
export function negRelevantServices(model: Model): ServiceInfo[] {
  return model.memo('negRelevantServices', () => computeNegRelevantServices(model));
}

function computeNegRelevantServices(model: Model): ServiceInfo[] {
  const set = new Set<ServiceInfo>(model.negServices.map((n) => n.service));
  for (const service of ingressBackedServices(model).keys()) set.add(service);
  for (const service of model.services) if (hasAnnotation(service.obj, NEG_ANNOTATION)) set.add(service);
  return model.services.filter((s) => set.has(s));
}

/**
 * Services that only other controllers' Ingresses (nginx, Traefik, …) route to
 * and that nothing puts behind GKE load balancing: no NEG annotation, not a
 * backend of a GKE Ingress or of a GKE Gateway route. GKE reads none of their
 * cloud.google.com annotations (only ingress-gce reads backend-config and
 * app-protocols), so a stale one left after a move to ingress-nginx is inert.
 * A Service no Ingress in the inputs names is not in this set: its GKE
 * Ingress may live elsewhere.
 */
export function onlyBehindOtherIngresses(model: Model, service: ServiceInfo): boolean {
  return model.memo('onlyBehindOtherIngresses', () => computeOnlyBehindOtherIngresses(model)).has(service);
}

function computeOnlyBehindOtherIngresses(model: Model): Set<ServiceInfo> {
  const relevant = new Set(negRelevantServices(model));
  const out = new Set<ServiceInfo>();
  for (const ingress of model.ingresses) {
    if (ingress.ingressClass !== 'other') continue;
    for (const backend of ingress.backends) {
      for (const service of model.servicesNamed(ingress.namespace, backend.serviceName, ingress.obj)) {
        if (!relevant.has(service)) out.add(service);
      }
    }
  }
  return out;
}

/** BackendConfig objects of a name in a namespace (GA or beta API group). */
export function backendConfigsNamed(model: Model, namespace: string, name: string): SnapshotObject[] {
  return model.find('BackendConfig', namespace, name).filter((o) => o.object.apiVersion.startsWith('cloud.google.com/'));
}

export interface BackendConfigUse {
  /** Annotation key it came from (GA or beta). */
  key: string;
  name: string;
  /** The BackendConfig, when it is in the inputs. */
  object?: SnapshotObject;
}

/** The BackendConfig that applies to a Service port, as the controller picks it. */
export function backendConfigFor(model: Model, service: ServiceInfo, port: ServicePort): BackendConfigUse | undefined {
  const annotation = backendConfigAnnotationOf(service.obj.object);
  if (!annotation || !annotation.result.ok) return undefined;
  const name = backendConfigNameForPort(annotation.result.value, { port: port.port, ...(port.name ? { name: port.name } : {}) });
  if (!name) return undefined;
  const object = backendConfigsNamed(model, service.namespace, name)[0];
  return { key: annotation.key, name, ...(object ? { object } : {}) };
}

/** The BackendConfig `spec.healthCheck` that applies to a Service port, if any. */
export function backendConfigHealthCheck(model: Model, service: ServiceInfo, port: ServicePort): unknown {
  const use = backendConfigFor(model, service, port);
  const hc = use?.object ? get(use.object.object, 'spec', 'healthCheck') : undefined;
  return isRecord(hc) ? hc : undefined;
}

/** The protocol GKE speaks to a Service port, from the app-protocols annotation (HTTP when absent or invalid). */
export function appProtocolOf(service: ServiceInfo, port: ServicePort): AppProtocol | undefined {
  const annotation = appProtocolsAnnotationOf(service.obj.object);
  if (!annotation || !annotation.result.ok) return undefined;
  return appProtocolForPort(annotation.result.value, { port: port.port, ...(port.name ? { name: port.name } : {}) });
}

export interface ServingPort {
  entry: NegBackedWorkload;
  neg: NegService;
  negPort: NegPort;
  serving: ServingContainer;
  /** BackendConfig `spec.healthCheck` for this port, when one applies. */
  backendConfigHealthCheck?: unknown;
  healthCheck: InferredHealthCheck;
}

/**
 * Every serving port of a NEG-backed workload whose NEG GKE Ingress attaches
 * to a backend service it health-checks itself (not standalone NEGs, whose
 * backend service the user manages, nor Gateway backends, whose health check
 * comes from a HealthCheckPolicy), with the inferred health check.
 */
export function ingressServingPorts(model: Model): ServingPort[] {
  return model.memo('ingressServingPorts', () =>
    servingPorts(model).filter(({ negPort }) => negPort.reasons.some((r) => r === 'annotation-ingress' || r === 'ingress-default')),
  );
}

/** Every serving port of every NEG-backed workload (any reason), with the inferred health check. */
export function servingPorts(model: Model): ServingPort[] {
  return model.memo('servingPorts', () => computeServingPorts(model));
}

function computeServingPorts(model: Model): ServingPort[] {
  const out: ServingPort[] = [];
  for (const entry of negBackedWorkloads(model)) {
    for (const { neg, ports } of entry.services) {
      for (const { negPort, serving } of ports) {
        if (!serving) continue;
        const bcHealthCheck = backendConfigHealthCheck(model, neg.service, negPort.servicePort);
        const appProtocol = appProtocolOf(neg.service, negPort.servicePort);
        const healthCheck = inferHealthCheck({
          servicePort: negPort.servicePort,
          ...(appProtocol ? { appProtocolFromAnnotation: appProtocol } : {}),
          container: serving.container.container,
          ...(serving.portNumber !== undefined ? { containerPortNumber: serving.portNumber } : {}),
          ...(bcHealthCheck !== undefined ? { backendConfigHealthCheck: bcHealthCheck } : {}),
        });
        out.push({
          entry,
          neg,
          negPort,
          serving,
          ...(bcHealthCheck !== undefined ? { backendConfigHealthCheck: bcHealthCheck } : {}),
          healthCheck,
        });
      }
    }
  }
  return out;
}

/**
 * The Ingress serving ports grouped by container, so a container serving
 * several ports is reported once; shared by the readiness-probe rules.
 */
export function ingressServingPortsByContainer(model: Model): ServingPort[][] {
  return model.memo('ingressServingPortsByContainer', () => [...byContainer(ingressServingPorts(model)).values()]);
}

function byContainer(ports: ServingPort[]): Map<string, ServingPort[]> {
  const out = new Map<string, ServingPort[]>();
  for (const port of ports) {
    const key = `${port.entry.workload.obj.id}:${port.serving.container.index}`;
    const list = out.get(key);
    if (list) list.push(port);
    else out.set(key, [port]);
  }
  return out;
}

export function servicePortsText(ports: ServingPort[]): string {
  return [...new Set(ports.map((p) => `${p.neg.service.name}:${p.negPort.servicePort.port}`))].join(', ');
}
