/** The NEG names GKE reports on Services (the cloud.google.com/neg-status annotation), with the Service port each serves. */
import { NEG_STATUS_ANNOTATION, parseNegStatusAnnotation } from '../analysis/annotations.js';
import type { Model } from './index.js';
import type { ServiceInfo } from './services.js';

/** The NEGs named in the neg-status annotations of the model's Services: certainly this cluster's. */
export function negStatusNames(model: Model): ReadonlyMap<string, { service: ServiceInfo; port: string }> {
  // Rules ask per NEG; the annotations of every Service are parsed once per model.
  return model.memo('neg-index:negStatusNames', () => computeNegStatusNames(model));
}

function computeNegStatusNames(model: Model): Map<string, { service: ServiceInfo; port: string }> {
  const out = new Map<string, { service: ServiceInfo; port: string }>();
  for (const service of model.services) {
    const parsed = parseNegStatusAnnotation(service.obj.object.metadata.annotations?.[NEG_STATUS_ANNOTATION]);
    if (!parsed.ok) continue;
    for (const [port, name] of Object.entries(parsed.value.network_endpoint_groups ?? {})) out.set(name, { service, port });
  }
  return out;
}
