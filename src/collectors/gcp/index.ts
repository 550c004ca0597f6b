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
import pLimit from 'p-limit';
import { DATA, GCP_DATA } from '../../snapshot/data-keys.js';
import type {
  CloudState,
  CollectionError,
  DataAvailability,
  GcpBackendHealth,
  GcpBackendService,
  GcpFirewall,
  GcpFirewallPolicy,
  GcpNeg,
  GkeCluster,
} from '../../snapshot/types.js';
import type { CollectionProgress } from '../progress.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import {
  createGcpClients,
  loadAuthClient,
  type CancellablePromise,
  type GaxCallOptions,
  type GcpClients,
  type PagedAnswer,
  type RawObject,
} from './clients.js';
import { classifyGcpError, CollectionTimeoutError, describeGcpError, httpStatusOf, RequestTimeoutError } from './errors.js';
import {
  mapBackendHealth,
  mapBackendService,
  mapCluster,
  mapFirewall,
  mapFirewallPolicy,
  mapNeg,
  mapNetwork,
  mapNetworkEndpoint,
  mapSubnetwork,
} from './map.js';

export interface GcpCollectOptions {
  project: string;
  /** Region or zone of the cluster. */
  location: string;
  cluster: string;
  /** Budget for the whole collection, in ms. */
  timeoutMs: number;
  /** Budget for one HTTP request (each retry gets its own), in ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** UID of the kube-system Namespace (from the kube collector): GKE's cluster UID in NEG names and descriptions. */
  clusterUid?: string;
  /** maxResults of list calls. Default 500 (the API's maximum). */
  pageSize?: number;
  /** Environment to read credentials and endpoint overrides from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Stops the collection: calls in flight are cancelled, no new one is sent,
   * and the result (every unfinished read in error) is for discarding — used
   * when the cluster turns out unreachable after Google Cloud was started.
   */
  signal?: AbortSignal;
}

export interface GcpCollectResult {
  cloud: CloudState;
  data: Record<string, DataAvailability>;
  errors: CollectionError[];
  /** HTTP requests sent, retries included. */
  requests: number;
}

export interface GcpPermission {
  permission: string;
  /** The API call that needs it. */
  call: string;
  why: string;
}

interface Operation {
  what: string;
  permission: string;
}

const OPS = {
  getCluster: { what: 'reading the GKE cluster', permission: 'container.clusters.get' },
  listClusters: { what: "listing the project's GKE clusters", permission: 'container.clusters.list' },
  getNetwork: { what: "reading the cluster's VPC network", permission: 'compute.networks.get' },
  listFirewalls: { what: 'listing firewall rules', permission: 'compute.firewalls.list' },
  getEffectiveFirewalls: { what: "reading the firewall policies that apply to the cluster's network", permission: 'compute.networks.getEffectiveFirewalls' },
  getRegionEffectiveFirewalls: { what: "reading the regional network firewall policies of the cluster's region", permission: 'compute.networks.getRegionEffectiveFirewalls' },
  listSubnetworks: { what: "listing the subnetworks of the cluster's region", permission: 'compute.subnetworks.list' },
  listNegs: { what: 'listing network endpoint groups', permission: 'compute.networkEndpointGroups.list' },
  listNegEndpoints: { what: 'listing the endpoints of a NEG', permission: 'compute.networkEndpointGroups.get' },
  listBackendServices: { what: 'listing global backend services', permission: 'compute.backendServices.list' },
  listRegionBackendServices: { what: 'listing regional backend services', permission: 'compute.regionBackendServices.list' },
  getHealth: { what: 'reading backend health', permission: 'compute.backendServices.get' },
  getRegionHealth: { what: 'reading regional backend health', permission: 'compute.regionBackendServices.get' },
} satisfies Record<string, Operation>;

/**
 * The IAM permissions the collector needs, for the README. The container.*
 * ones are in roles/container.clusterViewer, the compute.* ones in
 * roles/compute.networkViewer (docs/gcp.md says which of those could not be
 * confirmed). listNetworkEndpoints has no permission of its own: it is
 * checked as compute.networkEndpointGroups.get.
 */
