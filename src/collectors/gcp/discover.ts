/**
 * Fleet discovery (`scan --fleet PROJECT,…`): every GKE cluster of the given
 * projects, from the Container API's clusters.list over all locations
 * (`projects/P/locations/-`), each turned into a direct connection the way
 * `gcloud container clusters get-credentials` configures one (Google Cloud
 * SDK, api_lib/container/util.py `_GetClusterEndpoint` and kubeconfig.py):
 *
 * - server `https://` + `endpoint`; with `--internal-ip`,
 *   `privateClusterConfig.privateEndpoint` (an error when the cluster has none);
 *   when the cluster's IP endpoints are disabled
 *   (`controlPlaneEndpointsConfig.ipEndpointsConfig.enabled: false`), its DNS
 *   endpoint, which carries a publicly trusted certificate;
 * - the server certificate verified against `masterAuth.clusterCaCertificate`
 *   (gcloud would skip verification when the API gives no CA; we refuse);
 * - a bearer access token from the same credentials the Google Cloud collector
 *   uses (CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, else Application Default
 *   Credentials), which is what gke-gcloud-auth-plugin hands kubectl.
 *
 * Nothing is written to disk. A project that cannot be listed, or a cluster
 * without a usable endpoint, is returned as a failure to report, never thrown.
 */
import { DEFAULT_RETRY, withRetry } from '../retry.js';
import { createGcpClients, loadAuthClient, type RawObject } from './clients.js';
import { classifyGcpError, describeGcpError, RequestTimeoutError } from './errors.js';

export interface DiscoveredCluster {
  /** `projects/P/locations/L/clusters/C`: the cluster's name in reports. */
  id: string;
  project: string;
  location: string;
  name: string;
  /** https://HOST — what get-credentials writes as `server`. */
  server: string;
  /** Base64 PEM CA; absent for a DNS endpoint (publicly trusted certificate). */
  caData?: string;
}

export interface DiscoveryFailure {
  /** The project (`projects/P`) or cluster id the failure is about. */
  id: string;
  message: string;
}

export interface Discovery {
  clusters: DiscoveredCluster[];
  failures: DiscoveryFailure[];
  /** The access token for the clusters' API servers; undefined when no credentials could be loaded (then every project failed). */
  token?: string;
  requests: number;
}

export interface DiscoverOptions {
  projects: string[];
  /** Use each cluster's private endpoint (gcloud's --internal-ip). */
  internalIp: boolean;
  /** Per-request timeout, in ms. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const LIST = { what: "listing the project's GKE clusters", permission: 'container.clusters.list' };

export async function discoverClusters(options: DiscoverOptions): Promise<Discovery> {
  const env = options.env ?? process.env;
  const failures: DiscoveryFailure[] = [];
  let auth: Awaited<ReturnType<typeof loadAuthClient>>;
  let token: string | undefined;
  try {
    auth = await loadAuthClient(env);
    token = await accessTokenOf(auth.client);
  } catch (error) {
    const message = (error as Error).message;
    return { clusters: [], failures: options.projects.map((p) => ({ id: `projects/${p}`, message })), requests: 0 };
  }
  const clients = await createGcpClients(env, auth.client);
  let requests = 0;
  const clusters: DiscoveredCluster[] = [];
  try {
    await Promise.all(
      options.projects.map(async (project) => {
        const parent = `projects/${project}/locations/-`;
        let answer: RawObject;
        try {
          [answer] = await withRetry(
            () => {
              requests++;
              return withDeadline(clients.clusters.listClusters({ parent }, { autoPaginate: false, retry: null }), options.timeoutMs);
            },
            classifyGcpError,
            DEFAULT_RETRY,
          );
        } catch (error) {
          failures.push({ id: `projects/${project}`, message: describeGcpError(error, LIST.what, LIST.permission, parent) });
          return;
        }
        const missingZones = Array.isArray(answer.missingZones) ? answer.missingZones.filter((z) => typeof z === 'string' && z) : [];
        if (missingZones.length) {
          failures.push({ id: `projects/${project}`, message: `${LIST.what}: zones did not answer (${missingZones.join(', ')}); clusters there are not scanned` });
        }
        for (const raw of Array.isArray(answer.clusters) ? (answer.clusters as RawObject[]) : []) {
          const found = connectionOf(project, raw, options.internalIp);
          if ('message' in found) failures.push(found);
          else clusters.push(found);
        }
      }),
    );
  } finally {
    await clients.close();
  }
  clusters.sort((a, b) => a.id.localeCompare(b.id));
  failures.sort((a, b) => a.id.localeCompare(b.id));
  return { clusters, failures, token, requests };
}

/** Where get-credentials would point kubectl for this cluster, or why it could not. */
export function connectionOf(project: string, raw: RawObject, internalIp: boolean): DiscoveredCluster | DiscoveryFailure {
  const name = String(raw.name ?? '');
  const location = String(raw.location ?? raw.zone ?? '');
  const id = `projects/${project}/locations/${location}/clusters/${name}`;
  const status = typeof raw.status === 'string' ? raw.status : undefined;
  const endpoints = objectAt(raw, 'controlPlaneEndpointsConfig');
  const ipEndpointsDisabled = objectAt(endpoints, 'ipEndpointsConfig')?.enabled === false;
  const base = { id, project, location, name };
  if (ipEndpointsDisabled) {
    const dns = objectAt(endpoints, 'dnsEndpointConfig')?.endpoint;
    if (typeof dns !== 'string' || !dns) return { id, message: 'the cluster has IP endpoints disabled and no DNS endpoint in the Container API' };
    return { ...base, server: `https://${dns}` };
  }
  let endpoint: unknown;
  if (internalIp) {
    const privateConfig = objectAt(raw, 'privateClusterConfig');
    if (!privateConfig) return { id, message: '--internal-ip: the cluster is not a private cluster (no privateClusterConfig)' };
    endpoint = privateConfig.privateEndpoint;
    if (typeof endpoint !== 'string' || !endpoint) return { id, message: '--internal-ip: the cluster has no private endpoint' };
  } else {
    endpoint = raw.endpoint;
    if (typeof endpoint !== 'string' || !endpoint) {
      return { id, message: `the cluster has no endpoint yet${status ? ` (status ${status})` : ''}` };
    }
  }
  const caData = objectAt(raw, 'masterAuth')?.clusterCaCertificate;
  if (typeof caData !== 'string' || !caData) {
    return { id, message: 'the Container API gives no CA certificate (masterAuth.clusterCaCertificate) for the cluster; not connecting without verifying its certificate' };
  }
  return { ...base, server: `https://${endpoint}`, caData };
}

function objectAt(value: unknown, key: string): RawObject | undefined {
  const inner = value && typeof value === 'object' ? (value as RawObject)[key] : undefined;
  return inner && typeof inner === 'object' ? (inner as RawObject) : undefined;
}

/** The bearer token for API servers, from whichever client the credentials resolved to. */
async function accessTokenOf(client: object): Promise<string> {
  const getter = (client as { getAccessToken?: () => Promise<{ token?: string | null }> }).getAccessToken;
  if (typeof getter !== 'function') throw new Error('the Google Cloud credentials cannot give an access token');
  const { token } = await getter.call(client);
  if (!token) throw new Error('the Google Cloud credentials gave no access token');
  return token;
}

function withDeadline<T>(call: Promise<T> & { cancel?(): void }, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      call.cancel?.();
      reject(new RequestTimeoutError(timeoutMs));
    }, timeoutMs);
    call.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
