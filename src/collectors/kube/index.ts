/**
 * The live Kubernetes collector: paginated, read-only lists of everything the
 * rules look at, run concurrently with a bound, retried on 429/5xx/resets,
 * each failure recorded instead of aborting the scan.
 *
 * Imported lazily by `scan`/`snapshot` only (client-node costs ~0.45 s to load).
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import pLimit from 'p-limit';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  VersionApi,
  type ConfigurationOptions,
} from '@kubernetes/client-node';
import { DATA } from '../../snapshot/data-keys.js';
import type { ClusterInfo, CollectionError, DataAvailability, KubeObject } from '../../snapshot/types.js';
import { DEFAULT_RETRY, isRetryableNetworkError, isRetryableStatus, parseRetryAfter, withRetry, type RetryDecision, type RetryPolicy } from '../retry.js';
import type { CollectionProgress } from '../progress.js';
import { RawHttpLibrary, RequestTimeoutError, ScanAbortedError, TruncatedResponseError, type CallState, type RawAnswer } from './http.js';
import { redactInPlace } from './redact.js';

export { redactObject, LAST_APPLIED_ANNOTATION, NEVER_COLLECTED_KINDS } from './redact.js';

export interface KubeCollectOptions {
  /** Path given with --kubeconfig; otherwise KUBECONFIG (colon-separated) or ~/.kube/config, as kubectl finds it. */
  kubeconfig?: string;
  context?: string;
  /**
   * Connect directly instead of through a kubeconfig, the way `gcloud container
   * clusters get-credentials` would configure it (fleet discovery): nothing is written to disk.
   */
  connection?: KubeConnection;
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

/** An API server reached without a kubeconfig: its URL, the CA that signed its certificate, and a bearer token. */
export interface KubeConnection {
  /** Names the cluster in messages and in the snapshot's `cluster.context`. */
  name: string;
  /** https://HOST[:PORT] */
  server: string;
  /** Base64 PEM of the cluster CA (GKE's masterAuth.clusterCaCertificate); the server's certificate is verified against it. */
  caData?: string;
  token: string;
  /** Where the connection came from, for messages (e.g. "the Container API"). */
  source: string;
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

interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  networking: NetworkingV1Api;
  discovery: DiscoveryV1Api;
  custom: CustomObjectsApi;
  version: VersionApi;
}

interface PageParams {
  limit: number;
  _continue?: string;
}

/** Calls one page of a list; the result is ignored (the raw answer is read instead). */
type ListCall = (apis: Apis, namespace: string | undefined, page: PageParams, options: ConfigurationOptions) => Promise<unknown>;

interface ListSpec {
  /** Name for progress and messages: the plural, with the group for non-core types. */
  resource: string;
  plural: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  dataKeys: string[];
  /** Custom resources: a 404 means the CRD is not installed, which is an answer, not an error. */
  crd?: { group: string; version: string };
  /**
   * A 404 on this CRD leaves its data keys unknown (rules needing them are not
   * evaluated, with the reason) instead of collected-and-empty: without the
   * Gateway API there is nothing to judge, and saying "no problem" would be a pass.
   */
  absentIsUnknown?: boolean;
  list: ListCall;
}

const builtin = (
  resource: string,
  apiVersion: string,
  kind: string,
  namespaced: boolean,
  dataKeys: string[],
  list: ListCall,
): ListSpec => ({ resource, plural: resource.split('.')[0]!, apiVersion, kind, namespaced, dataKeys, list });

const custom = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  dataKeys: string[],
  absentIsUnknown = false,
): ListSpec => ({
  ...(absentIsUnknown ? { absentIsUnknown } : {}),
  resource: `${plural}.${group}`,
  plural,
  apiVersion: `${group}/${version}`,
  kind,
  namespaced,
  dataKeys,
  crd: { group, version },
  list: (apis, namespace, page, options) =>
    namespace !== undefined && namespaced
      ? apis.custom.listNamespacedCustomObject({ group, version, namespace, plural, ...page }, options)
      : apis.custom.listClusterCustomObject({ group, version, plural, ...page }, options),
});

