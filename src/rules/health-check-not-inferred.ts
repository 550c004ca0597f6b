import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { relatedServices, workloadLabel } from '../model/scope.js';
import { ingressServingPortsByContainer, servicePortsText } from '../model/serving-ports.js';

export default defineRule({
  meta: {
    id: 'health-check-not-inferred',
    title: 'GKE does not copy the readinessProbe into the load balancer health check',
    severity: 'warning',
    category: 'wiring',
    symptom:
      'The pods are Ready but the backends are UNHEALTHY (502s), or healthy for the wrong reason: the load balancer probes GET / on the serving port instead of the endpoint the readinessProbe checks.',
    cause:
      'The Ingress controller copies a readinessProbe into the health check only when it is an httpGet probe, sets no host (at most a single Host header and no other headers), uses the scheme of the port\'s app protocol (HTTPS for HTTPS and HTTP2), and probes the serving container port behind targetPort, which the container declares. Any other probe — tcpSocket, exec, grpc, a sidecar port such as Istio\'s 15020 — is ignored and the NEG default GET / is used.',
    evidence:
      'The serving container\'s readinessProbe checked as the controller does it, for each Service port of a GKE Ingress NEG, with the app protocol from cloud.google.com/app-protocols. A BackendConfig with spec.healthCheck for the port silences it.',
    remediation:
      'Make the readinessProbe an httpGet on the serving port with the matching scheme and no host, or configure the health check explicitly in a BackendConfig spec.healthCheck (requestPath, port, type).',
    needs: [DATA.workloads, DATA.services, DATA.ingresses, DATA.ingressClasses, DATA.backendConfigs],
    explains: [
      { rule: 'health-check-probe-failing', on: 'service-port', why: 'When GKE ignores the readinessProbe the load balancer probes GET /, which the logged probes answer with an HTTP error.', targetReasons: ['http-error-default-path'] },
      { rule: 'backend-unhealthy', on: 'service-port', why: "When GKE ignores the readinessProbe, the load balancer probes GET / on the serving port of that Service port, which an app that answers elsewhere fails." },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const ports of ingressServingPortsByContainer(ctx.model)) {
      const first = ports[0]!;
      const container = first.serving.container;
      const rejected = ports.filter((p) => p.backendConfigHealthCheck === undefined && p.healthCheck.notInferredBecause?.length);
      if (rejected.length === 0) continue;
      const reasons = [...new Set(rejected.flatMap((p) => p.healthCheck.notInferredBecause ?? []))];
      const port = first.serving.portNumber !== undefined ? ` on port ${first.serving.portNumber}` : '';
      ctx.report({
        object: first.entry.workload.obj,
        path: [...container.path, 'readinessProbe'],
        message: `The readinessProbe of container ${container.name} (${workloadLabel(first.entry)}, serving ${servicePortsText(rejected)}) is not used for the load balancer health check because ${reasons.join('; ')}; the load balancer checks GET /${port} instead.`,
        related: relatedServices(first.entry),
        evidence: { reasons },
      });
    }
  },
});
