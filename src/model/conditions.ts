/** Status conditions of any object (pods, Gateways, routes), read leniently from live dumps. */
import { asArray, asString, get, isRecord } from '../util/values.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { parseTime } from '../util/time.js';

export interface Condition {
  index: number;
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
}

export function conditions(obj: SnapshotObject): Condition[] {
  const out: Condition[] = [];
  asArray(get(obj.object.status, 'conditions')).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const type = asString(raw.type);
    if (!type) return;
    const reason = asString(raw.reason);
    const message = asString(raw.message);
    const lastTransitionTime = parseTime(raw.lastTransitionTime);
    out.push({
      index,
      type,
      status: asString(raw.status) ?? '',
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
      ...(lastTransitionTime !== undefined ? { lastTransitionTime } : {}),
    });
  });
  return out;
}

export function condition(obj: SnapshotObject, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}
