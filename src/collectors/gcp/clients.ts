/**
 * Lazy construction of the Compute and Container REST clients, and the
 * credentials and endpoints they use.
 *
 * The clients are loaded by deep path, one class at a time, only when a scan
 * reaches Google Cloud: `import('@google-cloud/compute')` costs ~1.2 s, a
 * single client ~0.2 s. Their TypeScript types are NOT imported: compute's
 * 32 MB `protos.d.ts` costs ~6 s and ~1 GB per type-check. The few methods
 * used are described by the small structural interfaces below instead, and
 * every answer is treated as untyped JSON and mapped into our own types
 * (see map.ts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pruneProtoJSON, type ProtoNamespace } from './protos.js';

export type RawObject = Record<string, unknown>;

/** gax returns promises that can be cancelled (aborts the underlying fetch). */
export interface CancellablePromise<T> extends Promise<T> {
  cancel?(): void;
}

/** `[resources, nextRequest, rawResponse]`, as gax answers a paged call with `autoPaginate: false`. */
export type PagedAnswer = [unknown, unknown, RawObject | null | undefined];

/** Per-call options: no auto-pagination (we count and retry pages ourselves) and no gax retries (retry.ts does that). */
export interface GaxCallOptions {
  autoPaginate: false;
  retry: null;
}

interface ListRequest {
  project: string;
  maxResults?: number;
  pageToken?: string;
  filter?: string;
}

export interface FirewallsApi {
  list(request: ListRequest, options: GaxCallOptions): CancellablePromise<PagedAnswer>;
}

export interface NetworksApi {
  get(request: { project: string; network: string }, options: GaxCallOptions): CancellablePromise<[RawObject, unknown, unknown]>;
  /** GET …/global/networks/N/getEffectiveFirewalls: VPC rules, hierarchical and global network policies. */
  getEffectiveFirewalls(request: { project: string; network: string }, options: GaxCallOptions): CancellablePromise<[RawObject, unknown, unknown]>;
}

export interface RegionNetworkFirewallPoliciesApi {
  /** GET …/regions/R/firewallPolicies/getEffectiveFirewalls?network=URL: adds the regional network policies. */
  getEffectiveFirewalls(request: { project: string; region: string; network: string }, options: GaxCallOptions): CancellablePromise<[RawObject, unknown, unknown]>;
}

export interface SubnetworksApi {
  list(request: ListRequest & { region: string }, options: GaxCallOptions): CancellablePromise<PagedAnswer>;
}

export interface NetworkEndpointGroupsApi {
  initialize(): Promise<unknown>;
  /** aggregatedList is only exposed as an auto-paginating iterator; the inner call pages like list (see collect.ts). */
  innerApiCalls: { aggregatedList(request: ListRequest, options: GaxCallOptions): CancellablePromise<PagedAnswer> };
  listNetworkEndpoints(
    request: ListRequest & {
      zone: string;
      networkEndpointGroup: string;
      networkEndpointGroupsListEndpointsRequestResource: { healthStatus?: 'SHOW' | 'SKIP' };
    },
    options: GaxCallOptions,
  ): CancellablePromise<PagedAnswer>;
}

/** instances.aggregatedList, like the NEGs' (see NetworkEndpointGroupsApi). */
export interface InstancesApi {
  initialize(): Promise<unknown>;
  innerApiCalls: { aggregatedList(request: ListRequest, options: GaxCallOptions): CancellablePromise<PagedAnswer> };
}

export interface InstanceTemplatesApi {
  list(request: ListRequest, options: GaxCallOptions): CancellablePromise<PagedAnswer>;
}

export interface BackendServicesApi {
  list(request: ListRequest & { region?: string }, options: GaxCallOptions): CancellablePromise<PagedAnswer>;
  getHealth(
    request: { project: string; region?: string; backendService: string; resourceGroupReferenceResource: { group: string } },
    options: GaxCallOptions,
  ): CancellablePromise<[RawObject, unknown, unknown]>;
}

