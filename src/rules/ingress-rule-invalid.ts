import { describeIngressClass } from '../analysis/annotations.js';
import { asArray, asString, isRecord } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { gkeIngresses } from '../model/ingress-backends.js';
import { ingressLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'ingress-rule-invalid',
    title: 'Ingress rules that GKE cannot translate as written',
    severity: 'error',
    category: 'wiring',
    symptom: 'Hosts or paths of the Ingress return 404 from the default backend, or the Ingress gets no load balancer at all.',
    cause:
      'GKE builds one URL map host rule per Ingress host: a rule without an http block routes nothing, and when two rules name the same host the later one replaces the earlier one\'s paths. GKE also reads only the kubernetes.io/ingress.class annotation: an Ingress that relies on spec.ingressClassName (or a default IngressClass) to pick GKE is not processed.',
    evidence:
      'Each GKE Ingress: spec.rules entries without http (or without http.paths), and rules that repeat a host; and Ingresses that name a GKE-looking IngressClass through spec.ingressClassName, or that a default IngressClass would claim, without the class annotation.',
    remediation:
      'Give every rule an http.paths list, merge rules of the same host into one, and select GKE with the annotation kubernetes.io/ingress.class: "gce" (or "gce-internal") instead of spec.ingressClassName.',
    needs: [DATA.ingresses, DATA.ingressClasses],
    defaults: {},
  },
  check(ctx) {
    const classes = ctx.model.kind('IngressClass').map((o) => o.object);
    for (const ingress of ctx.model.ingresses) {
      if (ingress.ingressClass !== 'other') continue;
      const decision = describeIngressClass(ingress.obj.object, classes);
      if (!decision.note) continue;
      ctx.report({
        object: ingress.obj,
        path: decision.decidedBy === 'ingressClassName' ? ['spec', 'ingressClassName'] : ['metadata'],
        message: `${ingressLabel(ingress)}: ${decision.note}`,
      });
    }
    for (const ingress of gkeIngresses(ctx.model)) {
      const rules = asArray(isRecord(ingress.obj.object.spec) ? ingress.obj.object.spec.rules : undefined);
      const hosts = new Map<string, number>();
      rules.forEach((rule, index) => {
        if (!isRecord(rule)) return;
        const host = asString(rule.host) ?? '';
        const http = rule.http;
        if (!isRecord(http)) {
          ctx.report({
            object: ingress.obj,
            path: ['spec', 'rules', index],
            message: `${ingressLabel(ingress)} rule ${index}${host ? ` (host ${host})` : ''} has no http block, so it routes nothing; GKE requires http.paths in every rule.`,
          });
        } else if (asArray(http.paths).length === 0) {
          ctx.report({
            object: ingress.obj,
            path: ['spec', 'rules', index, 'http'],
            message: `${ingressLabel(ingress)} rule ${index}${host ? ` (host ${host})` : ''} has an http block without paths, so it routes nothing.`,
          });
        }
        const previous = hosts.get(host);
        if (previous !== undefined) {
          ctx.report({
            object: ingress.obj,
            path: host ? ['spec', 'rules', index, 'host'] : ['spec', 'rules', index],
            message: `${ingressLabel(ingress)} rules ${previous} and ${index} both claim ${host ? `host ${host}` : 'every host (no host)'}; GKE keeps the paths of only one of them. Merge them into one rule.`,
          });
        } else {
          hosts.set(host, index);
        }
      });
    }
  },
});
