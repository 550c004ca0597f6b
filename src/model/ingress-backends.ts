/** GKE Ingress backends, and which Services they make NEG-relevant (SPEC §5 "Service, Ingress and health-check wiring"). */
import {
  NEG_ANNOTATION
} from '../analysis/annotations.js';
import type { IngressBackendRef, IngressInfo, Model } from './index.js';
import type { ServiceInfo } from './services.js';
import type { Path } from './rule-contract.js';
import { hasAnnotation } from './annotations.js';

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
