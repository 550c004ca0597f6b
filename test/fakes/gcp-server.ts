/**
 * A fake Compute Engine and GKE (Container) REST server on 127.0.0.1.
 *
 * It serves a state made of raw API JSON (as `gcloud --format=json` prints it)
 * on the real REST paths, with the API's pagination (`maxResults`/`pageToken`)
 * and Google-style error bodies, so the real client libraries (and gcloud
 * itself) can be pointed at it. Fault injection, latency and the request log
 * come from the shared http-fake.
 */
import { startHttpFake, type FakeServer, type LoggedRequest, type Reply } from './http-fake.js';

export type RawResource = Record<string, unknown>;

export interface GcpFakeState {
  project: string;
  /** GKE clusters as `gcloud container clusters describe --format=json` prints them; each needs `location`. */
  clusters?: RawResource[];
  networks?: RawResource[];
  firewalls?: RawResource[];
  /**
   * Firewall policies that apply to every network, in the shape of an
   * effective-firewalls answer's `firewallPolicys[]` (name, shortName, type,
   * priority, rules). HIERARCHY, SYSTEM and NETWORK ones come back from
   * networks.getEffectiveFirewalls; regionNetworkFirewallPolicies.getEffectiveFirewalls
   * adds the NETWORK_REGIONAL / SYSTEM_REGIONAL ones whose `region` (short
   * name, not sent) is the region asked.
   */
  firewallPolicies?: RawResource[];
  /** Subnetworks; `region` and `network` may be short names or URLs. */
  subnetworks?: RawResource[];
  /** Zonal NEGs; `zone` may be a short name or a URL. */
  networkEndpointGroups?: RawResource[];
  /** Endpoints of each NEG, keyed "<zone>/<neg name>": items of listNetworkEndpoints (`{networkEndpoint, healths?}`). */
  networkEndpoints?: Record<string, RawResource[]>;
  /** Instances (node VMs); `zone` may be a short name or a URL. Read with instances.aggregatedList. */
  instances?: RawResource[];
  /** Global instance templates. */
  instanceTemplates?: RawResource[];
  /** Backend services; global unless `region` is set (short name or URL). */
  backendServices?: RawResource[];
  /** getHealth answers: backend service name → "<zone>/<neg name>" → healthStatus items. */
  backendHealth?: Record<string, Record<string, RawResource[]>>;
}

export interface GcpFakeOptions {
  latencyMs?: number;
  /** Largest page the server hands out, whatever maxResults asks (the real API caps at 500). */
  maxPageSize?: number;
}

export interface GcpFake extends FakeServer {
  state: GcpFakeState;
  /** Value for CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE. */
  computeEndpoint: string;
  /** Value for CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER. */
  containerEndpoint: string;
}

const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1';
const HTTP_STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
const REASONS: Record<number, string> = {
  400: 'invalid',
  401: 'authError',
  403: 'forbidden',
  404: 'notFound',
  405: 'httpMethodNotAllowed',
  429: 'rateLimitExceeded',
  500: 'backendError',
  503: 'backendError',
};

/** A Google API error body, as Compute and Container send it. */
export function googleErrorBody(code: number, message: string, reason = REASONS[code] ?? 'error'): unknown {
  return {
    error: {
      code,
      message,
      errors: [{ message, domain: 'global', reason }],
      status: HTTP_STATUS_NAMES[code] ?? 'UNKNOWN',
    },
  };
}

/** The 403 body Compute sends when the caller lacks a permission, e.g. `compute.firewalls.list`. */
export function permissionDeniedBody(permission: string, resource: string): unknown {
  return googleErrorBody(403, `Required '${permission}' permission for '${resource}'`, 'forbidden');
}

export async function startGcpFake(state: GcpFakeState, options: GcpFakeOptions = {}): Promise<GcpFake> {
  const maxPageSize = options.maxPageSize ?? 500;
  const server = await startHttpFake((req) => route(state, req, maxPageSize), { latencyMs: options.latencyMs });
  return Object.assign(server, {
    state,
    computeEndpoint: `${server.url}/compute/v1/`,
    containerEndpoint: `${server.url}/`,
  });
}

function error(code: number, message: string): Reply {
  return { status: code, body: googleErrorBody(code, message) };
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function lastSegment(value: unknown): string {
  return typeof value === 'string' ? value.slice(value.lastIndexOf('/') + 1) : '';
}

function route(state: GcpFakeState, req: LoggedRequest, maxPageSize: number): Reply {
  const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'compute' && parts[1] === 'v1' && parts[2] === 'projects') {
    return routeCompute(state, req, parts.slice(3), maxPageSize);
  }
  if (parts[0] === 'v1' && parts[1] === 'projects') return routeContainer(state, req, parts.slice(2));
  return error(404, `The requested URL ${req.path} was not found on this server.`);
}

