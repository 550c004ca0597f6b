/** Services as the rules read them: their selector, their ports, and which port a backend names. */
import type { SnapshotObject } from '../snapshot/types.js';
import { asArray, asRecord, asString, isRecord, stringMap } from '../util/values.js';
import { nameOf, namespaceOf, type Path } from './workloads.js';

export interface ServicePort {
  index: number;
  port: number;
  name?: string;
  /** targetPort as written (number or name); defaults to `port`. */
  targetPort: number | string;
  protocol: string;
  appProtocol?: string;
  path: Path;
}

export interface ServiceInfo {
  obj: SnapshotObject;
  namespace: string;
  name: string;
  /** undefined when the Service has no selector (endpoints managed elsewhere). */
  selector?: Record<string, string>;
  ports: ServicePort[];
  type: string;
}

export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) return false;
  return true;
}

export function serviceInfo(obj: SnapshotObject): ServiceInfo {
  const spec = asRecord(obj.object.spec) ?? {};
  const selector = isRecord(spec.selector) ? stringMap(spec.selector) : undefined;
  const ports: ServicePort[] = [];
  asArray(spec.ports).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const port = typeof raw.port === 'number' && Number.isInteger(raw.port) ? raw.port : undefined;
    if (port === undefined) return;
    const target = raw.targetPort;
    const targetPort =
      typeof target === 'number' && Number.isInteger(target)
        ? target
        : typeof target === 'string' && target !== ''
          ? /^\d+$/.test(target)
            ? Number(target)
            : target
          : port;
    ports.push({
      index,
      port,
      ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
      targetPort,
      protocol: asString(raw.protocol) ?? 'TCP',
      ...(typeof raw.appProtocol === 'string' ? { appProtocol: raw.appProtocol } : {}),
      path: ['spec', 'ports', index],
    });
  });
  return {
    obj,
    namespace: namespaceOf(obj),
    name: nameOf(obj),
    ...(selector ? { selector } : {}),
    ports,
    type: asString(spec.type) ?? 'ClusterIP',
  };
}

/** The Service port an Ingress or route backend names: by number, or by port name. */
export function matchServicePort(service: ServiceInfo, port: number | string | undefined): ServicePort | undefined {
  if (port === undefined) return service.ports.length === 1 ? service.ports[0] : undefined;
  if (typeof port === 'number') return service.ports.find((p) => p.port === port);
  return service.ports.find((p) => p.name === port);
}
