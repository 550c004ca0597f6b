/**
 * Live collection shared by `scan`, `snapshot` and `serve`: the Kubernetes
 * collector and, as soon as it knows the cluster (the server answered and the
 * kube-system Namespace UID is read or failed), the Google Cloud one beside
 * its lists, assembled into one Snapshot. Both collectors are imported lazily: they pull
 * in client-node and the Google client libraries.
 *
 * Nothing here aborts on a partial failure: a failed list is recorded in the
 * snapshot's `errors` and its data keys, and only the rules that need it go
 * "not evaluated". Only "nothing could be collected" (no kubeconfig, server
 * unreachable, credentials rejected) is fatal: exit 3.
 */
import { CliError, EXIT } from '../exit.js';
import type { CollectionProgress } from '../collectors/progress.js';
import type { KubeConnection } from '../collectors/kube/index.js';
import type { GcpCollectResult } from '../collectors/gcp/index.js';
import type { Locator } from '../engine.js';
import type { ManifestCollection } from '../collectors/manifests/index.js';
import { DATA, GCP_DATA } from '../snapshot/data-keys.js';
import {
  SNAPSHOT_API_VERSION,
  SNAPSHOT_KIND,
  type ClusterInfo,
  type CollectionError,
  type DataAvailability,
  type KubeObject,
  type Snapshot,
  type SnapshotObject,
} from '../snapshot/types.js';
import { TOOL } from '../version.js';

export interface LiveOptions {
  kubeconfig?: string;
  context?: string;
  /** A cluster found through the Container API (scan --fleet): connect directly, no kubeconfig. */
  connection?: KubeConnection;
  namespace?: string;
  allNamespaces?: boolean;
  project?: string;
  location?: string;
  cluster?: string;
  /** false with --no-cloud. */
  cloud: boolean;
  /** Budget for the whole collection (--timeout), in seconds. */
  timeoutSec: number;
  /** --logs: read the request and health-check logs of the last `sinceMs`. */
  logs?: { sinceMs: number; maxEntries: number };
}

export interface LiveProgress {
  kube?: CollectionProgress;
  gcp?: CollectionProgress;
}

export interface LiveCollection {
  snapshot: Snapshot;
  requests: { kube: number; gcp: number };
  /** Why Google Cloud was not read, when it was not. */
  cloudSkipped?: string;
  /** Set when nothing could be collected from the cluster: the snapshot then holds only the errors. */
  unreachable?: string;
}

export const DEFAULT_TIMEOUT_SEC = 120;

/**
 * Share of --timeout the Kubernetes part may use when Google Cloud is read
 * too. The cloud calls start once the kube-system read settles and may use
 * the budget up to its end, beside the lists; so a hung list no longer eats
 * their time, but a hung kube-system read (or, when /version gave no good
 * answer, a hung list: Google Cloud then starts after the lists) still would
 * without this share. "ran out of time before Google Cloud was read" is said
 * when less than 250 ms of the budget is left at that start.
 */
export const KUBE_BUDGET_SHARE = 0.6;

/** The suggestion printed with exit 3. */
export const DEMO_HINT = 'to see what a report looks like without a cluster, run: negdoctor scan --snapshot fixtures/demo/snapshot.json (from a negdoctor checkout)';


export async function collectLive(options: LiveOptions, progress: LiveProgress = {}): Promise<LiveCollection> {
  const collection = await collectCluster(options, progress);
  if (collection.unreachable) throw new CliError(`nothing could be collected — ${collection.unreachable}\n${DEMO_HINT}`, EXIT.unreachable);
  return collection;
}

/**
 * collectLive without the exit: an unreachable cluster gives a snapshot with
 * no objects, every data key in error and `unreachable` set, so that a scan
 * of several clusters reports it and goes on with the others.
 */
