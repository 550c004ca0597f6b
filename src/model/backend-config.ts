/** The BackendConfig and app protocol that apply to a Service port (cloud.google.com/backend-config, cloud.google.com/app-protocols). */
import {
  appProtocolForPort,
  appProtocolsAnnotationOf,
  backendConfigAnnotationOf,
  backendConfigNameForPort, type AppProtocol
} from '../analysis/annotations.js';
import type { Model } from './index.js';
import type { ServiceInfo, ServicePort } from './services.js';
import { get, isRecord } from '../util/values.js';
import type { SnapshotObject } from '../snapshot/types.js';

/** BackendConfig objects of a name in a namespace (GA or beta API group). */
export function backendConfigsNamed(model: Model, namespace: string, name: string): SnapshotObject[] {
  return model.find('BackendConfig', namespace, name).filter((o) => o.object.apiVersion.startsWith('cloud.google.com/'));
}

export interface BackendConfigUse {
  /** Annotation key it came from (GA or beta). */
  key: string;
  name: string;
  /** The BackendConfig, when it is in the inputs. */
  object?: SnapshotObject;
}

/** The BackendConfig that applies to a Service port, as the controller picks it. */
export function backendConfigFor(model: Model, service: ServiceInfo, port: ServicePort): BackendConfigUse | undefined {
  const annotation = backendConfigAnnotationOf(service.obj.object);
  if (!annotation || !annotation.result.ok) return undefined;
  const name = backendConfigNameForPort(annotation.result.value, { port: port.port, ...(port.name ? { name: port.name } : {}) });
  if (!name) return undefined;
  const object = backendConfigsNamed(model, service.namespace, name)[0];
  return { key: annotation.key, name, ...(object ? { object } : {}) };
}

/** The BackendConfig `spec.healthCheck` that applies to a Service port, if any. */
export function backendConfigHealthCheck(model: Model, service: ServiceInfo, port: ServicePort): unknown {
  const use = backendConfigFor(model, service, port);
  const hc = use?.object ? get(use.object.object, 'spec', 'healthCheck') : undefined;
  return isRecord(hc) ? hc : undefined;
}

/** The protocol GKE speaks to a Service port, from the app-protocols annotation (HTTP when absent or invalid). */
export function appProtocolOf(service: ServiceInfo, port: ServicePort): AppProtocol | undefined {
  const annotation = appProtocolsAnnotationOf(service.obj.object);
  if (!annotation || !annotation.result.ok) return undefined;
  return appProtocolForPort(annotation.result.value, { port: port.port, ...(port.name ? { name: port.name } : {}) });
}
