import { NEG_ANNOTATION, parseNegAnnotation } from '../analysis/annotations.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { annotationPath, annotationsOf } from '../model/annotations.js';
import { gkeIngresses } from '../model/ingress-backends.js';
import { ingressLabel, serviceLabel } from '../model/labels.js';
import type { ServiceInfo } from '../model/services.js';

export default defineRule({
  meta: {
    id: 'neg-annotation-missing',
    title: 'Ingress backend Service is not container-native where that is not the default',
    severity: 'warning',
    category: 'wiring',
    symptom:
      'The Ingress load balancer sends traffic through NodePorts and kube-proxy (instance groups): extra hops, lost client affinity, health checks against nodes, and 502s when pods move.',
    cause:
      'Container-native load balancing is the Ingress default only on VPC-native clusters from GKE 1.17 that do not use Shared VPC. Elsewhere a Service gets NEGs only when it carries cloud.google.com/neg: \'{"ingress": true}\'.',
    evidence:
      'Runs when the configuration says gkeVersion < 1.17 or sharedVpc: true. Each Service a GKE Ingress (class gce or gce-internal, or none) uses as a backend is checked for "ingress": true in its NEG annotation; an explicit "ingress": false is taken as a deliberate choice.',
    remediation: 'Annotate the Service with cloud.google.com/neg: \'{"ingress": true}\' (the cluster must be VPC-native).',
    needs: [DATA.services, DATA.ingresses, DATA.ingressClasses],
    defaults: {},
  },
  check(ctx) {
    if (ctx.model.negIsIngressDefault) return;
    const why = ctx.settings.sharedVpc ? 'the cluster uses Shared VPC' : `GKE ${ctx.settings.gkeVersion ?? ''} is older than 1.17`;
    const seen = new Set<ServiceInfo>();
    for (const ingress of gkeIngresses(ctx.model)) {
      // An internal Ingress always needs NEGs: internal-ingress-misconfigured reports it.
      if (ingress.ingressClass === 'gce-internal') continue;
      for (const backend of ingress.backends) {
        for (const service of ctx.model.servicesNamed(backend.ingress.namespace, backend.serviceName, backend.ingress.obj)) {
          if (seen.has(service)) continue;
          seen.add(service);
          const annotations = annotationsOf(service.obj);
          const present = Object.hasOwn(annotations, NEG_ANNOTATION);
          if (present) {
            const parsed = parseNegAnnotation(annotations[NEG_ANNOTATION]);
            // Malformed: neg-annotation-invalid. Explicit false: a deliberate choice of instance groups.
            if (!parsed.ok || parsed.value.ingress !== undefined) continue;
          }
          ctx.report({
            object: service.obj,
            path: annotationPath(NEG_ANNOTATION),
            message: `${serviceLabel(service)} is a backend of ${ingressLabel(ingress)} but has no cloud.google.com/neg "ingress": true; container-native load balancing is not the default here (${why}), so the load balancer uses instance groups and NodePorts.`,
            related: [ingress.obj],
            fix: {
              description: 'annotate the Service with cloud.google.com/neg: {"ingress": true}',
              edits: [{ op: 'set', path: annotationPath(NEG_ANNOTATION), value: '{"ingress": true}' }],
            },
          });
        }
      }
    }
  },
});
