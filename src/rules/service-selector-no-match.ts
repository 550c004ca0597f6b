import { selects } from '../model/services.js';
import { stringMap } from '../util/values.js';
import { namespaceOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { negRelevantServices } from '../model/ingress-backends.js';
import { serviceLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'service-selector-no-match',
    title: 'Service selector matches no pod',
    severity: 'error',
    category: 'wiring',
    symptom: 'The NEGs stay empty: the Ingress answers 502 / "no healthy upstream" and the backend service shows zero endpoints.',
    cause: 'NEG endpoints come from the pods the Service selector matches. A selector that matches no pod label set (a typo, a renamed app label, another namespace) leaves the NEGs empty.',
    evidence:
      'Services that matter to the load balancer (NEG-annotated, GKE Ingress backends, NEG-backed) with a non-empty selector. Live: compared with the pods (and pod templates) of the namespace — an error when none matches. Offline: compared with the pod templates in the inputs — info, since the pods may come from elsewhere (an operator, a mesh install, another repository). Services without a selector manage their endpoints themselves and are skipped.',
    remediation: 'Make the Service selector match the pod template labels of the workload that serves it, in the same namespace.',
    needs: [DATA.workloads, DATA.services, DATA.ingresses, DATA.ingressClasses],
    defaults: {},
  },
  check(ctx) {
    const live = ctx.snapshot.source === 'live';
    const pods = ctx.model.kind('Pod');
    for (const service of negRelevantServices(ctx.model)) {
      const selector = service.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      if (ctx.model.workloadsSelectedBy(service).length > 0) continue;
      if (pods.some((p) => namespaceOf(p) === service.namespace && selects(selector, stringMap(p.object.metadata.labels)))) continue;
      const text = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      // A workload matching all but one label is almost certainly the intended one.
      const near = ctx.model.workloads.find((w) => {
        if (w.namespace !== service.namespace) return false;
        const misses = Object.entries(selector).filter(([k, v]) => w.labels[k] !== v).length;
        return misses === 1 && Object.keys(selector).length > 1;
      });
      const hint = near ? ` ${near.kind} ${near.name} matches all but one of its labels.` : '';
      ctx.report({
        object: service.obj,
        path: ['spec', 'selector'],
        severity: live ? 'error' : 'info',
        message: live
          ? `${serviceLabel(service)} selects ${text}, which matches no pod in namespace ${service.namespace}: its NEGs have no endpoints.${hint}`
          : `${serviceLabel(service)} selects ${text}, which matches no pod template in the linted inputs (namespace ${service.namespace}); make sure the pods come from elsewhere.${hint}`,
        ...(near ? { related: [near.obj] } : {}),
      });
    }
  },
});
