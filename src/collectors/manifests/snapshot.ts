/**
 * Turns a manifest collection into a Snapshot. The linted files are the whole
 * input set, so object specs count as collected; live data (pod status,
 * EndpointSlices, nodes, events) counts only when the inputs hold it, as
 * `kubectl get … -o yaml` dumps do.
 */
import { DATA, GCP_DATA, SPEC_DATA, type DataKey } from '../../snapshot/data-keys.js';
import {
  SNAPSHOT_API_VERSION,
  SNAPSHOT_KIND,
  type CloudState,
  type DataAvailability,
  type Snapshot,
  type SnapshotObject,
} from '../../snapshot/types.js';
import { isRecord } from '../../util/values.js';
import type { ManifestCollection } from './index.js';

export interface ManifestSnapshotOptions {
  tool: { name: string; version: string };
  /** Overrides the "now" rules judge ages against (--now). */
  now?: Date;
  cloud?: { state: CloudState; data: Record<string, DataAvailability> };
}

const LIVE_KINDS: Array<{ key: DataKey; kinds: string[]; what: string; needsStatus?: boolean }> = [
  { key: DATA.pods, kinds: ['Pod'], what: 'Pods with status (`kubectl get pods -o yaml`)', needsStatus: true },
  { key: DATA.endpointSlices, kinds: ['EndpointSlice'], what: 'EndpointSlices (`kubectl get endpointslices -o yaml`)' },
  { key: DATA.nodes, kinds: ['Node'], what: 'Nodes (`kubectl get nodes -o yaml`)' },
  { key: DATA.events, kinds: ['Event'], what: 'Events (`kubectl get events -o yaml`)' },
  { key: DATA.ingressStatus, kinds: ['Ingress'], what: 'Ingresses with status (`kubectl get ingress -o yaml`)', needsStatus: true },
  { key: DATA.workloadStatus, kinds: ['Deployment', 'StatefulSet', 'DaemonSet'], what: 'workloads with status (`kubectl get deployments -o yaml`)', needsStatus: true },
  { key: DATA.serviceNegs, kinds: ['ServiceNetworkEndpointGroup'], what: 'ServiceNetworkEndpointGroups' },
  { key: DATA.serviceImports, kinds: ['ServiceImport', 'ServiceExport'], what: 'ServiceImports or ServiceExports (`kubectl get serviceimports,serviceexports -A -o yaml`)' },
  { key: DATA.gatewayStatus, kinds: ['Gateway'], what: 'Gateways with status (`kubectl get gateways -o yaml`)', needsStatus: true },
];

/** The input each Google Cloud key needs, named when the gcloud dumps given lack it ("not evaluated, because …"). */
const MISSING_INPUT: Partial<Record<DataKey, string>> = {
  [DATA.gcpCluster]: "no cluster describe among the gcloud dumps: the cluster's network, region and node tags are unknown (give `gcloud container clusters describe CLUSTER --format=json`)",
  [DATA.gcpClusters]: 'no cluster list among the gcloud dumps (give `gcloud container clusters list --format=json`)',
  [DATA.gcpNetwork]: 'no network describe among the gcloud dumps (give `gcloud compute networks describe NET --format=json`)',
  [DATA.gcpFirewalls]: 'no VPC firewall rules among the gcloud dumps (give `gcloud compute networks get-effective-firewalls NET --format=json`, or `gcloud compute firewall-rules list --format=json`)',
  [DATA.gcpSubnetworks]: "no subnetworks among the gcloud dumps: the proxy-only subnets are unknown (give `gcloud compute networks subnets list --network NET --format=json`)",
  [DATA.gcpNegs]: 'no NEG list among the gcloud dumps (give `gcloud compute network-endpoint-groups list --format=json`)',
  [DATA.gcpNegEndpoints]: 'no NEG endpoint list among the gcloud dumps (give `gcloud compute network-endpoint-groups list-network-endpoints NEG --zone ZONE --format=json` as `gcp:neg-endpoints:ZONE/NEG=FILE`)',
  [DATA.gcpBackendServices]: 'no backend services among the gcloud dumps (give `gcloud compute backend-services list --format=json`)',
  [DATA.gcpBackendHealth]: 'no backend health among the gcloud dumps (give `gcloud compute backend-services get-health BACKEND_SERVICE --global --format=json`)',
};

