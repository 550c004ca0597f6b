/**
 * The live Kubernetes collector: paginated, read-only lists of everything the
 * rules look at, run concurrently with a bound, retried on 429/5xx/resets,
 * each failure recorded instead of aborting the scan.
 *
 * Imported lazily by `scan`/`snapshot` only (client-node costs ~0.45 s to load).
 */
import pLimit from 'p-limit';
import { ApiException, AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, NetworkingV1Api, VersionApi, type ConfigurationOptions } from '@kubernetes/client-node';
import { DATA } from '../../snapshot/data-keys.js';
import type { ClusterInfo, CollectionError, DataAvailability, KubeObject } from '../../snapshot/types.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import type { CollectionProgress } from '../progress.js';
import { apiExceptionOf, classify, CredentialsError, describeFailure, errorText, parseBody, statusOf, withAnswer } from './call-errors.js';
import { keepRelevantEvents } from './events.js';
import { RawHttpLibrary, ScanAbortedError, type CallState } from './http.js';
import { IN_CLUSTER, loadKubeconfig, parseGkeContext, type KubeconfigChoice } from './kubeconfig.js';
import { LISTS, normalize, type Apis, type ListSpec } from './lists.js';

export { redactObject, LAST_APPLIED_ANNOTATION, NEVER_COLLECTED_KINDS } from './redact.js';
export { listKubeContexts, parseGkeContext, type KubeConnection } from './kubeconfig.js';
export { KUBE_LIST_PLAN } from './lists.js';

export interface KubeCollectOptions extends KubeconfigChoice {
  /** Namespace to scan; default: the context's namespace, else "default". */
  namespace?: string;
  allNamespaces?: boolean;
  /** Budget for the whole collection, in ms. */
  timeoutMs: number;
  /** Budget for one HTTP request (headers and body), in ms. Default 20 s, never more than timeoutMs. */
  requestTimeoutMs?: number;
  /** `limit` of each list page. Default 500 (kubectl's chunk size). */
  pageSize?: number;
  /** Lists running at once. Default 6. */
  concurrency?: number;
  retry?: RetryPolicy;
  /**
   * Called once, while the lists go on, when the server has answered /version
   * and the kube-system read has settled (with its UID, or without it when
   * that read failed): all a Google Cloud collection needs to start. Not
   * called when /version got no good answer, so nothing starts before the
   * server has shown it is there.
   */
  onIdentity?: (identity: KubeIdentity) => void;
}

/** What the cluster is, as known before its lists are read. */
export interface KubeIdentity {
  /** context, server, project/location/name from the context name, serverVersion, kubeSystemUid when read. */
  cluster: ClusterInfo;
  /** As KubeCollectResult.inCluster. */
  inCluster: boolean;
}

export interface KubeCollectResult {
  objects: KubeObject[];
  cluster: ClusterInfo;
  data: Record<string, DataAvailability>;
  errors: CollectionError[];
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Set when nothing could be collected (no kubeconfig, unreachable server, rejected credentials): the CLI exits 3. */
  unreachable?: { message: string };
  /** The pod's own service account was used (no kubeconfig, KUBERNETES_SERVICE_HOST set): negdoctor runs in the cluster. */
  inCluster?: boolean;
}

/** Pseudo data keys for the two cluster facts; not in DATA because no rule declares them, but errors must name what they affect. */
export const CLUSTER_UID_KEY = 'k8s:cluster-uid';
export const SERVER_VERSION_KEY = 'k8s:server-version';

/** `data` of the error recorded when nothing could be collected: it affects every key below. */
export const ALL_KUBE_DATA = 'k8s:*';

/** Every data key this collector decides. */
export const KUBE_DATA_KEYS: string[] = [
  DATA.workloads,
  DATA.workloadStatus,
  DATA.hpas,
  DATA.services,
  DATA.ingresses,
  DATA.ingressStatus,
  DATA.ingressClasses,
  DATA.endpointSlices,
  DATA.pods,
  DATA.nodes,
  DATA.networkPolicies,
  DATA.events,
  DATA.backendConfigs,
  DATA.frontendConfigs,
  DATA.serviceNegs,
  DATA.gateways,
  DATA.gatewayPolicies,
  DATA.gatewayStatus,
];

/** Outcome of one list. */
type ListOutcome =
  | { state: 'ok'; items: KubeObject[] }
  | { state: 'not-installed'; reason: string; unknown: boolean }
  | { state: 'error'; error: CollectionError; noAnswer: boolean };