export interface ClusterManagerApi {
  getCluster(request: { name: string }, options: GaxCallOptions): CancellablePromise<[RawObject, unknown, unknown]>;
  listClusters(request: { parent: string }, options: GaxCallOptions): CancellablePromise<[RawObject, unknown, unknown]>;
}

/** Cloud Logging's entries.list (`POST /v2/entries:list`: a read). Entries come back as protobuf objects (Struct payloads, Timestamp objects). */
export interface LoggingApi {
  listLogEntries(
    request: { resourceNames: string[]; filter: string; orderBy: string; pageSize: number; pageToken?: string },
    options: GaxCallOptions,
  ): CancellablePromise<[unknown[], unknown, RawObject | null | undefined]>;
}

export interface GcpClients {
  /** Only with `scan --logs`. */
  logging?: LoggingApi;
  firewalls: FirewallsApi;
  networks: NetworksApi;
  regionNetworkFirewallPolicies: RegionNetworkFirewallPoliciesApi;
  subnetworks: SubnetworksApi;
  negs: NetworkEndpointGroupsApi;
  instances: InstancesApi;
  instanceTemplates: InstanceTemplatesApi;
  backendServices: BackendServicesApi;
  regionBackendServices: BackendServicesApi;
  clusters: ClusterManagerApi;
  close(): Promise<void>;
}

/** Where an endpoint override points: the fields gax's constructor takes. */
export interface EndpointOptions {
  apiEndpoint: string;
  port: number;
  protocol: 'http' | 'https';
}

/**
 * Turns one of gcloud's endpoint override variables
 * (`CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=http://127.0.0.1:8080/compute/v1/`)
 * into client options. The client libraries always put their own path
 * (`/compute/v1/…`, `/v1/…`) after host and port, so an override can only
 * move host, port and scheme; any other path is refused rather than ignored.
 */
