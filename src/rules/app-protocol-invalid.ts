import { appProtocolsAnnotationOf, unusedAppProtocolKeys } from '../analysis/annotations.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { annotationPath } from '../model/annotations.js';
import { onlyBehindOtherIngresses } from '../model/ingress-backends.js';
import { serviceLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'app-protocol-invalid',
    title: 'The cloud.google.com/app-protocols annotation is malformed or names no port',
    severity: 'error',
    category: 'wiring',
    symptom:
      'The load balancer speaks the wrong protocol to the pods (HTTP to an HTTPS or gRPC server): 502s, "upstream connect error", or an Ingress that does not sync.',
    cause:
      'GKE reads the backend protocol only from this annotation, as JSON mapping a Service port NAME to HTTP, HTTPS or HTTP2. Invalid JSON or another value breaks the sync; a key that is a port number or a name the Service lacks is ignored, so the port stays HTTP.',
    evidence: 'The annotation (and its legacy service.alpha.kubernetes.io key) on every Service, parsed and validated; keys compared with the Service port names. Services that only non-GKE Ingresses (e.g. nginx) route to are skipped: GKE never reads their annotation.',
    remediation: 'Write the value as JSON keyed by Service port names, e.g. \'{"https": "HTTPS"}\', with values HTTP, HTTPS or HTTP2, and name the Service port.',
    needs: [DATA.services],
    defaults: {},
  },
  check(ctx) {
    for (const service of ctx.model.services) {
      const annotation = appProtocolsAnnotationOf(service.obj.object);
      if (!annotation || onlyBehindOtherIngresses(ctx.model, service)) continue;
      const path = annotationPath(annotation.key);
      if (!annotation.result.ok) {
        ctx.report({ object: service.obj, path, message: `${serviceLabel(service)}: ${annotation.result.error}` });
        continue;
      }
      const unused = unusedAppProtocolKeys(
        annotation.result.value,
        service.ports.map((p) => ({ port: p.port, ...(p.name ? { name: p.name } : {}) })),
      );
      for (const { key, reason } of unused) {
        ctx.report({
          object: service.obj,
          path,
          message: `${serviceLabel(service)}: annotation ${annotation.key} key "${key}" is ignored: ${reason}; that port stays HTTP.`,
        });
      }
    }
  },
});