export const GCP_IAM_PERMISSIONS: readonly GcpPermission[] = [
  { permission: OPS.getCluster.permission, call: 'container projects.locations.clusters.get', why: 'network, VPC-native mode, HTTP load balancing add-on, node pool tags and service accounts' },
  { permission: OPS.listClusters.permission, call: 'container projects.locations.clusters.list', why: "the project's other clusters, to tell an orphaned NEG from a sibling cluster's" },
  { permission: OPS.getNetwork.permission, call: 'compute networks.get', why: 'legacy network detection' },
  { permission: OPS.listFirewalls.permission, call: 'compute firewalls.list', why: 'health-check firewall rules' },
  { permission: OPS.getEffectiveFirewalls.permission, call: 'compute networks.getEffectiveFirewalls', why: 'hierarchical and global network firewall policies that apply to the network' },
  { permission: OPS.getRegionEffectiveFirewalls.permission, call: 'compute regionNetworkFirewallPolicies.getEffectiveFirewalls', why: "regional network firewall policies of the cluster's region" },
  { permission: OPS.listSubnetworks.permission, call: 'compute subnetworks.list', why: 'proxy-only subnets (internal Ingress, regional Gateways)' },
  { permission: OPS.listNegs.permission, call: 'compute networkEndpointGroups.aggregatedList', why: 'NEGs of the cluster, orphaned NEGs' },
  { permission: OPS.listNegEndpoints.permission, call: 'compute networkEndpointGroups.listNetworkEndpoints', why: 'NEG endpoints compared with EndpointSlices' },
  { permission: OPS.listBackendServices.permission, call: 'compute backendServices.list', why: 'backend services (external Ingress) and their NEG backends' },
  { permission: OPS.listRegionBackendServices.permission, call: 'compute regionBackendServices.list', why: 'regional backend services (internal Ingress)' },
  { permission: OPS.getHealth.permission, call: 'compute backendServices.getHealth', why: 'health of NEG endpoints' },
  { permission: OPS.getRegionHealth.permission, call: 'compute regionBackendServices.getHealth', why: 'health of NEG endpoints behind internal Ingress' },
];

const CALL: GaxCallOptions = { autoPaginate: false, retry: null };
/** The keys this collector fills: every Google Cloud key. */
export const COLLECTED_GCP_DATA = GCP_DATA;

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
      clients = await createGcpClients(env, auth.client);
      if (controller.signal.aborted) throw controller.signal.reason;
    } catch (error) {
      // Without credentials or clients nothing can be read: one error, every key marked.
      const message = error instanceof Error ? error.message : String(error);
      session.errors.push({ source: 'gcp', data: DATA.gcpCluster, message });
      progress.onError?.('gcp', message);
      for (const key of COLLECTED_GCP_DATA) session.data[key] = { state: 'error', reason: message };
      return session.result(cloud);
    }
    await new Gather(session, clients, options, cloud).run();
    return session.result(cloud);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', stop);
    await clients?.close();
  }
}

/** Bookkeeping shared by all calls: limits, retries, timeouts, counts, errors. */
class Session {
  requests = 0;
  readonly errors: CollectionError[] = [];
  readonly data: Record<string, DataAvailability> = {};
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly requestTimeoutMs: number;
  private readonly policy: RetryPolicy;
  readonly pageSize: number;

  constructor(
    options: GcpCollectOptions,
    readonly progress: CollectionProgress,
    readonly signal: AbortSignal,
  ) {
    this.limit = pLimit(Math.max(1, options.concurrency ?? 8));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.policy = options.retry ?? DEFAULT_RETRY;
    this.pageSize = Math.min(500, Math.max(1, options.pageSize ?? 500));
  }

  /** One API call with concurrency bound, per-request timeout and retries. */
  call<T>(resource: string, invoke: () => CancellablePromise<T>): Promise<T> {
    return withRetry(
      () =>
        this.limit(() => {
          if (this.signal.aborted) throw this.signal.reason;
          this.requests++;
          return withTimeout(invoke(), this.requestTimeoutMs, this.signal);
        }),
      classifyGcpError,
      this.policy,
      { signal: this.signal, onRetry: (attempt, delayMs, error) => this.progress.onRetry?.(resource, attempt, delayMs, error) },
    );
  }

