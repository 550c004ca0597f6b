/** How objects are named in finding messages. */
import type { ServiceInfo } from './services.js';
import type { IngressInfo } from './index.js';
import type { ServicePort } from './services.js';

export function serviceList(services: ServiceInfo[]): string {
  const names = [...new Set(services.map((s) => s.name))];
  return names.length === 1 ? `Service ${names[0]}` : `Services ${names.join(', ')}`;
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
