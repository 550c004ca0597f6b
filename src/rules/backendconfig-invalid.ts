import { backendConfigAnnotationOf, type BackendConfigAnnotation } from '../analysis/annotations.js';
import type { ServiceInfo } from '../model/services.js';
import { asArray, asRecord, get, isRecord } from '../util/values.js';
import { containersOf } from '../model/workloads.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { annotationPath } from '../model/annotations.js';
import { onlyBehindOtherIngresses } from '../model/ingress-backends.js';
import { backendConfigsNamed } from '../model/backend-config.js';
import { serviceLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'backendconfig-invalid',
    title: 'BackendConfig reference or health check is invalid',
    severity: 'error',
    category: 'wiring',
    symptom:
      'The Ingress does not sync ("no BackendConfig for service port exists", "error getting BackendConfig"), or the health check GKE creates never passes.',
    cause:
      'The cloud.google.com/backend-config annotation (or its beta key) must be JSON naming a BackendConfig by "default" or per port, and that BackendConfig must exist in the Service namespace. A health check whose timeoutSec exceeds checkIntervalSec is rejected by Compute Engine; a fixed health-check port that no container serves can never pass.',
    evidence:
      'The annotation on every Service (except those only non-GKE Ingresses, e.g. nginx, route to: GKE never reads it there), parsed and validated; each BackendConfig it names, looked up in the Service namespace; ports keys compared with the Service ports; each referenced BackendConfig spec.healthCheck timeoutSec vs checkIntervalSec, and its port vs the container ports of the pods the Service selects.',
    remediation:
      'Fix the annotation JSON and the BackendConfig name (or create the BackendConfig in the same namespace); keep healthCheck.timeoutSec ≤ checkIntervalSec; point healthCheck.port at a port the serving container listens on.',
    needs: [DATA.workloads, DATA.services, DATA.backendConfigs],
    defaults: {},
  },
  check(ctx) {
    const checked = new Set<SnapshotObject>();
    for (const service of ctx.model.services) {
      const annotation = backendConfigAnnotationOf(service.obj.object);
      if (!annotation || onlyBehindOtherIngresses(ctx.model, service)) continue;
      const path = annotationPath(annotation.key);
      if (!annotation.result.ok) {
        ctx.report({ object: service.obj, path, message: `${serviceLabel(service)}: ${annotation.result.error}` });
        continue;
      }
      const value: BackendConfigAnnotation = annotation.result.value;
      for (const key of Object.keys(value.ports ?? {})) {
        if (service.ports.some((p) => p.name === key || String(p.port) === key)) continue;
        ctx.report({
          object: service.obj,
          path,
          severity: 'warning',
          message: `${serviceLabel(service)}: annotation ${annotation.key} configures port "${key}", which the Service does not have (its ports: ${service.ports.map((p) => (p.name ? `${p.port}/${p.name}` : p.port)).join(', ') || 'none'}); keys are Service port numbers or names.`,
        });
      }
      const names = new Set([...(value.default ? [value.default] : []), ...Object.values(value.ports ?? {})]);
      for (const name of names) {
        const found = backendConfigsNamed(ctx.model, service.namespace, name)[0];
        if (!found) {
          ctx.report({
            object: service.obj,
            path,
            severity: 'error',
            message: `${serviceLabel(service)} references BackendConfig ${name} (annotation ${annotation.key}), which does not exist in namespace ${service.namespace}; the Ingress will not sync this backend.`,
          });
          continue;
        }
        if (checked.has(found)) continue;
        checked.add(found);
        checkHealthCheck(found, service);
      }
    }

    function checkHealthCheck(bc: SnapshotObject, service: ServiceInfo): void {
      const hc = asRecord(get(bc.object, 'spec', 'healthCheck'));
      if (!hc) return;
      const label = `BackendConfig ${service.namespace}/${bc.object.metadata.name ?? ''}`;
      const timeout = hc.timeoutSec;
      const interval = hc.checkIntervalSec;
      if (typeof timeout === 'number' && typeof interval === 'number' && timeout > interval) {
        ctx.report({
          object: bc,
          path: ['spec', 'healthCheck', 'timeoutSec'],
          severity: 'warning',
          message: `${label} sets healthCheck.timeoutSec ${timeout} above checkIntervalSec ${interval}; Compute Engine rejects a health check whose timeout exceeds its interval.`,
          related: [service.obj],
        });
      }
      const port = hc.port;
      if (typeof port === 'number') {
        const users = ctx.model.services.filter((s) => {
          const a = backendConfigAnnotationOf(s.obj.object);
          if (!a?.result.ok || s.namespace !== service.namespace) return false;
          const v = a.result.value;
          const bcName = bc.object.metadata.name;
          return v.default === bcName || Object.values(v.ports ?? {}).includes(bcName ?? '');
        });
        const workloads = users.flatMap((s) => ctx.model.workloadsSelectedBy(s));
        const declared = workloads.flatMap((w) =>
          containersOf(w).flatMap((c) => asArray(c.container.ports).filter(isRecord).map((p) => p.containerPort)),
        );
        const numbers = declared.filter((n): n is number => typeof n === 'number');
        if (numbers.length > 0 && !numbers.includes(port)) {
          ctx.report({
            object: bc,
            path: ['spec', 'healthCheck', 'port'],
            severity: 'warning',
            message: `${label} health-checks port ${port}, but the pods behind ${users.map((s) => s.name).join(', ')} declare only container ports ${[...new Set(numbers)].join(', ')}; the health check will fail unless something listens on ${port}.`,
            related: [service.obj],
          });
        }
      }
    }
  },
});