// ---------------------------------------------------------------- container

function routeContainer(state: GcpFakeState, req: LoggedRequest, parts: string[]): Reply {
  // projects/P/{locations|zones}/L/clusters[/C]
  const [project, scope, location, collection, name, ...rest] = parts;
  if (req.method !== 'GET' || (scope !== 'locations' && scope !== 'zones') || collection !== 'clusters' || rest.length) {
    return error(404, `Method not found: ${req.method} ${req.path}`);
  }
  if (project !== state.project) return error(403, `Permission denied on resource project ${project}.`);
  const clusters = (state.clusters ?? []).map((c) => withClusterDefaults(state.project, c));
  if (name === undefined) {
    const matching = clusters.filter((c) => location === '-' || c.location === location || c.zone === location);
    return ok(matching.length ? { clusters: matching } : {});
  }
  const cluster = clusters.find((c) => c.name === name && (location === '-' || c.location === location || c.zone === location));
  if (!cluster) return error(404, `Not found: projects/${project}/locations/${location}/clusters/${name}.`);
  return ok(cluster);
}

function withClusterDefaults(project: string, cluster: RawResource): RawResource {
  const location = String(cluster.location ?? cluster.zone ?? '');
  return {
    selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${String(cluster.name)}`,
    ...cluster,
  };
}

// ---------------------------------------------------------------- compute

function routeCompute(state: GcpFakeState, req: LoggedRequest, parts: string[], maxPageSize: number): Reply {
  const [project, ...rest] = parts;
  if (project !== state.project) return error(404, `The resource 'projects/${project}' was not found`);
  const p = `projects/${project}`;
  const key = rest.join('/');
  const GET = req.method === 'GET';
  const POST = req.method === 'POST';

  // global/networks[/N], global/firewalls[/F], global/backendServices[/B][/getHealth]
  if (rest[0] === 'global') {
    const [, collection, name, verb] = rest;
    if (collection === 'networks' && GET && name !== undefined && verb === 'getEffectiveFirewalls') {
      if (!(state.networks ?? []).some((n) => n.name === name)) return error(404, `The resource '${p}/global/networks/${name}' was not found`);
      const policies = (state.firewallPolicies ?? []).filter((fp) => ['HIERARCHY', 'NETWORK', 'SYSTEM'].includes(String(fp.type)));
      return ok(effectiveAnswer(networkFirewalls(state, p, name), policies));
    }
    if (collection === 'networks' && GET && verb === undefined) {
      const networks = (state.networks ?? []).map((n) => withDefaults(n, 'compute#network', `${COMPUTE_BASE}/${p}/global/networks/${String(n.name)}`));
      if (name === undefined) return listReply('compute#networkList', `${COMPUTE_BASE}/${p}/global/networks`, filterItems(networks, req.query.filter), req, maxPageSize);
      const network = networks.find((n) => n.name === name);
      return network ? ok(network) : error(404, `The resource '${p}/global/networks/${name}' was not found`);
    }
    if (collection === 'instanceTemplates' && GET && verb === undefined) {
      const templates = (state.instanceTemplates ?? []).map((t) => withDefaults(t, 'compute#instanceTemplate', `${COMPUTE_BASE}/${p}/global/instanceTemplates/${String(t.name)}`));
      if (name === undefined) return listReply('compute#instanceTemplateList', `${COMPUTE_BASE}/${p}/global/instanceTemplates`, filterItems(templates, req.query.filter), req, maxPageSize);
      const template = templates.find((t) => t.name === name);
      return template ? ok(template) : error(404, `The resource '${p}/global/instanceTemplates/${name}' was not found`);
    }
    if (collection === 'firewalls' && GET && verb === undefined) {
      const firewalls = (state.firewalls ?? []).map((f) => withDefaults(f, 'compute#firewall', `${COMPUTE_BASE}/${p}/global/firewalls/${String(f.name)}`));
      if (name === undefined) return listReply('compute#firewallList', `${COMPUTE_BASE}/${p}/global/firewalls`, filterItems(firewalls, req.query.filter), req, maxPageSize);
      const firewall = firewalls.find((f) => f.name === name);
      return firewall ? ok(firewall) : error(404, `The resource '${p}/global/firewalls/${name}' was not found`);
    }
    if (collection === 'backendServices') return backendServices(state, req, undefined, name, verb, maxPageSize);
  }
  // regions/R/firewallPolicies/getEffectiveFirewalls?network=…
  if (rest[0] === 'regions' && rest[2] === 'firewallPolicies' && rest[3] === 'getEffectiveFirewalls' && rest.length === 4 && GET) {
    const region = rest[1]!;
    const network = lastSegment(req.query.network);
    if (!network) return error(400, "Invalid value for field 'network': ''. The URL is malformed.");
    if (!(state.networks ?? []).some((n) => n.name === network)) return error(404, `The resource '${p}/global/networks/${network}' was not found`);
    const policies = (state.firewallPolicies ?? [])
      .filter((fp) => {
        const type = String(fp.type);
        if (type === 'NETWORK_REGIONAL' || type === 'SYSTEM_REGIONAL') return lastSegment(fp.region) === region;
        return ['HIERARCHY', 'NETWORK', 'SYSTEM_GLOBAL'].includes(type);
      })
      .map((fp) => omit(fp, 'region'));
    return ok(effectiveAnswer(networkFirewalls(state, p, network), policies));
  }
  // regions/R/subnetworks[/S], aggregated/subnetworks
  if (rest[0] === 'regions' && rest[2] === 'subnetworks' && GET && rest.length <= 4) {
    const region = rest[1]!;
    const inRegion = subnetworks(state).filter((sn) => lastSegment(sn.region) === region);
    if (rest[3] === undefined) return listReply('compute#subnetworkList', `${COMPUTE_BASE}/${p}/regions/${region}/subnetworks`, filterItems(inRegion, req.query.filter), req, maxPageSize);
    const subnet = inRegion.find((sn) => sn.name === rest[3]);
    return subnet ? ok(subnet) : error(404, `The resource '${p}/regions/${region}/subnetworks/${rest[3]}' was not found`);
  }
  if (key === 'aggregated/subnetworks' && GET) {
    return aggregatedReply(
      'compute#subnetworkAggregatedList',
      `${COMPUTE_BASE}/${p}/aggregated/subnetworks`,
      'subnetworks',
      filterItems(subnetworks(state), req.query.filter).map((sn) => ({ scope: `regions/${lastSegment(sn.region)}`, item: sn })),
      req,
      maxPageSize,
    );
  }
  if (rest[0] === 'regions' && rest[2] === 'backendServices') {
    return backendServices(state, req, rest[1], rest[3], rest[4], maxPageSize);
  }
  if (key === 'aggregated/instances' && GET) {
    const instances = (state.instances ?? []).map((i) => {
      const zone = lastSegment(i.zone);
      return withDefaults({ ...i, zone: `${COMPUTE_BASE}/${p}/zones/${zone}` }, 'compute#instance', `${COMPUTE_BASE}/${p}/zones/${zone}/instances/${String(i.name)}`);
    });
    return aggregatedReply(
      'compute#instanceAggregatedList',
      `${COMPUTE_BASE}/${p}/aggregated/instances`,
      'instances',
      filterItems(instances, req.query.filter).map((i) => ({ scope: `zones/${lastSegment(i.zone)}`, item: i })),
      req,
      maxPageSize,
    );
  }
  if (key === 'aggregated/networkEndpointGroups' && GET) {
    return aggregatedReply(
      'compute#networkEndpointGroupAggregatedList',
      `${COMPUTE_BASE}/${p}/aggregated/networkEndpointGroups`,
      'networkEndpointGroups',
      filterItems(negs(state), req.query.filter).map((neg) => ({ scope: `zones/${lastSegment(neg.zone)}`, item: neg })),
      req,
      maxPageSize,
    );
  }
  // zones/Z/networkEndpointGroups[/N][/listNetworkEndpoints]
  if (rest[0] === 'zones' && rest[2] === 'networkEndpointGroups') {
    const zone = rest[1]!;
    const name = rest[3];
    const verb = rest[4];
    const inZone = negs(state).filter((n) => lastSegment(n.zone) === zone);
    if (GET && name === undefined) {
      return listReply('compute#networkEndpointGroupList', `${COMPUTE_BASE}/${p}/zones/${zone}/networkEndpointGroups`, filterItems(inZone, req.query.filter), req, maxPageSize);
    }
    const neg = inZone.find((n) => n.name === name);
    const resource = `${p}/zones/${zone}/networkEndpointGroups/${name}`;
    if (GET && verb === undefined) return neg ? ok(neg) : error(404, `The resource '${resource}' was not found`);
    if (POST && verb === 'listNetworkEndpoints' && rest.length === 5) {
      if (!neg) return error(404, `The resource '${resource}' was not found`);
      const body = parseBody(req.body);
      const showHealth = body.healthStatus === 'SHOW';
      const endpoints = (state.networkEndpoints?.[`${zone}/${name}`] ?? []).map((e) => (showHealth ? e : omit(e, 'healths')));
      return listReply('compute#networkEndpointGroupsListNetworkEndpoints', undefined, endpoints, req, maxPageSize);
    }
  }
  return error(404, `The requested URL /compute/v1/${parts.join('/')} was not found on this server.`);
}

function backendServices(
  state: GcpFakeState,
  req: LoggedRequest,
  region: string | undefined,
  name: string | undefined,
  verb: string | undefined,
  maxPageSize: number,
): Reply {
  const p = `projects/${state.project}`;
  const base = region ? `${COMPUTE_BASE}/${p}/regions/${region}/backendServices` : `${COMPUTE_BASE}/${p}/global/backendServices`;
  const services = (state.backendServices ?? [])
    .filter((s) => (region ? lastSegment(s.region) === region : s.region === undefined))
    .map((s) => withDefaults(s, 'compute#backendService', `${base}/${String(s.name)}`));
  if (req.method === 'GET' && name === undefined) {
    return listReply('compute#backendServiceList', base, filterItems(services, req.query.filter), req, maxPageSize);
  }
  const service = services.find((s) => s.name === name);
  const resource = `${p}/${region ? `regions/${region}` : 'global'}/backendServices/${name}`;
  if (req.method === 'GET' && verb === undefined) return service ? ok(service) : error(404, `The resource '${resource}' was not found`);
  if (req.method === 'POST' && verb === 'getHealth') {
    if (!service) return error(404, `The resource '${resource}' was not found`);
    const group = parseBody(req.body).group;
    if (typeof group !== 'string' || !group) return error(400, "Invalid value for field 'resource.group': ''. The URL is malformed.");
    const groupKey = negKey(group);
    const backends = Array.isArray(service.backends) ? (service.backends as RawResource[]) : [];
    if (!groupKey || !backends.some((b) => negKey(String(b.group)) === groupKey)) {
      return error(400, `Invalid value for field 'resource.group': '${group}'. Group is not a backend of this backend service.`);
    }
    const healthStatus = state.backendHealth?.[String(name)]?.[groupKey];
    return ok({ kind: 'compute#backendServiceGroupHealth', ...(healthStatus?.length ? { healthStatus } : {}) });
  }
  return error(404, `The requested URL ${req.path} was not found on this server.`);
}

function networkFirewalls(state: GcpFakeState, p: string, network: string): RawResource[] {
  return (state.firewalls ?? [])
    .filter((f) => lastSegment(f.network) === network)
    .map((f) => withDefaults(f, 'compute#firewall', `${COMPUTE_BASE}/${p}/global/firewalls/${String(f.name)}`));
}

/** NetworksGetEffectiveFirewallsResponse / RegionNetworkFirewallPoliciesGetEffectiveFirewallsResponse: empty lists are left out, as the API does. */
function effectiveAnswer(firewalls: RawResource[], policies: RawResource[]): RawResource {
  return { ...(firewalls.length ? { firewalls } : {}), ...(policies.length ? { firewallPolicys: policies } : {}) };
}

function subnetworks(state: GcpFakeState): RawResource[] {
  const p = `projects/${state.project}`;
  return (state.subnetworks ?? []).map((sn) => {
    const region = lastSegment(sn.region);
    return withDefaults(
      {
        ...sn,
        region: `${COMPUTE_BASE}/${p}/regions/${region}`,
        network: String(sn.network ?? '').includes('/') ? sn.network : `${COMPUTE_BASE}/${p}/global/networks/${String(sn.network)}`,
      },
      'compute#subnetwork',
      `${COMPUTE_BASE}/${p}/regions/${region}/subnetworks/${String(sn.name)}`,
    );
  });
}

/** "<zone>/<name>" of a NEG URL (full or partial). */
function negKey(url: string): string | undefined {
  const match = /zones\/([^/]+)\/networkEndpointGroups\/([^/?]+)/.exec(url);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

function negs(state: GcpFakeState): RawResource[] {
  const p = `projects/${state.project}`;
  return (state.networkEndpointGroups ?? []).map((n) => {
    const zone = lastSegment(n.zone);
    return withDefaults(
      { ...n, zone: `${COMPUTE_BASE}/${p}/zones/${zone}` },
      'compute#networkEndpointGroup',
      `${COMPUTE_BASE}/${p}/zones/${zone}/networkEndpointGroups/${String(n.name)}`,
    );
  });
}

function withDefaults(resource: RawResource, kind: string, selfLink: string): RawResource {
  return { kind, selfLink, ...resource };
}

function omit(resource: RawResource, key: string): RawResource {
  const { [key]: _dropped, ...rest } = resource;
  return rest;
}

function parseBody(body: string | undefined): RawResource {
  if (!body) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as RawResource) : {};
  } catch {
    return {};
  }
}

/**
 * The subset of Compute's list filter that clients send: `field = "value"`,
 * `field eq value`, `field != value`, `field ne value`, joined by AND or
 * spaces, with optional parentheses. `eq`/`ne` take RE2 regular expressions
 * matched against the whole value, as in the API.
 */
export function filterItems(items: RawResource[], filter: string | undefined): RawResource[] {
  if (!filter?.trim()) return items;
  const terms = [...filter.matchAll(/\(?\s*([A-Za-z0-9_.-]+)\s*(=|!=|eq|ne)\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s)]+)\s*\)?/g)];
  if (!terms.length) return items;
  return items.filter((item) =>
    terms.every(([, field, op, raw]) => {
      const value = fieldValue(item, field!);
      const literal = raw!.replace(/^["']|["']$/g, '');
      let matched: boolean;
      if (op === 'eq' || op === 'ne') {
        matched = new RegExp(`^(?:${literal})$`).test(value);
      } else {
        // URLs compare by resource path, whatever host or API version they name.
        matched = value === literal || resourcePath(value) === resourcePath(literal);
      }
      return op === '!=' || op === 'ne' ? !matched : matched;
    }),
  );
}

function resourcePath(value: string): string {
  const index = value.indexOf('projects/');
  return index >= 0 ? value.slice(index) : value;
}

function fieldValue(item: RawResource, path: string): string {
  let current: unknown = item;
  for (const segment of path.split('.')) current = current && typeof current === 'object' ? (current as RawResource)[segment] : undefined;
  return current === undefined || current === null ? '' : String(current);
}

function pageOf<T>(items: T[], req: LoggedRequest, maxPageSize: number): { page: T[]; nextPageToken?: string } | Reply {
  const requested = req.query.maxResults === undefined ? 500 : Number(req.query.maxResults);
  if (!Number.isInteger(requested) || requested < 0 || requested > 500) {
    return error(400, `Invalid value for field 'maxResults': '${req.query.maxResults}'. Must be less than or equal to 500`);
  }
  const size = Math.min(requested || 500, maxPageSize);
  let start = 0;
  if (req.query.pageToken) {
    start = Number(Buffer.from(req.query.pageToken, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(start) || start < 0) return error(400, `Invalid value for field 'pageToken': '${req.query.pageToken}'.`);
  }
  const page = items.slice(start, start + size);
  const next = start + size;
  return next < items.length ? { page, nextPageToken: Buffer.from(`offset:${next}`).toString('base64url') } : { page };
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value;
}

function listReply(kind: string, selfLink: string | undefined, items: RawResource[], req: LoggedRequest, maxPageSize: number): Reply {
  const paged = pageOf(items, req, maxPageSize);
  if (isReply(paged)) return paged;
  return ok({
    kind,
    id: selfLink ? selfLink.replace(`${COMPUTE_BASE}/`, '') : undefined,
    ...(paged.page.length ? { items: paged.page } : {}),
    ...(selfLink ? { selfLink } : {}),
    ...(paged.nextPageToken ? { nextPageToken: paged.nextPageToken } : {}),
  });
}

function aggregatedReply(
  kind: string,
  selfLink: string,
  listKey: string,
  scoped: Array<{ scope: string; item: RawResource }>,
  req: LoggedRequest,
  maxPageSize: number,
): Reply {
  const paged = pageOf(scoped, req, maxPageSize);
  if (isReply(paged)) return paged;
  const items: Record<string, RawResource> = {};
  for (const { scope, item } of paged.page) {
    const entry = (items[scope] ??= { [listKey]: [] });
    (entry[listKey] as RawResource[]).push(item);
  }
  return ok({
    kind,
    id: selfLink.replace(`${COMPUTE_BASE}/`, ''),
    items,
    selfLink,
    ...(paged.nextPageToken ? { nextPageToken: paged.nextPageToken } : {}),
  });
}
