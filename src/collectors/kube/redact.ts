/**
 * Redaction of live objects before they enter a snapshot (SPEC §7): a
 * snapshot is meant to be handed to someone else, so it must not carry
 * credentials that commonly hide in env values or in the last-applied
 * annotation (which repeats the whole manifest, env values included).
 */
import type { KubeObject } from '../../snapshot/types.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Kinds never collected: their payload is configuration or credentials, not load-balancing state. */
export const NEVER_COLLECTED_KINDS = new Set(['Secret', 'ConfigMap']);

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * Returns a redacted copy: no managedFields, no last-applied annotation, and
 * no `env[].value` in any container list anywhere in the object (pods,
 * workload templates, custom resources that embed pod templates). Env names
 * and `valueFrom` references stay: they say where a value comes from without
 * revealing it.
 */
export function redactObject<T extends KubeObject>(object: T): T {
  return redactInPlace(structuredClone(object));
}

/**
 * redactObject without the copy, for objects the caller owns outright (a list
 * item just parsed from the answer body): the deep copy was most of the cost
 * of collecting a large cluster.
 */
export function redactInPlace<T extends KubeObject>(copy: T): T {
  const metadata = copy.metadata;
  if (metadata) {
    delete metadata.managedFields;
    if (metadata.annotations && LAST_APPLIED_ANNOTATION in metadata.annotations) {
      const { [LAST_APPLIED_ANNOTATION]: _dropped, ...kept } = metadata.annotations;
      metadata.annotations = kept;
    }
  }
  stripEnvValues(copy);
  return copy;
}

function stripEnvValues(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) if (item && typeof item === 'object') stripEnvValues(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  // One pass over the keys (no Object.values array per node): every object of every pod is visited.
  for (const key in record) {
    const value = record[key];
    if (!value || typeof value !== 'object') continue;
    if (CONTAINER_LISTS.has(key) && Array.isArray(value)) {
      for (const container of value) {
        const env = (container as { env?: unknown } | null)?.env;
        if (!Array.isArray(env)) continue;
        for (const variable of env) {
          if (variable && typeof variable === 'object') delete (variable as Record<string, unknown>).value;
        }
      }
    }
    stripEnvValues(value);
  }
}