  /** Every page of a list call; `items` picks a page's resources out of the raw answer. */
  async listAll(
    resource: string,
    page: (pageToken: string | undefined) => CancellablePromise<PagedAnswer>,
    items: (answer: RawObject) => unknown[],
    announce = true,
  ): Promise<unknown[]> {
    if (announce) this.progress.onStart?.(resource);
    const all: unknown[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const [, , answer] = await this.call(resource, () => page(token));
      const pageItems = items(answer ?? {});
      all.push(...pageItems);
      this.progress.onPage?.(resource, pageItems.length);
      const next = answer?.nextPageToken;
      token = typeof next === 'string' && next !== '' ? next : undefined;
      // A server that hands out the same token twice would loop forever.
      if (token !== undefined && seen.has(token)) throw new Error(`${resource}: the server repeated page token ${token}`);
      if (token !== undefined) seen.add(token);
    } while (token !== undefined);
    if (announce) this.progress.onDone?.(resource, all.length);
    return all;
  }

  fail(key: string, resource: string, op: Operation, target: string, error: unknown): string {
    const message = describeGcpError(error, op.what, op.permission, target);
    const status = httpStatusOf(error);
    this.errors.push({ source: 'gcp', data: key, message, ...(status !== undefined ? { status } : {}) });
    this.data[key] = { state: 'error', reason: message };
    this.progress.onError?.(resource, message);
    return message;
  }

  collected(key: string, reason?: string): void {
    if (this.data[key]?.state === 'error') return;
    this.data[key] = reason ? { state: 'collected', reason } : { state: 'collected' };
  }

  missing(key: string, reason: string): void {
    if (!this.data[key]) this.data[key] = { state: 'missing', reason };
  }

  result(cloud: CloudState): GcpCollectResult {
    return { cloud, data: this.data, errors: this.errors, requests: this.requests };
  }
}

/** The collection itself: which calls, in which order, and what goes where. */
class Gather {
  private clusterDetail: GkeCluster | undefined;
  private clusterList: GkeCluster[] | undefined;
  private readonly project: string;

  constructor(
    private readonly session: Session,
    private readonly clients: GcpClients,
    private readonly options: GcpCollectOptions,
    private readonly cloud: CloudState,
  ) {
    this.project = options.project;
  }

  async run(): Promise<void> {
    const negs = this.negs();
    const backendServices = this.backendServices();
    await Promise.all([
      this.clusterAndNetwork(),
      this.otherClusters(),
      negs.then((list) => (list ? this.negEndpoints(list) : undefined)),
      Promise.all([negs, backendServices]).then(([negList, services]) => (services ? this.backendHealth(services, negList) : undefined)),
    ]);
    this.assembleClusters();
  }

  private async clusterAndNetwork(): Promise<void> {
    const { session, clients, options } = this;
    const name = `projects/${this.project}/locations/${options.location}/clusters/${options.cluster}`;
    session.progress.onStart?.('cluster');
    try {
      const [raw] = await session.call('cluster', () => clients.clusters.getCluster({ name }, CALL));
      this.clusterDetail = mapCluster(raw, options.location);
      if (options.clusterUid) this.clusterDetail.clusterUid = options.clusterUid;
      session.collected(DATA.gcpCluster);
      session.progress.onDone?.('cluster', 1);
    } catch (error) {
      session.fail(DATA.gcpCluster, 'cluster', OPS.getCluster, name, error);
    }
    const network = this.clusterDetail ? networkOf(this.clusterDetail, this.project) : undefined;
    if (!network) {
      const why = this.clusterDetail ? 'the cluster names no network' : 'the cluster could not be read, so its network is unknown';
      for (const key of [DATA.gcpNetwork, DATA.gcpFirewallPolicies, DATA.gcpSubnetworks]) session.missing(key, why);
    }
    await Promise.all([
      network ? this.network(network) : undefined,
      this.firewalls(network),
      network ? this.firewallPolicies(network) : undefined,
      network ? this.subnetworks(network) : undefined,
    ]);
  }