/** What the collector lists. Secrets and ConfigMaps are deliberately absent (SPEC §7). */
const LISTS: ListSpec[] = [
  builtin('deployments.apps', 'apps/v1', 'Deployment', true, [DATA.workloads, DATA.workloadStatus], (a, ns, p, o) =>
    ns === undefined ? a.apps.listDeploymentForAllNamespaces(p, o) : a.apps.listNamespacedDeployment({ namespace: ns, ...p }, o),
  ),
  builtin('statefulsets.apps', 'apps/v1', 'StatefulSet', true, [DATA.workloads, DATA.workloadStatus], (a, ns, p, o) =>
    ns === undefined ? a.apps.listStatefulSetForAllNamespaces(p, o) : a.apps.listNamespacedStatefulSet({ namespace: ns, ...p }, o),
  ),
  builtin('daemonsets.apps', 'apps/v1', 'DaemonSet', true, [DATA.workloads, DATA.workloadStatus], (a, ns, p, o) =>
    ns === undefined ? a.apps.listDaemonSetForAllNamespaces(p, o) : a.apps.listNamespacedDaemonSet({ namespace: ns, ...p }, o),
  ),
  builtin('horizontalpodautoscalers.autoscaling', 'autoscaling/v2', 'HorizontalPodAutoscaler', true, [DATA.hpas], (a, ns, p, o) =>
    ns === undefined
      ? a.autoscaling.listHorizontalPodAutoscalerForAllNamespaces(p, o)
      : a.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns, ...p }, o),
  ),
  builtin('services', 'v1', 'Service', true, [DATA.services], (a, ns, p, o) =>
    ns === undefined ? a.core.listServiceForAllNamespaces(p, o) : a.core.listNamespacedService({ namespace: ns, ...p }, o),
  ),
  builtin('ingresses.networking.k8s.io', 'networking.k8s.io/v1', 'Ingress', true, [DATA.ingresses, DATA.ingressStatus], (a, ns, p, o) =>
    ns === undefined ? a.networking.listIngressForAllNamespaces(p, o) : a.networking.listNamespacedIngress({ namespace: ns, ...p }, o),
  ),
  builtin('ingressclasses.networking.k8s.io', 'networking.k8s.io/v1', 'IngressClass', false, [DATA.ingressClasses], (a, _ns, p, o) =>
    a.networking.listIngressClass(p, o),
  ),
  builtin('endpointslices.discovery.k8s.io', 'discovery.k8s.io/v1', 'EndpointSlice', true, [DATA.endpointSlices], (a, ns, p, o) =>
    ns === undefined ? a.discovery.listEndpointSliceForAllNamespaces(p, o) : a.discovery.listNamespacedEndpointSlice({ namespace: ns, ...p }, o),
  ),
  builtin('pods', 'v1', 'Pod', true, [DATA.pods], (a, ns, p, o) =>
    ns === undefined ? a.core.listPodForAllNamespaces(p, o) : a.core.listNamespacedPod({ namespace: ns, ...p }, o),
  ),
  builtin('nodes', 'v1', 'Node', false, [DATA.nodes], (a, _ns, p, o) => a.core.listNode(p, o)),
  builtin('networkpolicies.networking.k8s.io', 'networking.k8s.io/v1', 'NetworkPolicy', true, [DATA.networkPolicies], (a, ns, p, o) =>
    ns === undefined ? a.networking.listNetworkPolicyForAllNamespaces(p, o) : a.networking.listNamespacedNetworkPolicy({ namespace: ns, ...p }, o),
  ),
  builtin('events', 'v1', 'Event', true, [DATA.events], (a, ns, p, o) =>
    ns === undefined ? a.core.listEventForAllNamespaces(p, o) : a.core.listNamespacedEvent({ namespace: ns, ...p }, o),
  ),
  custom('cloud.google.com', 'v1', 'backendconfigs', 'BackendConfig', true, [DATA.backendConfigs]),
  custom('networking.gke.io', 'v1beta1', 'frontendconfigs', 'FrontendConfig', true, [DATA.frontendConfigs]),
  custom('networking.gke.io', 'v1beta1', 'servicenetworkendpointgroups', 'ServiceNetworkEndpointGroup', true, [DATA.serviceNegs]),
  // GKE Gateway programs the same NEGs (SPEC §4 c); a cluster without the Gateway API simply has none.
  custom('gateway.networking.k8s.io', 'v1', 'gatewayclasses', 'GatewayClass', false, [DATA.gateways]),
  custom('gateway.networking.k8s.io', 'v1', 'gateways', 'Gateway', true, [DATA.gateways, DATA.gatewayStatus], true),
  custom('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute', true, [DATA.gateways]),
  custom('gateway.networking.k8s.io', 'v1', 'grpcroutes', 'GRPCRoute', true, [DATA.gateways]),
  // ReferenceGrant is served as v1beta1 (the standard channel never promoted it to v1).
  custom('gateway.networking.k8s.io', 'v1beta1', 'referencegrants', 'ReferenceGrant', true, [DATA.gateways]),
  // GKE's Gateway policies; GKE installs their CRDs with the Gateway API.
  custom('networking.gke.io', 'v1', 'healthcheckpolicies', 'HealthCheckPolicy', true, [DATA.gatewayPolicies], true),
  custom('networking.gke.io', 'v1', 'gcpbackendpolicies', 'GCPBackendPolicy', true, [DATA.gatewayPolicies], true),
  custom('networking.gke.io', 'v1', 'gcpgatewaypolicies', 'GCPGatewayPolicy', true, [DATA.gatewayPolicies], true),
];

