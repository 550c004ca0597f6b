import { NEG_ANNOTATION, parseNegAnnotation } from '../analysis/annotations.js';
import type { ServiceInfo } from '../model/services.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { annotationPath, annotationsOf, FRONTEND_CONFIG_ANNOTATION } from '../model/annotations.js';
import { ingressLabel, serviceLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'internal-ingress-misconfigured',
    title: 'Internal Ingress without NEG backends, or with a FrontendConfig',
    severity: 'error',
    category: 'wiring',
    symptom: 'The internal Application Load Balancer is not created or the Ingress does not sync; events name the backend Service or the FrontendConfig.',
    cause:
      'An internal Ingress (class gce-internal) is served by the regional internal Application Load Balancer, which supports only NEG backends: every backend Service needs cloud.google.com/neg "ingress": true. FrontendConfig (HTTPS redirects, SSL policies) is not supported for internal Ingress.',
    evidence:
      'Each Ingress with class gce-internal (annotation or IngressClass): the NEG annotation of every backend Service in the inputs, and a networking.gke.io/v1beta1.FrontendConfig annotation on the Ingress. The check follows ingress-gce\'s check-gke-ingress, which requires the annotation whatever the cluster version.',
    remediation: 'Annotate each backend Service with cloud.google.com/neg: \'{"ingress": true}\'; remove the FrontendConfig annotation from the internal Ingress.',
    needs: [DATA.services, DATA.ingresses, DATA.ingressClasses],
    defaults: {},
  },
  check(ctx) {
    for (const ingress of ctx.model.ingresses) {
      if (ingress.ingressClass !== 'gce-internal') continue;
      if (Object.hasOwn(annotationsOf(ingress.obj), FRONTEND_CONFIG_ANNOTATION)) {
        ctx.report({
          object: ingress.obj,
          path: annotationPath(FRONTEND_CONFIG_ANNOTATION),
          message: `${ingressLabel(ingress)} is internal (gce-internal) but references a FrontendConfig; internal Ingress does not support FrontendConfig.`,
        });
      }
      const seen = new Set<ServiceInfo>();
      for (const backend of ingress.backends) {
        for (const service of ctx.model.servicesNamed(backend.ingress.namespace, backend.serviceName, backend.ingress.obj)) {
          if (seen.has(service)) continue;
          seen.add(service);
          const annotations = annotationsOf(service.obj);
          const present = Object.hasOwn(annotations, NEG_ANNOTATION);
          const parsed = present ? parseNegAnnotation(annotations[NEG_ANNOTATION]) : undefined;
          if (parsed && !parsed.ok) continue; // neg-annotation-invalid reports it
          if (parsed?.ok && parsed.value.ingress === true) continue;
          ctx.report({
            object: service.obj,
            path: annotationPath(NEG_ANNOTATION),
            message: present
              ? `${serviceLabel(service)} backs internal ${ingressLabel(ingress)} but its cloud.google.com/neg annotation does not set "ingress": true; internal Ingress needs NEG backends.`
              : `${serviceLabel(service)} backs internal ${ingressLabel(ingress)} but has no cloud.google.com/neg annotation; internal Ingress needs "ingress": true on every backend Service.`,
            related: [ingress.obj],
          });
        }
      }
    }
  },
});
