import { nameOf, namespaceOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { annotationPath, annotationsOf, FRONTEND_CONFIG_ANNOTATION } from '../model/annotations.js';
import { gkeIngresses } from '../model/ingress-backends.js';
import { ingressLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'frontendconfig-missing',
    title: 'Ingress references a FrontendConfig that does not exist',
    severity: 'error',
    category: 'wiring',
    symptom: 'The HTTPS redirect, SSL policy or other frontend settings never apply; the Ingress events report that the FrontendConfig was not found.',
    cause: 'GKE looks up the FrontendConfig named by the networking.gke.io/v1beta1.FrontendConfig annotation in the Ingress namespace; a missing one fails the frontend configuration.',
    evidence: 'The annotation on each GKE Ingress, compared with the FrontendConfig objects (networking.gke.io) of the same namespace in the inputs.',
    remediation: 'Create the FrontendConfig in the Ingress namespace, or fix the name in the annotation.',
    needs: [DATA.ingresses, DATA.ingressClasses, DATA.frontendConfigs],
    defaults: {},
  },
  check(ctx) {
    const configs = ctx.model.kind('FrontendConfig').filter((o) => o.object.apiVersion.startsWith('networking.gke.io/'));
    for (const ingress of gkeIngresses(ctx.model)) {
      const annotations = annotationsOf(ingress.obj);
      if (!Object.hasOwn(annotations, FRONTEND_CONFIG_ANNOTATION)) continue;
      const value = annotations[FRONTEND_CONFIG_ANNOTATION];
      const path = annotationPath(FRONTEND_CONFIG_ANNOTATION);
      if (typeof value !== 'string' || value.trim() === '') {
        ctx.report({
          object: ingress.obj,
          path,
          message: `${ingressLabel(ingress)}: annotation ${FRONTEND_CONFIG_ANNOTATION} must be the name of a FrontendConfig, but it is ${typeof value === 'string' ? 'empty' : `not a string (${JSON.stringify(value)})`}.`,
        });
        continue;
      }
      const name = value.trim();
      if (configs.some((o) => namespaceOf(o) === ingress.namespace && nameOf(o) === name)) continue;
      ctx.report({
        object: ingress.obj,
        path,
        message: `${ingressLabel(ingress)} references FrontendConfig ${name}, which does not exist in namespace ${ingress.namespace}.`,
      });
    }
  },
});
