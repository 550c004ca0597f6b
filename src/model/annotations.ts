/** Annotations as they sit on objects, and the field paths that point at them in findings. */
import { asRecord } from '../util/values.js';
import type { SnapshotObject } from '../snapshot/types.js';
import type { Path } from './rule-contract.js';

export const FRONTEND_CONFIG_ANNOTATION = 'networking.gke.io/v1beta1.FrontendConfig';

/** Raw annotations of an object (any value type: YAML may hold a mapping where a string belongs). */
export function annotationsOf(obj: SnapshotObject): Record<string, unknown> {
  return asRecord(obj.object.metadata?.annotations) ?? {};
}

export function hasAnnotation(obj: SnapshotObject, key: string): boolean {
  return Object.hasOwn(annotationsOf(obj), key);
}

export function annotationPath(key: string): Path {
  return ['metadata', 'annotations', key];
}