export async function collectKube(options: KubeCollectOptions, progress?: CollectionProgress): Promise<KubeCollectResult> {
  const counter = { requests: 0 };
  const loaded = loadKubeconfig(options);
  if ('failure' in loaded) return unreachableResult(loaded.failure, {}, counter.requests);
  const { kc, source } = loaded;
  const contextName = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server;
  const cluster: ClusterInfo = { context: contextName, ...(server ? { server } : {}), ...parseGkeContext(contextName) };
  const contextNamespace = kc.getContextObject(contextName)?.namespace;
  const namespace = options.allNamespaces ? undefined : options.namespace || contextNamespace || 'default';

  const apis: Apis = {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    version: kc.makeApiClient(VersionApi),
  };

  const scan = new AbortController();
  const scanTimer = setTimeout(
    () => scan.abort(new ScanAbortedError(`the scan ran out of time (--timeout ${Math.round(options.timeoutMs / 1000)} s)`)),
    options.timeoutMs,
  );
  const requestTimeoutMs = Math.min(options.requestTimeoutMs ?? 20_000, options.timeoutMs);
  const policy = options.retry ?? DEFAULT_RETRY;
  const pageSize = options.pageSize ?? 500;

  /** One HTTP call with retries; returns the parsed JSON body. */
  const call = async (resource: string, invoke: (options: ConfigurationOptions) => Promise<unknown>): Promise<unknown> =>
    withRetry(
      async () => {
        const state: CallState = { timeoutMs: requestTimeoutMs, signal: scan.signal, counter };
        try {
          await invoke({ httpApi: new RawHttpLibrary(state) });
        } catch (error) {
          if (!state.sent && !(error instanceof ApiException)) {
            // Nothing was sent: the kubeconfig's credentials could not be prepared.
            throw new CredentialsError(`could not prepare credentials from the kubeconfig (exec plugin, token or certificate files): ${errorText(error)}`);
          }
          // A 2xx answer whose typed decoding failed is still a good answer: the raw body is what we keep.
          if (!(state.answer && state.answer.status >= 200 && state.answer.status < 300)) throw withAnswer(error, state.answer);
        }
        return parseBody(state.answer!);
      },
      classify,
      policy,
      { signal: scan.signal, onRetry: (attempt, delayMs, error) => progress?.onRetry?.(resource, attempt, delayMs, error) },
    );

  const where = options.connection
    ? `the Kubernetes API server ${server ?? '(no server)'} (cluster ${contextName}, from ${source})`
    : `the Kubernetes API server ${server ?? '(no server)'} (context "${contextName}", kubeconfig ${source})`;
  try {
    // /version first: it is cheap and tells an unreachable server or rejected credentials apart
    // before a dozen lists each spend their retries on the same failure.
    const errors: CollectionError[] = [];
    progress?.onStart?.('version');
    let answered = false;
    try {
      const version = (await call('version', (o) => apis.version.getCode({}, o))) as { gitVersion?: string };
      if (version.gitVersion) cluster.serverVersion = version.gitVersion;
      progress?.onDone?.('version', 1);
      answered = true;
    } catch (error) {
      const failure = describeFailure(error);
      progress?.onError?.('version', failure.message);
      // Nothing heard from the server (network error, timeout, rejected credentials): no list will fare better.
      if (failure.noAnswer || error instanceof ScanAbortedError) {
        const hint =
          failure.status !== 401
            ? ''
            : options.connection
              ? ' — the Google Cloud access token was rejected (expired, or not a token for this project\'s clusters)'
              : ' — the credentials were rejected; for GKE run "gcloud container clusters get-credentials"';
        return unreachableResult(`cannot collect from ${where}: ${failure.message}${hint}`, cluster, counter.requests);
      }
      errors.push({ source: 'kube', data: SERVER_VERSION_KEY, message: `reading the server version: ${failure.message}`, ...statusOf(failure) });
    }

    const limit = pLimit(Math.max(1, options.concurrency ?? 6));
    const uidTask = limit(async () => {
      progress?.onStart?.('namespaces/kube-system');
      try {
        const ns = (await call('namespaces/kube-system', (o) => apis.core.readNamespace({ name: 'kube-system' }, o))) as KubeObject;
        if (ns.metadata?.uid) cluster.kubeSystemUid = ns.metadata.uid;
        progress?.onDone?.('namespaces/kube-system', 1);
        return undefined;
      } catch (error) {
        const failure = describeFailure(error);
        const message = `reading the kube-system Namespace (its UID names this cluster's NEGs): ${failure.message}${failure.status === 403 ? ' (needs get on namespaces)' : ''}`;
        progress?.onError?.('namespaces/kube-system', message);
        return { failure, error: { source: 'kube', data: CLUSTER_UID_KEY, message, ...statusOf(failure) } satisfies CollectionError };
      }
    });
    if (answered && options.onIdentity) {
      const onIdentity = options.onIdentity;
      // uidTask never rejects: a failed read is its outcome.
      void uidTask.then(() => onIdentity({ cluster: { ...cluster }, inCluster: source === IN_CLUSTER }));
    }

    const listTasks = LISTS.map((spec) =>
      limit(async (): Promise<[ListSpec, ListOutcome]> => {
        const listNamespace = spec.namespaced ? namespace : undefined;
        const scope = !spec.namespaced ? '' : namespace === undefined ? ' in all namespaces' : ` in namespace "${namespace}"`;
        progress?.onStart?.(spec.resource);
        let items: KubeObject[] = [];
        let token: string | undefined;
        let restarted = false;
        try {
          for (;;) {
            let page: { items?: unknown[]; metadata?: { continue?: string } };
            try {
              page = (await call(spec.resource, (o) =>
                spec.list(apis, listNamespace, { limit: pageSize, ...(token ? { _continue: token } : {}) }, o),
              )) as typeof page;
            } catch (error) {
              // 410 Gone: the continue token expired (a slow walk through a big list). Start over once.
              if (token && !restarted && apiExceptionOf(error)?.code === 410) {
                restarted = true;
                token = undefined;
                items = [];
                continue;
              }
              throw error;
            }
            const pageItems = Array.isArray(page.items) ? page.items : [];
            for (const item of pageItems) items.push(normalize(item, spec));
            progress?.onPage?.(spec.resource, pageItems.length);
            token = page.metadata?.continue || undefined;
            if (!token) break;
          }
          progress?.onDone?.(spec.resource, items.length);
          return [spec, { state: 'ok', items }];
        } catch (error) {
          const failure = describeFailure(error);
          if (spec.crd && failure.status === 404) {
            const reason = `the ${spec.kind} CRD (${spec.apiVersion}) is not installed in this cluster`;
            progress?.onDone?.(spec.resource, 0);
            return [spec, { state: 'not-installed', reason, unknown: spec.absentIsUnknown === true }];
          }
          const needs = failure.status === 403 ? ` (needs list on ${spec.resource})` : '';
          const message = `listing ${spec.resource}${scope}: ${failure.message}${needs}`;
          progress?.onError?.(spec.resource, message);
          return [spec, { state: 'error', noAnswer: failure.noAnswer, error: { source: 'kube', data: spec.dataKeys[0]!, message, ...statusOf(failure) } }];
        }
      }),
    );

    const [uidOutcome, ...outcomes] = await Promise.all([uidTask, ...listTasks]);
    const listOutcomes = outcomes as Array<[ListSpec, ListOutcome]>;

    if (listOutcomes.every(([, outcome]) => outcome.state === 'error' && outcome.noAnswer)) {
      const first = listOutcomes[0]![1] as Extract<ListOutcome, { state: 'error' }>;
      return unreachableResult(`cannot collect from ${where}: every list failed; first: ${first.error.message}`, cluster, counter.requests);
    }

    const data: Record<string, DataAvailability> = {};
    const objects: KubeObject[] = [];
    const keyFailures = new Map<string, string[]>();
    const keyNotInstalled = new Map<string, string[]>();
    const keyUnknown = new Map<string, string[]>();
    for (const [spec, outcome] of listOutcomes) {
      if (outcome.state === 'ok') objects.push(...outcome.items);
      for (const key of spec.dataKeys) {
        if (outcome.state === 'error') push(keyFailures, key, outcome.error.message);
        if (outcome.state === 'not-installed') push(outcome.unknown ? keyUnknown : keyNotInstalled, key, outcome.reason);
      }
      if (outcome.state === 'error') {
        errors.push(outcome.error);
        // One failed list can affect several keys (Ingress spec and status): record it against each.
        for (const key of spec.dataKeys.slice(1)) errors.push({ ...outcome.error, data: key });
      }
    }
    for (const key of KUBE_DATA_KEYS) {
      const failures = keyFailures.get(key);
      const notInstalled = keyNotInstalled.get(key);
      const unknown = keyUnknown.get(key);
      if (failures) data[key] = { state: 'error', reason: failures.join('; ') };
      else if (unknown) data[key] = { state: 'missing', reason: unknown.join('; ') };
      else if (notInstalled) data[key] = { state: 'collected', reason: notInstalled.join('; ') };
      else data[key] = { state: 'collected' };
    }
    if (uidOutcome) {
      errors.push(uidOutcome.error);
      data[CLUSTER_UID_KEY] = { state: 'error', reason: uidOutcome.error.message };
    }
    if (errors.some((e) => e.data === SERVER_VERSION_KEY)) {
      data[SERVER_VERSION_KEY] = { state: 'error', reason: errors.find((e) => e.data === SERVER_VERSION_KEY)!.message };
    }

    return { objects: keepRelevantEvents(objects), cluster, data, errors, requests: counter.requests, ...(source === IN_CLUSTER ? { inCluster: true } : {}) };
  } finally {
    clearTimeout(scanTimer);
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

function unreachableResult(message: string, cluster: ClusterInfo, requests: number): KubeCollectResult {
  const data: Record<string, DataAvailability> = {};
  for (const key of KUBE_DATA_KEYS) data[key] = { state: 'error', reason: message };
  return {
    objects: [],
    cluster,
    data,
    // One error for every key (ALL_KUBE_DATA): the same cause, said once.
    errors: [{ source: 'kube', data: ALL_KUBE_DATA, message }],
    requests,
    unreachable: { message },
  };
}