export function parseEndpointOverride(value: string, variable: string, clientPath: string): EndpointOptions {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable}=${value} is not a URL (expected e.g. http://127.0.0.1:8080${clientPath})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${variable}=${value}: only http and https endpoints are supported`);
  }
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  if (path !== '/' && path !== clientPath) {
    throw new Error(`${variable}=${value}: the path must be ${clientPath} (or empty); the client library cannot use another prefix`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    // URL keeps IPv6 hosts bracketed; gax writes `${host}:${port}` itself.
    apiEndpoint: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

/** The auth client every API client shares (an OAuth2Client or whatever ADC resolves to). */
type AuthClient = object;

/**
 * Credentials as gcloud finds them for tools: an access token read from the
 * file named by CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, else Application Default
 * Credentials. Resolved once and shared by all clients.
 */
export async function loadAuthClient(env: NodeJS.ProcessEnv): Promise<{ client: AuthClient; description: string }> {
  const { OAuth2Client, GoogleAuth } = await import('google-auth-library');
  const tokenFile = env.CLOUDSDK_AUTH_ACCESS_TOKEN_FILE;
  if (tokenFile) {
    let token: string;
    try {
      token = (await readFile(tokenFile, 'utf8')).trim();
    } catch (error) {
      throw new Error(`CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=${tokenFile} cannot be read: ${(error as Error).message}`);
    }
    if (!token) throw new Error(`CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=${tokenFile} is empty`);
    const client = new OAuth2Client();
    client.setCredentials({ access_token: token });
    return { client, description: `access token from ${tokenFile}` };
  }
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  try {
    return { client: await auth.getClient(), description: 'Application Default Credentials' };
  } catch (error) {
    throw new Error(
      `no Google Cloud credentials: ${(error as Error).message} (run \`gcloud auth application-default login\`, set GOOGLE_APPLICATION_CREDENTIALS, or CLOUDSDK_AUTH_ACCESS_TOKEN_FILE)`,
    );
  }
}

type ClientConstructor = new (options: RawObject, gaxInstance?: object) => unknown;

/**
 * Loads one client class from its deep path. The module is CommonJS: Node
 * exposes its named exports, but fall back to `default` should the lexer
 * miss them.
 */
async function loadClass(specifier: string, className: string): Promise<ClientConstructor> {
  // A variable specifier keeps TypeScript from loading the package's types (see the header).
  const module = (await import(specifier)) as Record<string, unknown> & { default?: Record<string, unknown> };
  const constructor = module[className] ?? module.default?.[className];
  if (typeof constructor !== 'function') throw new Error(`${specifier} does not export ${className}`);
  return constructor as ClientConstructor;
}

const COMPUTE = '@google-cloud/compute/build/src/v1/';
const CONTAINER = '@google-cloud/container/build/src/v1/';

let clientClasses: Promise<ClientConstructor[]> | undefined;

/**
 * Starts loading the client classes — about a second of CPU, most of it
 * gax reading its proto descriptors — so that a scan can overlap it with the
 * Kubernetes collection, which mostly waits on the network. Loaded once;
 * a failure surfaces when the clients are created.
 */
export function preloadGcpClients(): Promise<ClientConstructor[]> {
  if (!clientClasses) {
    clientClasses = Promise.all([
      loadClass(`${COMPUTE}firewalls_client.js`, 'FirewallsClient'),
      loadClass(`${COMPUTE}networks_client.js`, 'NetworksClient'),
      loadClass(`${COMPUTE}network_endpoint_groups_client.js`, 'NetworkEndpointGroupsClient'),
      loadClass(`${COMPUTE}backend_services_client.js`, 'BackendServicesClient'),
      loadClass(`${COMPUTE}region_backend_services_client.js`, 'RegionBackendServicesClient'),
      loadClass(`${CONTAINER}cluster_manager_client.js`, 'ClusterManagerClient'),
      loadClass(`${COMPUTE}region_network_firewall_policies_client.js`, 'RegionNetworkFirewallPoliciesClient'),
      loadClass(`${COMPUTE}subnetworks_client.js`, 'SubnetworksClient'),
      loadClass(`${COMPUTE}instances_client.js`, 'InstancesClient'),
      loadClass(`${COMPUTE}instance_templates_client.js`, 'InstanceTemplatesClient'),
    ]);
    clientClasses.catch(() => undefined);
  }
  return clientClasses;
}

/** Per client library: the proto package and the services of it the collector calls (the clients created below). */
const COMPUTE_PROTOS = {
  library: '@google-cloud/compute',
  pkg: 'google.cloud.compute.v1',
  services: ['Firewalls', 'Networks', 'NetworkEndpointGroups', 'BackendServices', 'RegionBackendServices', 'RegionNetworkFirewallPolicies', 'Subnetworks', 'Instances', 'InstanceTemplates'],
};
const CONTAINER_PROTOS = { library: '@google-cloud/container', pkg: 'google.container.v1', services: ['ClusterManager'] };

type GrpcClientClass = new (options: RawObject) => { loadProtoJSON(json: ProtoNamespace, ignoreCache?: boolean): unknown };
const prunedGaxInstances = new Map<string, { fallback: RawObject }>();

/**
 * The google-gax instance a client library's clients take as their
 * documented second constructor argument: gax's own REST ("fallback")
 * module, the one the library would load, with a GrpcClient whose
 * loadProtoJSON builds the protobufjs Root from the descriptors of the
 * services we call (protos.ts) instead of the library's whole file, once for
 * all its clients. For Compute: ~0.15 s instead of ~1.5 s of CPU, and no
 * JSON.stringify and hash of the whole file per client (gax's cache key).
 */
function prunedGax(protos: { library: string; pkg: string; services: string[] }): { fallback: RawObject } {
  const known = prunedGaxInstances.get(protos.library);
  if (known) return known;
  const requireHere = createRequire(import.meta.url);
  // The gax the library itself resolves, so that everything else it does is unchanged.
  const gax = createRequire(requireHere.resolve(protos.library))('google-gax') as { fallback: RawObject & { GrpcClient: GrpcClientClass } };
  const roots = new WeakMap<object, unknown>();
  class PrunedGrpcClient extends gax.fallback.GrpcClient {
    override loadProtoJSON(json: ProtoNamespace, ignoreCache = false): unknown {
      let root = roots.get(json);
      if (root === undefined) {
        root = super.loadProtoJSON(pruneProtoJSON(json, protos.pkg, protos.services) ?? json, ignoreCache);
        roots.set(json, root);
      }
      return root;
    }
  }
  const instance = { fallback: { ...gax.fallback, GrpcClient: PrunedGrpcClient } };
  prunedGaxInstances.set(protos.library, instance);
  return instance;
}

export async function createGcpClients(env: NodeJS.ProcessEnv, authClient: AuthClient, withLogging = false): Promise<GcpClients> {
  const computeOverride = env.CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE;
  const containerOverride = env.CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER;
  const computeEndpoint = computeOverride
    ? parseEndpointOverride(computeOverride, 'CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE', '/compute/v1/')
    : {};
  const containerEndpoint = containerOverride
    ? parseEndpointOverride(containerOverride, 'CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER', '/')
    : {};
  // fallback: REST over HTTP/1.1 for both; container would otherwise load gRPC (slow, and no fake speaks it).
  const compute = { ...computeEndpoint, authClient, fallback: true };
  const container = { ...containerEndpoint, authClient, fallback: true };
  const [Firewalls, Networks, Negs, BackendServices, RegionBackendServices, ClusterManager, RegionNetworkFirewallPolicies, Subnetworks, Instances, InstanceTemplates] =
    await preloadGcpClients();
  const gax = prunedGax(COMPUTE_PROTOS);
  const instances = {
    firewalls: new Firewalls(compute, gax) as FirewallsApi,
    networks: new Networks(compute, gax) as NetworksApi,
    negs: new Negs(compute, gax) as NetworkEndpointGroupsApi,
    backendServices: new BackendServices(compute, gax) as BackendServicesApi,
    regionBackendServices: new RegionBackendServices(compute, gax) as BackendServicesApi,
    clusters: new ClusterManager(container, prunedGax(CONTAINER_PROTOS)) as ClusterManagerApi,
    regionNetworkFirewallPolicies: new RegionNetworkFirewallPolicies!(compute, gax) as RegionNetworkFirewallPoliciesApi,
    subnetworks: new Subnetworks!(compute, gax) as SubnetworksApi,
    instances: new Instances!(compute, gax) as InstancesApi,
    instanceTemplates: new InstanceTemplates!(compute, gax) as InstanceTemplatesApi,
  };
  let logging: LoggingApi | undefined;
  if (withLogging) {
    const override = env.CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING;
    const endpoint = override ? parseEndpointOverride(override, 'CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING', '/') : {};
    // A variable specifier: the package's types are not loaded (see the header). Its v2 client speaks REST with fallback.
    const specifier = '@google-cloud/logging';
    const module = (await import(specifier)) as { v2?: Record<string, unknown>; default?: { v2?: Record<string, unknown> } };
    const Client = (module.v2 ?? module.default?.v2)?.LoggingServiceV2Client as ClientConstructor | undefined;
    if (typeof Client !== 'function') throw new Error('@google-cloud/logging does not export v2.LoggingServiceV2Client');
    logging = new Client({ ...endpoint, authClient, fallback: true }) as LoggingApi;
  }
  return {
    ...instances,
    ...(logging ? { logging } : {}),
    async close() {
      await Promise.allSettled(
        [...Object.values(instances), ...(logging ? [logging] : [])].map((client) => (client as { close?: () => Promise<void> }).close?.()),
      );
    },
  };
}
