/**
 * The Envoy-based load balancers of a cluster's inputs: internal Ingresses
 * (class gce-internal: the regional internal Application Load Balancer) and
 * Gateways of GKE's regional and cross-regional classes. They need a
 * proxy-only subnet in the cluster's region and network, and their proxies
 * connect to the pods from that subnet's range. For each, the Services they
 * send traffic to (Ingress backends; backendRefs of the HTTPRoutes and
 * GRPCRoutes attached to the Gateway).
 */
import type { SnapshotObject } from '../snapshot/types.js';
import { gkeGatewayClass, type ProxySubnetPurpose } from './gateway-classes.js';
import { matchServicePort, type ServiceInfo, type ServicePort } from './services.js';
import type { Model } from './index.js';
import { asCount, asRecords, asString, get } from '../util/values.js';
import { nameOf, namespaceOf } from './workloads.js';

export interface ProxyBackend {
  service: ServiceInfo;
  port: ServicePort;
}

export interface ProxyLoadBalancer {
  obj: SnapshotObject;
  /** "Ingress shop/web" or "Gateway shop/internal". */
  label: string;
  /** Where the class is written, for findings. */
  classPath: Array<string | number>;
  /** The class: gce-internal, or the GatewayClass name. */
  className: string;
  purpose: ProxySubnetPurpose;
  backends: ProxyBackend[];
}

const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

function gatewayBackends(model: Model, gateway: SnapshotObject): ProxyBackend[] {
  const key = `${namespaceOf(gateway)}/${nameOf(gateway)}`;
  const out: ProxyBackend[] = [];
  for (const route of [...model.kind('HTTPRoute'), ...model.kind('GRPCRoute')]) {
    const routeNs = namespaceOf(route);
    const parents = asRecords(get(route.object, 'spec', 'parentRefs'));
    if (!parents.some((ref) => (asString(ref.kind) ?? 'Gateway') === 'Gateway' && `${asString(ref.namespace) ?? routeNs}/${asString(ref.name) ?? ''}` === key)) continue;
    for (const rule of asRecords(get(route.object, 'spec', 'rules'))) {
      for (const ref of asRecords(rule.backendRefs)) {
        if ((asString(ref.kind) ?? 'Service') !== 'Service' || (asString(ref.group) ?? '') !== '') continue;
        for (const service of model.servicesNamed(asString(ref.namespace) ?? routeNs, asString(ref.name) ?? '', route)) {
          const port = matchServicePort(service, asCount(ref.port));
          if (port) out.push({ service, port });
        }
      }
    }
  }
  return out;
}

/** Internal Ingresses and proxy-subnet Gateways in the inputs, each with the Services behind it. */
export function proxyLoadBalancers(model: Model): ProxyLoadBalancer[] {
  const out: ProxyLoadBalancer[] = [];
  for (const ingress of model.ingresses) {
    if (ingress.ingressClass !== 'gce-internal') continue;
    const backends: ProxyBackend[] = [];
    for (const backend of ingress.backends) {
      for (const service of model.servicesNamed(ingress.namespace, backend.serviceName, ingress.obj)) {
        const port = matchServicePort(service, backend.port);
        if (port) backends.push({ service, port });
      }
    }
    const annotated = ingress.obj.object.metadata.annotations?.[CLASS_ANNOTATION] !== undefined;
    const byClassName = asString(get(ingress.obj.object, 'spec', 'ingressClassName')) !== undefined;
    out.push({
      obj: ingress.obj,
      label: `Ingress ${ingress.namespace}/${ingress.name}`,
      classPath: annotated ? ['metadata', 'annotations', CLASS_ANNOTATION] : byClassName ? ['spec', 'ingressClassName'] : ['metadata', 'name'],
      className: 'gce-internal',
      purpose: 'REGIONAL_MANAGED_PROXY',
      backends,
    });
  }
  for (const gateway of model.kind('Gateway')) {
    if (!gateway.object.apiVersion.startsWith('gateway.networking.k8s.io/')) continue;
    const className = asString(get(gateway.object, 'spec', 'gatewayClassName'));
    const purpose = gkeGatewayClass(className)?.proxySubnet;
    if (!className || !purpose) continue;
    out.push({
      obj: gateway,
      label: `Gateway ${namespaceOf(gateway)}/${nameOf(gateway)}`,
      classPath: ['spec', 'gatewayClassName'],
      className,
      purpose,
      backends: gatewayBackends(model, gateway),
    });
  }
  return out;
}
