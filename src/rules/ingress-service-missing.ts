import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backendNamePath, gkeIngresses } from '../model/ingress-backends.js';
import { ingressLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'ingress-service-missing',
    title: 'Ingress backend names a Service that does not exist',
    severity: 'error',
    category: 'wiring',
    symptom:
      'The Ingress never gets a working load balancer, or the paths of that backend return 404/502; the Ingress events say the Service was not found ("Translation failed").',
    cause: 'GKE translates each Ingress backend into a backend service for the named Service in the Ingress namespace; a Service that does not exist there cannot be translated.',
    evidence:
      'Each backend (defaultBackend and rule paths, in both the networking.k8s.io/v1 and the extensions/v1beta1 shapes) of a GKE Ingress is looked up among the Services of the same namespace. Offline the Service may be created elsewhere (another repository, a Helm chart, an operator), so the finding is info; with live data it is an error.',
    remediation: 'Create the Service in the Ingress namespace, or fix the backend service name (and namespace: an Ingress can only use Services of its own namespace).',
    needs: [DATA.services, DATA.ingresses, DATA.ingressClasses],
    explains: [
      { rule: 'ingress-sync-errors', on: 'ingress', why: "The controller cannot translate a backend whose Service does not exist and reports it on that Ingress." },
      { rule: 'ingress-no-address', on: 'ingress', why: "A translation error stops the controller from building that Ingress's load balancer, so it gets no address." },
    ],
    defaults: {},
  },
  check(ctx) {
    const live = ctx.snapshot.source === 'live';
    for (const ingress of gkeIngresses(ctx.model)) {
      for (const backend of ingress.backends) {
        if (ctx.model.servicesNamed(ingress.namespace, backend.serviceName).length > 0) continue;
        ctx.report({
          object: ingress.obj,
          path: backendNamePath(backend),
          severity: live ? 'error' : 'info',
          message: live
            ? `${ingressLabel(ingress)} routes to Service ${backend.serviceName}, which does not exist in namespace ${ingress.namespace}.`
            : `${ingressLabel(ingress)} routes to Service ${backend.serviceName}, which is not in the linted inputs (namespace ${ingress.namespace}); make sure something else creates it.`,
          evidence: { service: `${ingress.namespace}/${backend.serviceName}` },
        });
      }
    }
  },
});
