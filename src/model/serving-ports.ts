/** The serving ports of NEG-backed workloads, each with the health check GKE infers for it. */
import { inferHealthCheck, type InferredHealthCheck } from '../analysis/health-check.js';
import type { Model, NegBackedWorkload, NegPort, NegService, ServingContainer } from './index.js';
import { negBackedWorkloads } from './scope.js';
import { backendConfigHealthCheck, appProtocolOf } from './backend-config.js';

export interface ServingPort {
  entry: NegBackedWorkload;
  neg: NegService;
  negPort: NegPort;
  serving: ServingContainer;
  /** BackendConfig `spec.healthCheck` for this port, when one applies. */
  backendConfigHealthCheck?: unknown;
  healthCheck: InferredHealthCheck;
}

/**
 * Every serving port of a NEG-backed workload whose NEG GKE Ingress attaches
 * to a backend service it health-checks itself (not standalone NEGs, whose
 * backend service the user manages, nor Gateway backends, whose health check
 * comes from a HealthCheckPolicy), with the inferred health check.
 */
export function ingressServingPorts(model: Model): ServingPort[] {
  return model.memo('ingressServingPorts', () =>
    servingPorts(model).filter(({ negPort }) => negPort.reasons.some((r) => r === 'annotation-ingress' || r === 'ingress-default')),
  );
}

/** Every serving port of every NEG-backed workload (any reason), with the inferred health check. */
export function servingPorts(model: Model): ServingPort[] {
  return model.memo('servingPorts', () => computeServingPorts(model));
}

function computeServingPorts(model: Model): ServingPort[] {
  const out: ServingPort[] = [];
  for (const entry of negBackedWorkloads(model)) {
    for (const { neg, ports } of entry.services) {
      for (const { negPort, serving } of ports) {
        if (!serving) continue;
        const bcHealthCheck = backendConfigHealthCheck(model, neg.service, negPort.servicePort);
        const appProtocol = appProtocolOf(neg.service, negPort.servicePort);
        const healthCheck = inferHealthCheck({
          servicePort: negPort.servicePort,
          ...(appProtocol ? { appProtocolFromAnnotation: appProtocol } : {}),
          container: serving.container.container,
          ...(serving.portNumber !== undefined ? { containerPortNumber: serving.portNumber } : {}),
          ...(bcHealthCheck !== undefined ? { backendConfigHealthCheck: bcHealthCheck } : {}),
        });
        out.push({
          entry,
          neg,
          negPort,
          serving,
          ...(bcHealthCheck !== undefined ? { backendConfigHealthCheck: bcHealthCheck } : {}),
          healthCheck,
        });
      }
    }
  }
  return out;
}

/**
 * The Ingress serving ports grouped by container, so a container serving
 * several ports is reported once; shared by the readiness-probe rules.
 */
export function ingressServingPortsByContainer(model: Model): ServingPort[][] {
  return model.memo('ingressServingPortsByContainer', () => [...byContainer(ingressServingPorts(model)).values()]);
}

function byContainer(ports: ServingPort[]): Map<string, ServingPort[]> {
  const out = new Map<string, ServingPort[]>();
  for (const port of ports) {
    const key = `${port.entry.workload.obj.id}:${port.serving.container.index}`;
    const list = out.get(key);
    if (list) list.push(port);
    else out.set(key, [port]);
  }
  return out;
}

export function servicePortsText(ports: ServingPort[]): string {
  return [...new Set(ports.map((p) => `${p.neg.service.name}:${p.negPort.servicePort.port}`))].join(', ');
}
