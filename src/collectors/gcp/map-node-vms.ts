/**
 * Node VMs from Compute answers (REST or `gcloud … list --format=json`; the
 * client library's objects once cleaned): instances (`compute#instance`),
 * instance templates (`compute#instanceTemplate`, the same fields under
 * `properties`) and managed instance groups (`compute#instanceGroupManager`).
 *
 * GKE labels its node VMs and their templates `goog-k8s-cluster-name` and
 * `goog-k8s-node-pool-name`, and writes `cluster-name` into their metadata;
 * a MIG carries neither, but names its template and a base instance name
 * `gke-<cluster>-<pool>-<hash>`.
 */
import type { GcpNodeVm } from '../../snapshot/types.js';
import { cleanObject } from './map.js';
import { isRecord } from '../../util/values.js';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function metadataValue(metadata: unknown, key: string): string | undefined {
  if (!isRecord(metadata) || !Array.isArray(metadata.items)) return undefined;
  for (const item of metadata.items) if (isRecord(item) && item.key === key) return str(item.value);
  return undefined;
}

function label(labels: unknown, key: string): string | undefined {
  return isRecord(labels) ? str(labels[key]) : undefined;
}

function tagsOf(tags: unknown): string[] | undefined {
  if (!isRecord(tags) || !Array.isArray(tags.items)) return undefined;
  const out = tags.items.filter((t): t is string => typeof t === 'string' && t !== '');
  return out.length ? [...new Set(out)].sort() : undefined;
}

function accountsOf(accounts: unknown): string[] | undefined {
  if (!Array.isArray(accounts)) return undefined;
  const out = accounts.map((a) => (isRecord(a) ? str(a.email) : undefined)).filter((e): e is string => e !== undefined);
  return out.length ? [...new Set(out)].sort() : undefined;
}

export type NodeVmKind = GcpNodeVm['kind'];

export function mapNodeVm(kind: NodeVmKind, raw: unknown): GcpNodeVm {
  const cleaned = cleanObject(raw);
  const base: GcpNodeVm = { kind, name: String(cleaned.name ?? '') };
  const selfLink = str(cleaned.selfLink);
  if (selfLink) base.selfLink = selfLink;
  const zone = str(cleaned.zone);
  if (zone) base.zone = zone;
  if (kind === 'instanceGroupManager') {
    const template = str(cleaned.instanceTemplate);
    const baseName = str(cleaned.baseInstanceName);
    return { ...base, ...(template ? { instanceTemplate: template } : {}), ...(baseName ? { baseInstanceName: baseName } : {}) };
  }
  const body = kind === 'instanceTemplate' && isRecord(cleaned.properties) ? cleaned.properties : cleaned;
  const tags = tagsOf(body.tags);
  const serviceAccounts = accountsOf(body.serviceAccounts);
  const cluster = label(body.labels, 'goog-k8s-cluster-name') ?? metadataValue(body.metadata, 'cluster-name');
  const pool = label(body.labels, 'goog-k8s-node-pool-name');
  const template = kind === 'instance' ? metadataValue(body.metadata, 'instance-template') : undefined;
  return {
    ...base,
    ...(tags ? { tags } : {}),
    ...(serviceAccounts ? { serviceAccounts } : {}),
    ...(cluster ? { cluster } : {}),
    ...(pool ? { pool } : {}),
    ...(template ? { instanceTemplate: template } : {}),
  };
}
