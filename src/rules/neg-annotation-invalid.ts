import { NEG_ANNOTATION, parseNegAnnotation } from '../analysis/annotations.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { annotationPath, annotationsOf } from '../model/annotations.js';
import { serviceLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'neg-annotation-invalid',
    title: 'The cloud.google.com/neg annotation is malformed',
    severity: 'error',
    category: 'wiring',
    symptom:
      'The Service gets no NEGs (or not the ones intended): the Ingress falls back to instance groups, or a standalone NEG never appears, and the Service shows sync errors.',
    cause:
      'The NEG controller decodes the annotation as JSON. Text that is not JSON (single quotes, a trailing comma, an unquoted YAML mapping) is rejected; a key with a typo or a value of the wrong type (the string "true" instead of true) is dropped or rejected, so NEGs are silently not created. exposed_ports entries must name ports the Service has.',
    evidence:
      'The annotation value on each Service, parsed as JSON and validated against the annotation schema (ingress: boolean, exposed_ports: {"<service port>": {name?}}, zones: [string]); exposed_ports keys are compared with spec.ports[].port.',
    remediation:
      'Write the value as a quoted JSON string, e.g. cloud.google.com/neg: \'{"ingress": true}\' or \'{"exposed_ports": {"80": {}}}\', with double quotes, no trailing commas, booleans unquoted, and only ports the Service exposes.',
    needs: [DATA.services],
    defaults: {},
  },
  check(ctx) {
    for (const service of ctx.model.services) {
      const annotations = annotationsOf(service.obj);
      if (!Object.hasOwn(annotations, NEG_ANNOTATION)) continue;
      const parsed = parseNegAnnotation(annotations[NEG_ANNOTATION]);
      if (!parsed.ok) {
        ctx.report({
          object: service.obj,
          path: annotationPath(NEG_ANNOTATION),
          message: `${serviceLabel(service)}: ${parsed.error}`,
          evidence: { value: annotations[NEG_ANNOTATION] },
        });
        continue;
      }
      const exposed = Object.keys(parsed.value.exposed_ports ?? {});
      const missing = exposed.filter((key) => !service.ports.some((p) => String(p.port) === key));
      if (missing.length > 0) {
        const has = service.ports.map((p) => p.port).join(', ') || 'none';
        ctx.report({
          object: service.obj,
          path: annotationPath(NEG_ANNOTATION),
          message: `${serviceLabel(service)}: annotation ${NEG_ANNOTATION} exposes port${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which the Service does not have (its ports: ${has}); exposed_ports keys are Service port numbers, not container ports.`,
          evidence: { missing, servicePorts: service.ports.map((p) => p.port) },
        });
      }
    }
  },
});