  /**
   * The firewall policies that apply to the network: hierarchical and global
   * network policies from networks.getEffectiveFirewalls, the regional ones
   * of the cluster's region from regionNetworkFirewallPolicies.getEffectiveFirewalls
   * (which repeats the others; only its regional ones are taken). Without the
   * global answer the key is an error and the rules judge VPC rules alone;
   * without the regional one the policies are kept and the reason says what is missing.
   */
  private async firewallPolicies(network: { project: string; name: string }): Promise<void> {
    const { session, clients } = this;
    const region = regionOf(this.options.location);
    const networkUrl = `https://www.googleapis.com/compute/v1/projects/${network.project}/global/networks/${network.name}`;
    session.progress.onStart?.('firewall-policies');
    const [global, regional] = await Promise.all([
      session
        .call('firewall-policies', () => clients.networks.getEffectiveFirewalls({ project: network.project, network: network.name }, CALL))
        .then(([raw]) => raw)
        .catch((error: unknown) => {
          session.fail(DATA.gcpFirewallPolicies, 'firewall-policies', OPS.getEffectiveFirewalls, `projects/${network.project}/global/networks/${network.name}`, error);
          return undefined;
        }),
      session
        .call('firewall-policies', () =>
          clients.regionNetworkFirewallPolicies.getEffectiveFirewalls({ project: network.project, region, network: networkUrl }, CALL),
        )
        .then(([raw]) => ({ raw, error: undefined as string | undefined }))
        .catch((error: unknown) => {
          const message = describeGcpError(error, OPS.getRegionEffectiveFirewalls.what, OPS.getRegionEffectiveFirewalls.permission, `projects/${network.project}/global/networks/${network.name}`);
          const status = httpStatusOf(error);
          session.errors.push({ source: 'gcp', data: DATA.gcpFirewallPolicies, message, ...(status !== undefined ? { status } : {}) });
          session.progress.onError?.('firewall-policies', message);
          return { raw: undefined, error: message };
        }),
    ]);
    if (!global) return;
    const policies: GcpFirewallPolicy[] = policyList(global).map(mapFirewallPolicy);
    for (const policy of policyList(regional.raw).map(mapFirewallPolicy)) {
      if (policy.type === 'NETWORK_REGIONAL' || policy.type === 'SYSTEM_REGIONAL') policies.push({ ...policy, region });
    }
    this.cloud.firewallPolicies = policies;
    session.collected(
      DATA.gcpFirewallPolicies,
      regional.error ? `regional network firewall policies of ${region} were not read and not evaluated: ${regional.error}` : undefined,
    );
    session.progress.onDone?.('firewall-policies', policies.length);
  }

  /** The subnetworks of the network in the cluster's region: the proxy-only subnets live among them. */
  private async subnetworks(network: { project: string; name: string }): Promise<void> {
    const { session, clients } = this;
    const region = regionOf(this.options.location);
    const filter = `network eq ".*/projects/${network.project}/global/networks/${network.name}"`;
    try {
      const items = await session.listAll(
        'subnetworks',
        (pageToken) =>
          clients.subnetworks.list({ project: network.project, region, maxResults: session.pageSize, filter, ...(pageToken ? { pageToken } : {}) }, CALL),
        listItems,
      );
      this.cloud.subnetworks = items.map(mapSubnetwork);
      session.collected(DATA.gcpSubnetworks);
    } catch (error) {
      session.fail(DATA.gcpSubnetworks, 'subnetworks', OPS.listSubnetworks, `projects/${network.project}/regions/${region}`, error);
    }
  }

  private async network(network: { project: string; name: string }): Promise<void> {
    const { session, clients } = this;
    session.progress.onStart?.('network');
    try {
      const [raw] = await session.call('network', () => clients.networks.get({ project: network.project, network: network.name }, CALL));
      this.cloud.networks = [mapNetwork(raw)];
      session.collected(DATA.gcpNetwork);
      session.progress.onDone?.('network', 1);
    } catch (error) {
      session.fail(DATA.gcpNetwork, 'network', OPS.getNetwork, `projects/${network.project}/global/networks/${network.name}`, error);
    }
  }