export async function collectCluster(options: LiveOptions, progress: LiveProgress = {}): Promise<LiveCollection> {
  const budgetMs = Math.max(1, Math.round(options.timeoutSec * 1000));
  const { collectKube } = await import('../collectors/kube/index.js');
  // Load the Google Cloud clients while the Kubernetes lists wait on the network.
  if (options.cloud) void import('../collectors/gcp/clients.js').then((m) => m.preloadGcpClients(), () => undefined);
  // The budget is for collecting: it starts once the client library is loaded.
  const deadline = Date.now() + budgetMs;

  // Google Cloud starts as soon as the cluster's identity is known (the server answered /version and
  // the kube-system read settled), and runs while the Kubernetes lists go on.
  const discard = new AbortController();
  let cloudRun: Promise<CloudOutcome> | undefined;
  const startCloud = (kubeCluster: ClusterInfo, inCluster: boolean) => {
    if (cloudRun) return;
    cloudRun = collectCloud(options, kubeCluster, inCluster, deadline, discard.signal, muteWhenDiscarded(progress.gcp, discard.signal));
    // Awaited after the lists; until then a failure must not count as unhandled.
    cloudRun.catch(() => undefined);
  };
  const kube = await collectKube(
    {
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context ? { context: options.context } : {}),
      ...(options.connection ? { connection: options.connection } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      allNamespaces: Boolean(options.allNamespaces),
      timeoutMs: options.cloud ? Math.max(1, Math.round(budgetMs * KUBE_BUDGET_SHARE)) : budgetMs,
      onIdentity: (identity) => startCloud(identity.cluster, identity.inCluster),
    },
    progress.kube,
  );
  const collectedAt = new Date().toISOString();

  let outcome: CloudOutcome;
  if (kube.unreachable) {
    // The server answered /version, then every list failed unanswered: whatever Google Cloud gave is dropped.
    if (cloudRun) {
      discard.abort(new Error('the cluster could not be reached'));
      await cloudRun.catch(() => undefined);
    }
    const skipped = 'the cluster could not be reached, so its Google Cloud state was not read';
    outcome = { cluster: namedCluster(options, kube.cluster), skipped };
  } else {
    // /version got an answer that was not a good one: start after the lists, as before.
    startCloud(kube.cluster, kube.inCluster === true);
    outcome = await cloudRun!;
  }

  // The identity Google Cloud was read with, plus what the lists added to it (nothing today).
  const cluster: ClusterInfo = { ...kube.cluster, ...outcome.cluster };
  const data: Record<string, DataAvailability> = { ...kube.data };
  const errors: CollectionError[] = [...kube.errors];
  const requests = { kube: kube.requests, gcp: 0 };
  let cloud: Snapshot['cloud'];
  if (outcome.skipped) {
    for (const key of GCP_DATA) data[key] = { state: 'missing', reason: outcome.skipped };
  } else if (outcome.outOfTime) {
    for (const key of GCP_DATA) data[key] = { state: 'error', reason: outcome.outOfTime };
    errors.push({ source: 'gcp', data: DATA.gcpCluster, message: outcome.outOfTime });
  } else if (outcome.gcp) {
    cloud = outcome.gcp.cloud;
    Object.assign(data, outcome.gcp.data);
    errors.push(...outcome.gcp.errors);
    requests.gcp = outcome.gcp.requests;
  }

  const snapshot: Snapshot = {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: SNAPSHOT_KIND,
    collectedAt,
    source: 'live',
    tool: { ...TOOL },
    cluster,
    objects: kube.objects.map((object, id) => ({ id, object })),
    ...(cloud ? { cloud } : {}),
    data,
    errors,
    inputs: { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] },
  };
  return {
    snapshot,
    requests,
    ...(outcome.skipped ? { cloudSkipped: outcome.skipped } : {}),
    ...(kube.unreachable ? { unreachable: kube.unreachable.message } : {}),
  };
}

/** The Google Cloud part of a collection: the cluster as named for it, and what was read or why not. */
interface CloudOutcome {
  /** The kube collector's cluster, with project/location/name from the metadata server or the flags. */
  cluster: ClusterInfo;
  skipped?: string;
  outOfTime?: string;
  gcp?: GcpCollectResult;
}

