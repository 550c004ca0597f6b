import { asCount, asRecord } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { relatedServices, workloadLabel } from '../model/scope.js';
import { ingressServingPortsByContainer } from '../model/serving-ports.js';

export default defineRule({
  meta: {
    id: 'readiness-initial-delay-ignored',
    title: 'readinessProbe initialDelaySeconds does not delay the load balancer health check',
    severity: 'info',
    category: 'wiring',
    symptom: 'A slow-starting pod is marked unhealthy by the load balancer (or takes longer to receive traffic) although its readinessProbe waits before the first check.',
    cause:
      'The Ingress controller copies only the path, port, periodSeconds and timeoutSeconds of the readinessProbe. The load balancer health check starts probing an endpoint as soon as it is attached to the NEG and knows nothing of initialDelaySeconds.',
    evidence:
      'readinessProbe.initialDelaySeconds > 0 on the serving container of a workload behind a GKE Ingress NEG, when no BackendConfig health check applies to the port.',
    remediation:
      'Let the application answer the health check path with a failure until it is ready rather than relying on initialDelaySeconds, or use a startupProbe for slow starts; tune the load balancer with healthyThreshold/unhealthyThreshold in a BackendConfig.',
    needs: [DATA.workloads, DATA.services, DATA.ingresses, DATA.ingressClasses, DATA.backendConfigs],
    defaults: {},
  },
  check(ctx) {
    for (const ports of ingressServingPortsByContainer(ctx.model)) {
      const first = ports[0]!;
      const container = first.serving.container;
      const probe = asRecord(container.container.readinessProbe);
      const delay = asCount(probe?.initialDelaySeconds);
      if (!probe || delay === undefined || delay === 0) continue;
      if (ports.every((p) => p.backendConfigHealthCheck !== undefined)) continue;
      ctx.report({
        object: first.entry.workload.obj,
        path: [...container.path, 'readinessProbe', 'initialDelaySeconds'],
        message: `Container ${container.name} of ${workloadLabel(first.entry)} delays its readinessProbe by ${delay} s, but the load balancer health check starts at once and ignores initialDelaySeconds.`,
        related: relatedServices(first.entry),
      });
    }
  },
});
