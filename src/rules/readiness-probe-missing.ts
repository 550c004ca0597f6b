import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { relatedServices, workloadLabel } from '../model/scope.js';
import { ingressServingPortsByContainer, servicePortsText } from '../model/serving-ports.js';

export default defineRule({
  meta: {
    id: 'readiness-probe-missing',
    title: 'Serving container has no readinessProbe and no BackendConfig health check',
    severity: 'warning',
    category: 'wiring',
    symptom:
      'Backends show UNHEALTHY and the Ingress answers 502 although the pods run — typically because the application answers GET / with a 404, a redirect or an auth challenge.',
    cause:
      'GKE derives the load balancer health check from the serving container\'s readinessProbe. Without a probe (and without a BackendConfig healthCheck) the NEG health check is GET / on the serving port every 15 s, and only a 200 counts as healthy. Kubernetes also marks the pod Ready as soon as it starts.',
    evidence:
      'The serving container of each workload behind a GKE Ingress NEG (found through the Service targetPort) is checked for a readinessProbe; a BackendConfig with spec.healthCheck for that Service port silences it.',
    remediation:
      'Add an httpGet readinessProbe on the serving port with a path that returns 200 when the app can serve, or set spec.healthCheck (requestPath, port) in a BackendConfig referenced by the Service.',
    needs: [DATA.workloads, DATA.services, DATA.ingresses, DATA.ingressClasses, DATA.backendConfigs],
    explains: [
      { rule: 'health-check-probe-failing', on: 'service-port', why: 'Without a readinessProbe the load balancer probes GET /, which the logged probes answer with an HTTP error.', targetReasons: ['http-error-default-path'] },
      { rule: 'backend-unhealthy', on: 'service-port', why: "Without a readinessProbe the load balancer probes GET / on the serving port of that Service port, which an app without a 200 there fails." },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const ports of ingressServingPortsByContainer(ctx.model)) {
      const first = ports[0]!;
      const container = first.serving.container;
      if (container.container.readinessProbe !== undefined && container.container.readinessProbe !== null) continue;
      const unchecked = ports.filter((p) => p.backendConfigHealthCheck === undefined);
      if (unchecked.length === 0) continue;
      const port = first.serving.portNumber !== undefined ? ` on port ${first.serving.portNumber}` : '';
      ctx.report({
        object: first.entry.workload.obj,
        path: [...container.path, 'readinessProbe'],
        message: `Container ${container.name} of ${workloadLabel(first.entry)} serves ${servicePortsText(unchecked)} but has no readinessProbe and no BackendConfig health check: the load balancer checks GET /${port} and needs a 200 there.`,
        related: relatedServices(first.entry),
      });
    }
  },
});
