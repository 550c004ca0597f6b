/**
 * The Google Cloud collector: reads the GKE cluster, its network and firewall
 * rules, the project's NEGs (and the endpoints of the ones GKE made), the
 * backend services and their health, into the snapshot's `cloud` state.
 *
 * Read-only: GETs, plus the two POSTs that only read (`listNetworkEndpoints`,
 * `getHealth`). Lists are paginated and never followed by per-object GETs.
 * Every call has its own timeout and retries (gax's own retries are off); a
 * failing call marks only its data key and never aborts the collection.
 */
import { DATA, GCP_DATA } from '../../snapshot/data-keys.js';
import type { CloudState, CollectionError, DataAvailability } from '../../snapshot/types.js';
import type { CollectionProgress } from '../progress.js';
import { readBackendHealth, readBackendServices } from './backend-services.js';
import { createGcpClients, loadAuthClient, type GcpClients } from './clients.js';
import { assembleClusters, readCluster, readProjectClusters } from './clusters.js';
import type { GcpCollectOptions, GcpReadContext } from './context.js';
import { CollectionTimeoutError } from './errors.js';
import { readClusterNetwork } from './network.js';
import { readNegEndpoints, readNegs } from './negs.js';
import { readNodeVms } from './node-vms.js';
import { Session, untilAborted } from './session.js';
import { readLogs } from './logs.js';

export type { GcpCollectOptions } from './context.js';
export { regionOf } from './names.js';
export { shouldInspect } from './negs.js';
export { GCP_IAM_PERMISSIONS, type GcpPermission } from './operations.js';

export interface GcpCollectResult {
  cloud: CloudState;
  data: Record<string, DataAvailability>;
  errors: CollectionError[];
  /** HTTP requests sent, retries included. */
  requests: number;
}

/** The log keys: filled only with `scan --logs` (otherwise marked missing, naming it). */
export const LOG_DATA: string[] = [DATA.gcpRequestLogs, DATA.gcpProbeLogs];

/** The keys this collector fills on every scan: every Google Cloud key but the logs. */
export const COLLECTED_GCP_DATA = GCP_DATA.filter((key) => !LOG_DATA.includes(key));

export async function collectGcp(options: GcpCollectOptions, progress: CollectionProgress = {}): Promise<GcpCollectResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new CollectionTimeoutError(options.timeoutMs)), options.timeoutMs);
  const outer = options.signal;
  const stop = () => controller.abort(outer?.reason);
  if (outer?.aborted) stop();
  else outer?.addEventListener('abort', stop, { once: true });
  const env = options.env ?? process.env;
  const session = new Session(options, progress, controller.signal);
  const cloud: CloudState = { project: options.project, clusterName: options.cluster };
  let clients: GcpClients | undefined;
  try {
    try {
      const auth = await untilAborted(loadAuthClient(env), controller.signal);
      clients = await createGcpClients(env, auth.client, options.logs !== undefined);
      if (controller.signal.aborted) throw controller.signal.reason;
    } catch (error) {
      // Without credentials or clients nothing can be read: one error, every key marked.
      const message = error instanceof Error ? error.message : String(error);
      session.errors.push({ source: 'gcp', data: DATA.gcpCluster, message });
      progress.onError?.('gcp', message);
      for (const key of GCP_DATA) session.data[key] = { state: 'error', reason: message };
      return resultOf(session, cloud);
    }
    await gather({ session, clients, options, cloud });
    return resultOf(session, cloud);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', stop);
    await clients?.close();
  }
}

function resultOf(session: Session, cloud: CloudState): GcpCollectResult {
  return { cloud, data: session.data, errors: session.errors, requests: session.requests };
}

/**
 * The collection itself: which reads, in which order. The NEG list and the
 * backend services start first, as they gate the most follow-up calls
 * (endpoints, health); the cluster's network waits for the cluster.
 */
async function gather(context: GcpReadContext): Promise<void> {
  const negs = readNegs(context);
  const backendServices = readBackendServices(context);
  let cluster: Awaited<ReturnType<typeof readCluster>>;
  let projectClusters: Awaited<ReturnType<typeof readProjectClusters>>;
  await Promise.all([
    readCluster(context).then((read) => {
      cluster = read;
      return readClusterNetwork(context, read);
    }),
    readProjectClusters(context).then((read) => {
      projectClusters = read;
    }),
    negs.then((list) => (list ? readNegEndpoints(context, list) : undefined)),
    readNodeVms(context),
    Promise.all([negs, backendServices]).then(([negList, services]) => (services ? readBackendHealth(context, services, negList) : undefined)),
    Promise.all([negs, backendServices]).then(([negList, services]) => readLogs(context, services, negList)),
  ]);
  const clusters = assembleClusters(cluster, projectClusters);
  if (clusters) context.cloud.clusters = clusters;
}