/**
 * Reads Google Cloud for a cluster whose identity is known (collectGcp
 * records its own failures). Its budget runs to the collection's deadline, so it keeps what the
 * Kubernetes lists do not use while running beside them.
 */
async function collectCloud(
  options: LiveOptions,
  kubeCluster: ClusterInfo,
  inCluster: boolean,
  deadline: number,
  signal: AbortSignal,
  progress: CollectionProgress | undefined,
): Promise<CloudOutcome> {
  // In a GKE pod without flags naming the cluster, the metadata server names it (never throws: undefined when it cannot).
  const fromMetadata =
    inCluster && options.cloud && !(options.project && options.location && options.cluster)
      ? await import('../collectors/gcp/metadata.js').then((m) => m.gkeClusterFromMetadata(process.env))
      : undefined;
  const cluster = namedCluster(options, kubeCluster, fromMetadata);
  const skipped = cloudSkipReason(options, cluster);
  if (skipped) return { cluster, skipped };
  const remaining = deadline - Date.now();
  if (remaining < 250) return { cluster, outOfTime: `the scan ran out of time (--timeout ${options.timeoutSec} s) before Google Cloud was read` };
  const { collectGcp } = await import('../collectors/gcp/index.js');
  const gcp = await collectGcp(
    {
      project: cluster.project!,
      location: cluster.location!,
      cluster: cluster.name!,
      timeoutMs: remaining,
      signal,
      ...(cluster.kubeSystemUid ? { clusterUid: cluster.kubeSystemUid } : {}),
      ...(options.logs ? { logs: options.logs } : {}),
    },
    progress,
  );
  return { cluster, gcp };
}

/** The kube collector's cluster, named by the metadata server and then the flags where they say more. */
function namedCluster(options: LiveOptions, kubeCluster: ClusterInfo, fromMetadata?: Pick<ClusterInfo, 'project' | 'location' | 'name'>): ClusterInfo {
  return {
    ...kubeCluster,
    ...(fromMetadata ?? {}),
    ...(options.project ? { project: options.project } : {}),
    ...(options.location ? { location: options.location } : {}),
    ...(options.cluster ? { name: options.cluster } : {}),
  };
}

/** A progress sink that goes quiet once its collection is discarded, so the view shows no aborted reads. */
function muteWhenDiscarded(sink: CollectionProgress | undefined, signal: AbortSignal): CollectionProgress | undefined {
  if (!sink) return undefined;
  const gate =
    <A extends unknown[]>(f: ((...args: A) => void) | undefined) =>
    (...args: A) => {
      if (!signal.aborted) f?.apply(sink, args);
    };
  return { onStart: gate(sink.onStart), onPage: gate(sink.onPage), onRetry: gate(sink.onRetry), onError: gate(sink.onError), onDone: gate(sink.onDone) };
}

/** Why Google Cloud is not read, naming the flag that would change it; undefined when it is read. */
export function cloudSkipReason(options: Pick<LiveOptions, 'cloud'>, cluster: ClusterInfo): string | undefined {
  if (!options.cloud) return 'Google Cloud was not read (--no-cloud)';
  const context = cluster.context ? `the context "${cluster.context}"` : 'the kube context';
  const notGke = `${context} is not named gke_PROJECT_LOCATION_CLUSTER`;
  if (!cluster.project) return `no Google Cloud project: ${notGke}; pass --project (with --location and --cluster)`;
  const lacking = [!cluster.location && '--location', !cluster.name && '--cluster'].filter(Boolean) as string[];
  if (lacking.length) return `the GKE cluster of project ${cluster.project} is not known: ${notGke}; pass ${lacking.join(' and ')}`;
  return undefined;
}

/** Kinds without a namespace: a manifest of these never gets the default namespace. */
const CLUSTER_SCOPED = new Set([
  'Node',
  'Namespace',
  'IngressClass',
  'GatewayClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
]);

/**
 * Annotations the controllers write on live objects: kept when a manifest
 * replaces its live object, since the manifest cannot carry them (a Service
 * file has no `neg-status`).
 */
