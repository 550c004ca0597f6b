/** What every part of one Google Cloud collection is given: the options, the calls' machinery, the clients, and the state being filled. */
import type { CloudState } from '../../snapshot/types.js';
import type { GcpClients } from './clients.js';
import type { CallLimits, Session } from './session.js';

export interface GcpCollectOptions extends CallLimits {
  project: string;
  /** Region or zone of the cluster. */
  location: string;
  cluster: string;
  /** Budget for the whole collection, in ms. */
  timeoutMs: number;
  /** UID of the kube-system Namespace (from the kube collector): GKE's cluster UID in NEG names and descriptions. */
  clusterUid?: string;
  /** Environment to read credentials and endpoint overrides from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Stops the collection: calls in flight are cancelled, no new one is sent,
   * and the result (every unfinished read in error) is for discarding — used
   * when the cluster turns out unreachable after Google Cloud was started.
   */
  signal?: AbortSignal;
  /** `scan --logs`: read the request and health-check logs of the last `sinceMs`, at most `maxEntries` of each kind. */
  logs?: { sinceMs: number; maxEntries: number };
}

export interface GcpReadContext {
  session: Session;
  clients: GcpClients;
  options: GcpCollectOptions;
  /** Each read writes its part; the orchestration decides the order. */
  cloud: CloudState;
}
