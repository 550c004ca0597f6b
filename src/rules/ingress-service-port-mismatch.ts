import { matchServicePort } from '../model/services.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { gkeIngresses } from '../model/ingress-backends.js';
import { ingressLabel, portLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'ingress-service-port-mismatch',
    title: 'Ingress backend port matches no port of the Service',
    severity: 'error',
    category: 'wiring',
    symptom: 'The Ingress gets no backend for that path (404/502 for it, or no load balancer at all); Ingress events report that the Service has no such port.',
    cause:
      'An Ingress backend names a Service port by number (service.port.number) or by name (service.port.name) — the Service port, not the container port or targetPort. A value that matches no entry of the Service spec.ports cannot be translated into a backend service.',
    evidence: 'Each GKE Ingress backend whose Service is in the inputs: its port number or name compared with the Service spec.ports[].port and spec.ports[].name.',
    remediation: 'Use the Service port number (spec.ports[].port) or port name in the Ingress backend, not the targetPort or containerPort.',
    needs: [DATA.services, DATA.ingresses, DATA.ingressClasses],
    explains: [
      { rule: 'ingress-sync-errors', on: 'ingress', why: "The controller cannot translate a backend whose Service port does not exist and reports it on that Ingress (\"could not find port\")." },
      { rule: 'ingress-no-address', on: 'ingress', why: "A translation error stops the controller from building that Ingress's load balancer, so it gets no address." },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const ingress of gkeIngresses(ctx.model)) {
      for (const backend of ingress.backends) {
        const services = ctx.model.servicesNamed(backend.ingress.namespace, backend.serviceName, backend.ingress.obj);
        if (services.length === 0) continue; // ingress-service-missing
        if (services.some((s) => matchServicePort(s, backend.port) !== undefined)) continue;
        const service = services[0]!;
        const ports = service.ports.map(portLabel).join(', ') || 'none';
        const written = backend.port;
        let message: string;
        if (written === undefined) {
          message = `${ingressLabel(ingress)} backend for Service ${backend.serviceName} gives no port, and the Service has ${service.ports.length} ports (${ports}); name one.`;
        } else if (typeof written === 'number' && !Number.isInteger(written)) {
          message = `${ingressLabel(ingress)} backend for Service ${backend.serviceName} gives port ${written}, which is not an integer; the Service ports are ${ports}.`;
        } else {
          const byTarget = typeof written === 'number' ? service.ports.find((p) => p.targetPort === written) : undefined;
          message =
            `${ingressLabel(ingress)} backend names port ${typeof written === 'number' ? written : `"${written}"`} of Service ${backend.serviceName}, which has no such port (its ports: ${ports})` +
            (byTarget ? `; ${written} is the targetPort of Service port ${byTarget.port} — use the Service port.` : '.');
        }
        ctx.report({
          object: ingress.obj,
          path: written === undefined ? backend.path : backend.portPath,
          message,
          related: [service.obj],
          evidence: { service: `${service.namespace}/${service.name}`, port: written, servicePorts: service.ports.map((p) => ({ port: p.port, name: p.name })) },
        });
      }
    }
  },
});
