import { backendConfigAnnotationOf, BACKEND_CONFIG_ANNOTATION } from '../analysis/annotations.js';
import { asRecord } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { annotationPath } from '../model/annotations.js';
import { backendConfigFor } from '../model/backend-config.js';
import { ingressBackedServices } from '../model/ingress-backends.js';
import { serviceLabel } from '../model/labels.js';

/** What each BackendConfig field becomes behind a GKE Gateway (docs: "Migrate from Ingress to Gateway", "Configure Gateway resources using Policies"). */
const REPLACEMENTS: Record<string, string> = {
  healthCheck: 'health check → HealthCheckPolicy',
  connectionDraining: 'connection draining → GCPBackendPolicy connectionDraining',
  timeoutSec: 'backend timeout → GCPBackendPolicy timeoutSec',
  securityPolicy: 'Cloud Armor policy → GCPBackendPolicy securityPolicy',
  sessionAffinity: 'session affinity → GCPBackendPolicy sessionAffinity',
  logging: 'request logging → GCPBackendPolicy logging',
  iap: 'IAP → GCPBackendPolicy iap',
  cdn: 'Cloud CDN → no GCPBackendPolicy field (not offered behind GKE Gateway)',
  customRequestHeaders: 'custom request headers → HTTPRoute RequestHeaderModifier filter',
  customResponseHeaders: 'custom response headers → HTTPRoute ResponseHeaderModifier filter',
};

export default defineRule({
  meta: {
    id: 'gateway-backendconfig-ignored',
    title: 'BackendConfig on a Gateway backend is ignored',
    severity: 'warning',
    category: 'gateway',
    symptom: 'After moving a Service from GKE Ingress to a Gateway, its custom health check, connection draining, timeout, Cloud Armor or IAP silently stop working.',
    cause:
      'BackendConfig (and FrontendConfig) belong to GKE Ingress: GKE\'s Gateway controller reads neither. Behind a Gateway the same settings come from GCPBackendPolicy (draining, timeout, Cloud Armor, IAP, logging, session affinity), HealthCheckPolicy (health check) and GCPGatewayPolicy / route filters.',
    evidence:
      'Services that a route attached to a GKE Gateway sends traffic to, that no GKE Ingress in the inputs routes to, and that carry cloud.google.com/backend-config (or the beta key). The fields of the BackendConfig, when it is in the inputs, name what is lost and what replaces it.',
    remediation: 'Move each setting to its policy (GCPBackendPolicy / HealthCheckPolicy targeting the Service), then drop the annotation — or keep it only while a GKE Ingress still routes to the Service.',
    needs: [DATA.gateways, DATA.services, DATA.ingresses, DATA.ingressClasses, DATA.backendConfigs],
    explains: [
      { rule: 'gateway-health-check-default', on: 'service-port', why: "The Gateway controller ignores the health check a BackendConfig sets for that Service port, so the load balancer probes the default `GET /` there instead." },
    ],
    defaults: {},
  },
  check(ctx) {
    const ingressBacked = ingressBackedServices(ctx.model);
    for (const [service, ports] of ctx.model.gateway.backendPorts) {
      if (ingressBacked.has(service)) continue;
      const annotation = backendConfigAnnotationOf(service.obj.object);
      if (!annotation) continue;
      const lost = new Set<string>();
      const names = new Set<string>();
      // The Service ports whose health check the ignored BackendConfig was meant to set.
      const healthCheckPorts: number[] = [];
      for (const port of ports) {
        const use = backendConfigFor(ctx.model, service, port);
        if (!use) continue;
        names.add(use.name);
        const spec = asRecord(use.object?.object.spec) ?? {};
        if (spec.healthCheck !== undefined) healthCheckPorts.push(port.port);
        for (const key of Object.keys(spec)) lost.add(REPLACEMENTS[key] ?? `${key} → no Gateway equivalent known`);
      }
      const what =
        lost.size > 0
          ? [...lost].join('; ')
          : names.size > 0
            ? `BackendConfig ${[...names].join(', ')} (not in the inputs): whatever it sets — health check → HealthCheckPolicy; draining, timeout, Cloud Armor, IAP → GCPBackendPolicy`
            : 'health check → HealthCheckPolicy; draining, timeout, Cloud Armor, IAP → GCPBackendPolicy';
      ctx.report({
        object: service.obj,
        path: annotationPath(annotation.key ?? BACKEND_CONFIG_ANNOTATION),
        message: `${serviceLabel(service)} is a GKE Gateway backend that no GKE Ingress uses, so its ${annotation.key} annotation is ignored; lost: ${what}.`,
        evidence: { lost: [...lost], ...(names.size > 0 ? { backendConfigs: [...names] } : {}), ...(healthCheckPorts.length > 0 ? { healthCheckPorts: healthCheckPorts.sort((a, b) => a - b) } : {}) },
      });
    }
  },
});
