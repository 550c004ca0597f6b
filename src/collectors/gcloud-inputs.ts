/**
 * gcloud JSON dumps among the linted files: documents that are not Kubernetes
 * objects are offered to the gcloud classifier; what it recognizes becomes
 * the snapshot's Google Cloud state, the rest is counted as skipped.
 */
import type { DataAvailability, CloudState } from '../snapshot/types.js';
import { classifyGcloudDump, dataKeysOf, mergeIntoCloudState, type GcloudItem } from './gcp/dumps.js';
import type { ForeignDocument } from './manifests/index.js';

export interface GcloudInputs {
  cloud?: { state: CloudState; data: Record<string, DataAvailability> };
  /** Documents that are neither Kubernetes objects nor gcloud dumps. */
  unrecognized: number;
}

export function gcloudInputs(foreign: ForeignDocument[]): GcloudInputs {
  const items: GcloudItem[] = [];
  let unrecognized = 0;
  for (const doc of foreign) {
    const found = classifyGcloudDump(doc.value);
    if (found.length === 0) unrecognized++;
    else items.push(...found);
  }
  if (items.length === 0) return { unrecognized };
  const data: Record<string, DataAvailability> = {};
  for (const key of dataKeysOf(items)) data[key] = { state: 'collected' };
  return { cloud: { state: mergeIntoCloudState({}, items), data }, unrecognized };
}