/** Kinds whose events are kept: the objects the rules reason about. */
const EVENT_SUBJECT_KINDS = new Set(['Pod', 'Service', 'Ingress', 'Deployment', 'StatefulSet', 'DaemonSet', 'EndpointSlice', 'Node', 'Gateway', 'HTTPRoute', 'GRPCRoute']);

/** Outcome of one list. */
type ListOutcome =
  | { state: 'ok'; items: KubeObject[] }
  | { state: 'not-installed'; reason: string; unknown: boolean }
  | { state: 'error'; error: CollectionError; noAnswer: boolean };

/** A failure of one HTTP call, described for humans and classified for the unreachable check. */
interface CallFailure {
  message: string;
  status?: number;
  /** No usable HTTP answer (network error, timeout) or 401: what "unreachable" is made of. */
  noAnswer: boolean;
}

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

function statusOf(failure: CallFailure): { status?: number } {
  return failure.status !== undefined ? { status: failure.status } : {};
}

/** The context names of the kubeconfig kubectl would use (for `scan --all-contexts`), or why it cannot be read. */
export function listKubeContexts(kubeconfig: string | undefined): { contexts: string[]; current: string; source: string } | { failure: string } {
  const loaded = loadKubeconfig({ ...(kubeconfig ? { kubeconfig } : {}), timeoutMs: 1 }, false);
  if ('failure' in loaded) return loaded;
  return { contexts: loaded.kc.getContexts().map((c) => c.name), current: loaded.kc.getCurrentContext(), source: loaded.source };
}

const IN_CLUSTER = 'in-cluster service account';

/** Loads the kubeconfig the way kubectl finds it, and selects the context; or builds one from a direct connection. */
function loadKubeconfig(options: KubeCollectOptions, needCurrent = true): { kc: KubeConfig; source: string } | { failure: string } {
  const kc = new KubeConfig();
  if (options.connection) {
    const { name, server, caData, token, source } = options.connection;
    kc.loadFromOptions({
      clusters: [{ name, server, skipTLSVerify: false, ...(caData ? { caData } : {}) }],
      users: [{ name, token }],
      contexts: [{ name, cluster: name, user: name }],
      currentContext: name,
    });
    return { kc, source };
  }
  let source: string;
  try {
    if (options.kubeconfig) {
      source = options.kubeconfig;
      kc.loadFromFile(options.kubeconfig);
    } else if (process.env.KUBECONFIG) {
      source = `$KUBECONFIG (${process.env.KUBECONFIG})`;
      kc.loadFromDefault();
    } else {
      const defaultPath = path.join(os.homedir(), '.kube', 'config');
      source = defaultPath;
      // loadFromDefault silently falls back to in-cluster config or to localhost:8080; say plainly when there is no file.
      if (!process.env.KUBERNETES_SERVICE_HOST && !fileExists(defaultPath)) {
        return { failure: `no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ${defaultPath} (for GKE: gcloud container clusters get-credentials)` };
      }
      kc.loadFromDefault();
      if (process.env.KUBERNETES_SERVICE_HOST && !fileExists(defaultPath)) source = IN_CLUSTER;
    }
  } catch (error) {
    return { failure: `cannot read kubeconfig ${options.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${errorText(error)}` };
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      return { failure: `context "${options.context}" not found in ${source}${known.length ? ` (contexts: ${known.join(', ')})` : ''}` };
    }
    kc.setCurrentContext(options.context);
  }
  if (needCurrent && (!kc.getCurrentContext() || !kc.getCurrentCluster())) {
    return { failure: `kubeconfig ${source} has no current context with a cluster; pass --context` };
  }
  return { kc, source };
}

