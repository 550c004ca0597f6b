import { asArray, isRecord } from '../util/values.js';
import { containersOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { negRelevantServices } from '../model/ingress-backends.js';
import { portLabel, serviceLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'service-target-port-mismatch',
    title: 'Service targetPort reaches no container port of the selected pods',
    severity: 'error',
    category: 'wiring',
    symptom:
      'The NEG stays empty or its endpoints point at a port nothing listens on: "all backends unhealthy", 502s, or the NEG controller reporting endpoints it cannot resolve.',
    cause:
      'A named targetPort is resolved per pod through the containers\' ports[].name; when no container declares that name the pod gets no endpoint for the port. A numeric targetPort needs no declaration, but when the pod declares its ports and none is that number, the traffic most likely goes to a port nothing listens on.',
    evidence:
      'For each Service that matters to the load balancer (NEG-annotated, a GKE Ingress backend, or NEG-backed), every spec.ports[].targetPort is compared with the ports declared by the containers of each workload the selector matches. A numeric targetPort on pods that declare no ports is not judged.',
    remediation: 'Make targetPort the name or number of the port the serving container listens on, and declare it under that container\'s ports.',
    needs: [DATA.workloads, DATA.services, DATA.ingresses, DATA.ingressClasses],
    defaults: {},
  },
  check(ctx) {
    for (const service of negRelevantServices(ctx.model)) {
      const workloads = ctx.model.workloadsSelectedBy(service);
      for (const port of service.ports) {
        for (const workload of workloads) {
          const declared = containersOf(workload).flatMap((c) =>
            asArray(c.container.ports)
              .filter(isRecord)
              .map((p) => ({ container: c.name, name: typeof p.name === 'string' ? p.name : undefined, number: p.containerPort })),
          );
          const target = port.targetPort;
          if (typeof target === 'string') {
            if (declared.some((p) => p.name === target)) continue;
            const names = declared.filter((p) => p.name).map((p) => `"${p.name}"`);
            ctx.report({
              object: service.obj,
              path: [...port.path, 'targetPort'],
              severity: 'error',
              message: `${serviceLabel(service)} port ${portLabel(port)} targets the port name "${target}", but no container of ${workload.kind} ${workload.name} declares a port with that name (${names.length > 0 ? `declared: ${names.join(', ')}` : 'no named ports'}); its pods get no endpoint for this port.`,
              related: [workload.obj],
            });
          } else {
            const numbers = declared.map((p) => p.number).filter((n): n is number => typeof n === 'number');
            if (numbers.length === 0 || numbers.includes(target)) continue;
            ctx.report({
              object: service.obj,
              path: [...port.path, 'targetPort'],
              severity: 'warning',
              message: `${serviceLabel(service)} port ${portLabel(port)} targets container port ${target}, but ${workload.kind} ${workload.name} declares only ${[...new Set(numbers)].join(', ')}; the load balancer would send traffic to a port the pods may not listen on.`,
              related: [workload.obj],
            });
          }
        }
      }
    }
  },
});