  /** The firewall rules of the cluster's network; all of the project's when the network is unknown. */
  private async firewalls(network: { project: string; name: string } | undefined): Promise<void> {
    const { session, clients } = this;
    const project = network?.project ?? this.project;
    // RE2 over the whole URL, so it matches whatever host the API writes into selfLinks.
    const filter = network ? `network eq ".*/projects/${project}/global/networks/${network.name}"` : undefined;
    try {
      const items = await session.listAll(
        'firewalls',
        (pageToken) =>
          clients.firewalls.list({ project, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}), ...(filter ? { filter } : {}) }, CALL),
        listItems,
      );
      this.cloud.firewalls = items.map(mapFirewall) as GcpFirewall[];
      session.collected(DATA.gcpFirewalls);
    } catch (error) {
      session.fail(DATA.gcpFirewalls, 'firewalls', OPS.listFirewalls, `projects/${project}`, error);
    }
  }

  private async otherClusters(): Promise<void> {
    const { session, clients } = this;
    const parent = `projects/${this.project}/locations/-`;
    session.progress.onStart?.('clusters');
    try {
      const [raw] = await session.call('clusters', () => clients.clusters.listClusters({ parent }, CALL));
      const clusters = Array.isArray(raw.clusters) ? raw.clusters : [];
      this.clusterList = clusters.map((c) => mapCluster(c));
      session.progress.onPage?.('clusters', clusters.length);
      session.progress.onDone?.('clusters', clusters.length);
      const missingZones = Array.isArray(raw.missingZones) ? raw.missingZones.filter((z) => typeof z === 'string' && z) : [];
      if (missingZones.length) {
        // An unreachable zone may hide a live cluster: its NEGs would look orphaned.
        const message = `listing the project's GKE clusters: zones did not answer (${missingZones.join(', ')}); clusters there are not listed`;
        session.errors.push({ source: 'gcp', data: DATA.gcpClusters, message });
        session.data[DATA.gcpClusters] = { state: 'error', reason: message };
        session.progress.onError?.('clusters', message);
      } else {
        session.collected(DATA.gcpClusters);
      }
    } catch (error) {
      session.fail(DATA.gcpClusters, 'clusters', OPS.listClusters, parent, error);
    }
  }

  private assembleClusters(): void {
    const detail = this.clusterDetail;
    if (!this.clusterList) {
      if (detail) this.cloud.clusters = [detail];
      return;
    }
    const clusters = this.clusterList.map((c) => (detail && c.name === detail.name && c.location === detail.location ? detail : c));
    if (detail && !clusters.includes(detail)) clusters.push(detail);
    this.cloud.clusters = clusters;
  }

  private async negs(): Promise<GcpNeg[] | undefined> {
    const { session, clients } = this;
    try {
      await clients.negs.initialize();
      const items = await session.listAll(
        'negs',
        (pageToken) =>
          clients.negs.innerApiCalls.aggregatedList(
            { project: this.project, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}) },
            CALL,
          ),
        (answer) => aggregatedItems(answer, 'networkEndpointGroups'),
      );
      // Aggregated lists group by scope page by page: sort so a snapshot does not depend on page size.
      const negs = items.map(mapNeg).sort((a, b) => (a.zone ?? '').localeCompare(b.zone ?? '') || a.name.localeCompare(b.name));
      this.cloud.negs = negs;
      session.collected(DATA.gcpNegs);
      return negs;
    } catch (error) {
      session.fail(DATA.gcpNegs, 'negs', OPS.listNegs, `projects/${this.project}`, error);
      session.missing(DATA.gcpNegEndpoints, 'the NEG list could not be read');
      return undefined;
    }
  }

  /** Endpoints of the NEGs GKE made: this cluster's, and any that may be orphaned. */
  private async negEndpoints(negs: GcpNeg[]): Promise<void> {
    const { session, clients } = this;
    const inspected = negs.filter((neg) => shouldInspect(neg, this.options.clusterUid));
    session.progress.onStart?.('neg-endpoints');
    let failed = 0;
    let total = 0;
    await Promise.all(
      inspected.map(async (neg) => {
        const zone = lastSegment(neg.zone);
        try {
          const items = await session.listAll(
            'neg-endpoints',
            (pageToken) =>
              clients.negs.listNetworkEndpoints(
                {
                  project: this.project,
                  zone,
                  networkEndpointGroup: neg.name,
                  // Health comes from getHealth, per backend service; SKIP keeps the answer small.
                  networkEndpointGroupsListEndpointsRequestResource: { healthStatus: 'SKIP' },
                  maxResults: session.pageSize,
                  ...(pageToken ? { pageToken } : {}),
                },
                CALL,
              ),
            listItems,
            false,
          );
          neg.endpoints = items.map(mapNetworkEndpoint);
          total += items.length;
        } catch (error) {
          failed++;
          session.fail(DATA.gcpNegEndpoints, 'neg-endpoints', OPS.listNegEndpoints, `projects/${this.project}/zones/${zone}/networkEndpointGroups/${neg.name}`, error);
        }
      }),
    );
    session.progress.onDone?.('neg-endpoints', total);
    if (failed) {
      session.data[DATA.gcpNegEndpoints] = {
        state: 'error',
        reason: `endpoints of ${failed} of ${inspected.length} NEGs could not be read (see errors)`,
      };
    } else {
      session.collected(DATA.gcpNegEndpoints);
    }
  }

  /** Global backend services, and the regional ones of the cluster's region (internal Ingress). */
  private async backendServices(): Promise<GcpBackendService[] | undefined> {
    const { session, clients } = this;
    const region = regionOf(this.options.location);
    session.progress.onStart?.('backend-services');
    const lists = await Promise.all([
      session
        .listAll(
          'backend-services',
          (pageToken) =>
            clients.backendServices.list({ project: this.project, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}) }, CALL),
          listItems,
          false,
        )
        .catch((error: unknown) => {
          session.fail(DATA.gcpBackendServices, 'backend-services', OPS.listBackendServices, `projects/${this.project}`, error);
          return undefined;
        }),
      session
        .listAll(
          'backend-services',
          (pageToken) =>
            clients.regionBackendServices.list(
              { project: this.project, region, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}) },
              CALL,
            ),
          listItems,
          false,
        )
        .catch((error: unknown) => {
          session.fail(DATA.gcpBackendServices, 'backend-services', OPS.listRegionBackendServices, `projects/${this.project}/regions/${region}`, error);
          return undefined;
        }),
    ]);
    const services = lists.flatMap((list) => list ?? []).map(mapBackendService);
    session.progress.onDone?.('backend-services', services.length);
    if (lists.every((list) => list === undefined)) {
      session.missing(DATA.gcpBackendHealth, 'the backend services could not be read');
      return undefined;
    }
    this.cloud.backendServices = services;
    session.collected(DATA.gcpBackendServices);
    return services;
  }

  /**
   * getHealth once per (backend service, NEG backend) pair — the API has no
   * list form. Only NEGs worth inspecting are asked about (see shouldInspect);
   * every NEG backend when the NEG list is unknown.
   */
  private async backendHealth(services: GcpBackendService[], negs: GcpNeg[] | undefined): Promise<void> {
    const { session, clients } = this;
    const wanted = negs ? new Set(negs.filter((n) => shouldInspect(n, this.options.clusterUid)).map((n) => `${lastSegment(n.zone)}/${n.name}`)) : undefined;
    const pairs: Array<{ service: GcpBackendService; group: string }> = [];
    for (const service of services) {
      for (const backend of service.backends ?? []) {
        const key = negKeyOf(backend.group);
        if (key && (!wanted || wanted.has(key))) pairs.push({ service, group: backend.group });
      }
    }
    session.progress.onStart?.('backend-health');
    const health: GcpBackendHealth[] = [];
    let failed = 0;
    await Promise.all(
      pairs.map(async ({ service, group }) => {
        const region = service.region ? lastSegment(service.region) : undefined;
        try {
          const [raw] = await session.call('backend-health', () =>
            region
              ? clients.regionBackendServices.getHealth(
                  { project: this.project, region, backendService: service.name, resourceGroupReferenceResource: { group } },
                  CALL,
                )
              : clients.backendServices.getHealth(
                  { project: this.project, backendService: service.name, resourceGroupReferenceResource: { group } },
                  CALL,
                ),
          );
          health.push(mapBackendHealth(service.selfLink ?? service.name, group, raw));
          session.progress.onPage?.('backend-health', 1);
        } catch (error) {
          failed++;
          const target = `projects/${this.project}/${region ? `regions/${region}` : 'global'}/backendServices/${service.name}`;
          session.fail(DATA.gcpBackendHealth, 'backend-health', region ? OPS.getRegionHealth : OPS.getHealth, target, error);
        }
      }),
    );
    // Stable order whatever order the answers came in.
    health.sort((a, b) => a.backendService.localeCompare(b.backendService) || a.group.localeCompare(b.group));
    this.cloud.backendHealth = health;
    session.progress.onDone?.('backend-health', health.length);
    if (failed) {
      session.data[DATA.gcpBackendHealth] = { state: 'error', reason: `health of ${failed} of ${pairs.length} NEG backends could not be read (see errors)` };
    } else {
      session.collected(DATA.gcpBackendHealth);
    }
  }
}