function fileExists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** project/location/name from GKE's context naming, gke_PROJECT_LOCATION_CLUSTER. */
export function parseGkeContext(context: string | undefined): Pick<ClusterInfo, 'project' | 'location' | 'name'> {
  const match = context ? /^gke_([^_]+)_([^_]+)_(.+)$/.exec(context) : null;
  return match ? { project: match[1]!, location: match[2]!, name: match[3]! } : {};
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

/** Gives list items their apiVersion/kind (typed lists omit them) and redacts them. */
/** `item` comes straight from parseBody and is not shared, so it is redacted in place rather than copied. */
function normalize(item: unknown, spec: ListSpec): KubeObject {
  const object = { ...(item as Record<string, unknown>) } as KubeObject;
  object.apiVersion = spec.apiVersion;
  object.kind = spec.kind;
  if (!object.metadata || typeof object.metadata !== 'object') object.metadata = {};
  return redactInPlace(object);
}

/** Keeps only the events about collected objects the rules reason about; other events are noise (and can be many). */
function keepRelevantEvents(objects: KubeObject[]): KubeObject[] {
  const uids = new Set<string>();
  const names = new Set<string>();
  for (const o of objects) {
    if (!EVENT_SUBJECT_KINDS.has(o.kind)) continue;
    if (o.metadata.uid) uids.add(o.metadata.uid);
    names.add(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
  }
  return objects.filter((o) => {
    if (o.kind !== 'Event' || o.apiVersion !== 'v1') return true;
    const involved = o.involvedObject as { kind?: string; namespace?: string; name?: string; uid?: string } | undefined;
    if (!involved?.kind || !EVENT_SUBJECT_KINDS.has(involved.kind)) return false;
    if (involved.uid && uids.has(involved.uid)) return true;
    return names.has(`${involved.kind}/${involved.namespace ?? ''}/${involved.name ?? ''}`);
  });
}

/** The request never left: credentials (exec plugin, token file, client certificate) failed. Not retried. */
class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** An ApiException plus the raw answer it came from (its `.body` is undefined on 401). */
class CallError extends Error {
  constructor(
    readonly cause: unknown,
    readonly answer: RawAnswer | undefined,
  ) {
    super(errorText(cause));
  }
}

function withAnswer(error: unknown, answer: RawAnswer | undefined): unknown {
  return error instanceof ApiException ? new CallError(error, answer) : error;
}

function parseBody(answer: RawAnswer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    // Not JSON despite a 2xx: treat like a damaged answer (retryable, see isRetryableNetworkError's 'invalid-json').
    throw Object.assign(new Error(`the answer is not JSON (${answer.text.length} bytes, starts ${JSON.stringify(answer.text.slice(0, 40))})`), {
      type: 'invalid-json',
    });
  }
}

function classify(error: unknown): RetryDecision {
  if (error instanceof ScanAbortedError || error instanceof CredentialsError) return { retry: false };
  const apiError = apiExceptionOf(error);
  if (apiError) {
    const headers = (apiError.headers ?? {}) as Record<string, string>;
    const retryAfter = parseRetryAfter(headers['retry-after'] ?? headers['Retry-After']);
    return { retry: isRetryableStatus(apiError.code), ...(retryAfter !== undefined ? { afterMs: retryAfter } : {}) };
  }
  if (error instanceof RequestTimeoutError || error instanceof TruncatedResponseError) return { retry: true };
  return { retry: isRetryableNetworkError(error) };
}

function apiExceptionOf(error: unknown): ApiException<unknown> | undefined {
  if (error instanceof CallError && error.cause instanceof ApiException) return error.cause;
  if (error instanceof ApiException) return error;
  return undefined;
}

/** "403 Forbidden: pods is forbidden: User …" from the Status body; "connect ECONNREFUSED …" for network errors. */
function describeFailure(error: unknown): CallFailure {
  const apiError = apiExceptionOf(error);
  if (apiError) {
    const answer = error instanceof CallError ? error.answer : undefined;
    const statusMessage = statusMessageOf(answer?.text ?? apiError.body);
    const head = `${apiError.code} ${http.STATUS_CODES[apiError.code] ?? ''}`.trim();
    return { message: statusMessage ? `${head}: ${statusMessage}` : head, status: apiError.code, noAnswer: apiError.code === 401 };
  }
  if (error instanceof ScanAbortedError) return { message: error.message, noAnswer: false };
  return { message: errorText(error), noAnswer: true };
}

function statusMessageOf(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 300) || undefined;
    }
  }
  const message = (value as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message : undefined;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** What the collector lists, for `negdoctor gather` to capture the same with kubectl. */
export const KUBE_LIST_PLAN: ReadonlyArray<{ resource: string; plural: string; kind: string; namespaced: boolean; crd: boolean }> = LISTS.map((s) => ({
  resource: s.resource,
  plural: s.plural,
  kind: s.kind,
  namespaced: s.namespaced,
  crd: s.crd !== undefined,
}));