function isControllerAnnotation(key: string): boolean {
  return key === 'cloud.google.com/neg-status' || key === 'deployment.kubernetes.io/revision' || key.startsWith('ingress.kubernetes.io/');
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/**
 * Merges manifests (`scan -f`) into a live or replayed snapshot. A manifest
 * object replaces the live object of the same group, kind, namespace and name
 * (the manifest is what is about to be applied), keeping the live `status`,
 * UID, creation time and controller-written annotations so the live-state
 * rules still see the running object; other manifest objects are added. The
 * returned locator points findings on manifest objects at their files.
 */
export function mergeManifests(
  snapshot: Snapshot,
  collection: ManifestCollection,
  defaultNamespace: string,
): { snapshot: Snapshot; locator: Locator; replaced: number; added: number } {
  const objects: SnapshotObject[] = snapshot.objects.map((o, id) => ({ ...o, id }));
  const identity = (o: KubeObject) => {
    const ns = CLUSTER_SCOPED.has(o.kind) ? '' : (o.metadata.namespace ?? defaultNamespace);
    return `${groupOf(o.apiVersion)}/${o.kind}/${ns}/${o.metadata.name ?? ''}`;
  };
  const byIdentity = new Map<string, number>();
  for (const o of objects) byIdentity.set(identity(o.object), o.id);
  /** merged snapshot id → index in the manifest collection (the SourceIndex's ids). */
  const toManifest = new Map<number, number>();
  let replaced = 0;
  let added = 0;
  collection.objects.forEach((manifest, index) => {
    const object = structuredClone(manifest.object);
    if (!CLUSTER_SCOPED.has(object.kind) && !object.metadata.namespace) object.metadata = { ...object.metadata, namespace: defaultNamespace };
    const source = { file: manifest.file, documentIndex: manifest.documentIndex, path: manifest.base, line: manifest.line, column: manifest.column };
    const existing = byIdentity.get(identity(object));
    if (existing !== undefined) {
      const live = objects[existing]!.object;
      if (object.status === undefined && live.status !== undefined) object.status = live.status;
      const liveMeta = live.metadata;
      const meta = object.metadata as Record<string, unknown>;
      for (const key of ['uid', 'creationTimestamp', 'generation']) {
        if (meta[key] === undefined && liveMeta[key] !== undefined) meta[key] = liveMeta[key];
      }
      const kept = Object.entries(liveMeta.annotations ?? {}).filter(([k]) => isControllerAnnotation(k) && !(k in (object.metadata.annotations ?? {})));
      if (kept.length) object.metadata.annotations = { ...Object.fromEntries(kept), ...(object.metadata.annotations ?? {}) };
      objects[existing] = { id: existing, object, source };
      toManifest.set(existing, index);
      replaced++;
    } else {
      const id = objects.length;
      objects.push({ id, object, source });
      byIdentity.set(identity(object), id);
      toManifest.set(id, index);
      added++;
    }
  });
  const merged: Snapshot = {
    ...snapshot,
    objects,
    inputs: {
      files: collection.files.length,
      documents: collection.documents,
      nonKubernetes: collection.foreign.length,
      skippedFiles: collection.skippedFiles,
      problems: collection.problems,
      notices: collection.notices,
    },
  };
  const locator: Locator = {
    locate: (id, path) => {
      const index = toManifest.get(id);
      return index === undefined ? undefined : collection.sources.locate(index, path);
    },
  };
  return { snapshot: merged, locator, replaced, added };
}

/** One short line per collection error, for stderr. */
export function briefErrors(errors: CollectionError[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const e of errors) {
    // One failed list can be recorded against several data keys: say it once.
    if (seen.has(e.message)) continue;
    seen.add(e.message);
    const oneLine = e.message.replace(/\s+/g, ' ');
    lines.push(`${e.source === 'gcp' ? 'Google Cloud' : 'Kubernetes'}: ${oneLine.length > 240 ? `${oneLine.slice(0, 237)}…` : oneLine}`);
  }
  return lines;
}