export function manifestSnapshot(collection: ManifestCollection, options: ManifestSnapshotOptions): Snapshot {
  const objects: SnapshotObject[] = collection.objects.map((o, id) => ({
    id,
    object: o.object,
    source: { file: o.file, documentIndex: o.documentIndex, path: o.base, line: o.line, column: o.column },
  }));
  const data: Record<string, DataAvailability> = {};
  for (const key of SPEC_DATA) data[key] = { state: 'collected' };
  // A file typed explicitly (`k8s:pods=pods.json`) holds every object of its kind, even when it holds none.
  const stated = new Set(collection.explicit.map((e) => e.explicit.type.shape));
  const completeKinds = [...new Set([...[...stated].filter((s) => s.startsWith('k8s:')).map((s) => s.slice(4)), ...collection.typedLists])].sort();
  for (const live of LIVE_KINDS) {
    const present = objects.some(
      (o) => live.kinds.includes(o.object.kind) && (!live.needsStatus || isRecord(o.object.status)),
    );
    const explicit = live.kinds.some((kind) => stated.has(`k8s:${kind}`));
    data[live.key] = present || explicit
      ? { state: 'collected' }
      : { state: 'missing', reason: `the inputs hold no ${live.what}; run \`negdoctor scan\` for live state` };
  }
  for (const key of GCP_DATA) {
    data[key] = options.cloud?.data[key] ?? {
      state: 'missing',
      reason: options.cloud
        ? (MISSING_INPUT[key] ?? 'the gcloud JSON dumps among the inputs hold none of it')
        : 'offline lint has no Google Cloud state; run `negdoctor scan` or pass gcloud JSON dumps',
    };
  }
  // `kubectl get namespace kube-system -o yaml` among the inputs: its UID is the cluster UID GKE writes into NEG descriptions.
  const kubeSystemUid = objects
    .map((o) => o.object)
    .find((o) => o.kind === 'Namespace' && o.metadata?.name === 'kube-system' && typeof o.metadata.uid === 'string' && o.metadata.uid !== '')
    ?.metadata.uid as string | undefined;
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: SNAPSHOT_KIND,
    collectedAt: (options.now ?? newestTimestamp(objects) ?? new Date()).toISOString(),
    source: 'manifests',
    tool: options.tool,
    ...(kubeSystemUid ? { cluster: { kubeSystemUid } } : {}),
    objects,
    ...(options.cloud ? { cloud: options.cloud.state } : {}),
    data,
    errors: [],
    inputs: {
      files: collection.files.length,
      documents: collection.documents,
      nonKubernetes: 0,
      skippedFiles: collection.skippedFiles,
      problems: collection.problems,
      notices: collection.notices,
      ...(completeKinds.length > 0 ? { completeKinds } : {}),
    },
  };
}

const TIMESTAMP_KEYS = new Set(['creationTimestamp', 'lastTransitionTime', 'lastTimestamp', 'eventTime', 'lastUpdateTime', 'startedAt', 'startTime']);

/** An old dump is judged as of when it was taken: the newest timestamp it holds. */
function newestTimestamp(objects: SnapshotObject[]): Date | undefined {
  let newest = -Infinity;
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (isRecord(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (typeof child === 'string' && TIMESTAMP_KEYS.has(key)) {
          const t = Date.parse(child);
          if (t > newest) newest = t;
        } else if (typeof child === 'object' && child !== null) {
          visit(child, depth + 1);
        }
      }
    }
  };
  for (const o of objects) {
    // Only live state carries meaningful times; a spec's creationTimestamp: null is noise.
    if (o.object.status !== undefined || o.object.kind === 'Event') {
      visit(o.object.metadata, 0);
      visit(o.object.status, 0);
      if (o.object.kind === 'Event') visit(o.object, 0);
    }
  }
  return Number.isFinite(newest) ? new Date(newest) : undefined;
}