/** The project and name of the cluster's network; with Shared VPC it lives in the host project. */
function networkOf(cluster: GkeCluster, project: string): { project: string; name: string } | undefined {
  const config = cluster.networkConfig as { network?: string } | undefined;
  const match = config?.network ? /projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(config.network) : null;
  if (match) return { project: match[1]!, name: match[2]! };
  return cluster.network ? { project, name: lastSegment(cluster.network) } : undefined;
}

/** The region of a zone (`us-central1-a` → `us-central1`); a region stays itself. */
export function regionOf(location: string): string {
  const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(location);
  return zone ? zone[1]! : location;
}

const NEG_DESCRIPTION_KEYS = ['cluster-uid', 'namespace', 'service-name', 'port'];

/** The cluster UID in a description the GKE NEG controller wrote, if it is one. */
function describedClusterUid(description: string | undefined): string | undefined {
  if (!description?.trim().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(description) as Record<string, unknown>;
    const uid = parsed['cluster-uid'];
    return typeof uid === 'string' && uid && Object.keys(parsed).every((k) => NEG_DESCRIPTION_KEYS.includes(k)) ? uid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a NEG's endpoints are worth a call: it is this cluster's (name
 * prefix `k8s1-<uid8>` or description cluster-uid), or GKE made it for some
 * cluster (any `k8s1-` name, or a GKE description) and it may be orphaned.
 * Only zonal NEGs have endpoints to list.
 */
export function shouldInspect(neg: GcpNeg, clusterUid: string | undefined): boolean {
  if (!neg.zone) return false;
  const describedUid = describedClusterUid(neg.description);
  if (clusterUid && (neg.name.startsWith(`k8s1-${clusterUid.slice(0, 8)}-`) || describedUid === clusterUid)) return true;
  return neg.name.startsWith('k8s1-') || describedUid !== undefined;
}

function lastSegment(value: string | undefined): string {
  return value ? value.slice(value.lastIndexOf('/') + 1) : '';
}

function negKeyOf(url: string): string | undefined {
  const match = /zones\/([^/]+)\/networkEndpointGroups\/([^/?]+)/.exec(url);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** `firewallPolicys[]` of an effective-firewalls answer. */
function policyList(answer: RawObject | undefined): unknown[] {
  return answer && Array.isArray(answer.firewallPolicys) ? answer.firewallPolicys : [];
}

function listItems(answer: RawObject): unknown[] {
  return Array.isArray(answer.items) ? answer.items : [];
}

/** The resources of an aggregated list page: `items` maps a scope ("zones/us-central1-a") to `{<listKey>: [...]}`. */
function aggregatedItems(answer: RawObject, listKey: string): unknown[] {
  const scopes = answer.items;
  if (!scopes || typeof scopes !== 'object') return [];
  return Object.values(scopes as Record<string, RawObject>).flatMap((scope) => {
    const list = scope?.[listKey];
    return Array.isArray(list) ? list : [];
  });
}

/** Settles with the call, the per-request timeout or the collection's deadline, whichever comes first; the loser is cancelled. */
function withTimeout<T>(call: CancellablePromise<T>, timeoutMs: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      cleanup();
      call.cancel?.();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      cleanup();
      call.cancel?.();
      reject(new RequestTimeoutError(timeoutMs));
    }, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
