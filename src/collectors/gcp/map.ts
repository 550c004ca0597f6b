/**
 * Maps what the client libraries return into the snapshot's plain types.
 *
 * Compute answers carry proto helper keys (`_name: "name"` marks which
 * optional field is set) and empty lists/maps for absent repeated fields;
 * Container answers (proto3) carry every field with its default. Neither
 * belongs in a snapshot: it must look like the REST JSON that
 * `gcloud --format=json` prints, so a live snapshot and a gcloud dump are
 * judged alike.
 */
import type {
  GcpBackendHealth,
  GcpBackendService,
  GcpFirewall,
  GcpFirewallPolicy,
  GcpNeg,
  GcpNetwork,
  GcpSubnetwork,
  GkeCluster,
} from '../../snapshot/types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type RawObject = Record<string, unknown>;

function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A deep copy without proto helper keys, nulls, empty lists and empty
 * objects. Zero, false and "" are kept: in Compute's answers they were sent
 * (e.g. firewall `priority: 0` is the highest priority, not "unset").
 */
export function cleanProto(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(cleanProto).filter((v): v is Json => v !== undefined);
    return items.length ? items : undefined;
  }
  if (isObject(value)) {
    const out: Record<string, Json> = {};
    for (const [key, field] of Object.entries(value)) {
      // `_x: "x"` names the oneof that holds optional field x: protobufjs bookkeeping.
      if (key.startsWith('_') && typeof field === 'string') continue;
      const cleaned = cleanProto(field);
      if (cleaned !== undefined) out[key] = cleaned;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return undefined;
}

export function cleanObject(value: unknown): RawObject {
  const cleaned = cleanProto(value);
  return isObject(cleaned) ? cleaned : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = value.filter((v): v is string => typeof v === 'string' && v !== '');
  return out.length ? out : undefined;
}

export function mapFirewall(raw: unknown): GcpFirewall {
  const cleaned = cleanObject(raw);
  return { ...cleaned, name: String(cleaned.name ?? '') } as GcpFirewall;
}

/**
 * A firewall policy from an effective-firewalls answer (`type` given) or a
 * describe/list dump (no `type`: it is read from `parent`, `region` or the
 * selfLink: `…/locations/global/firewallPolicies/ID` is hierarchical,
 * `…/projects/P/global/firewallPolicies/N` global network,
 * `…/projects/P/regions/R/firewallPolicies/N` regional network).
 */
export function mapFirewallPolicy(raw: unknown): GcpFirewallPolicy {
  const cleaned = cleanObject(raw);
  const policy = { ...cleaned, name: String(cleaned.name ?? '') } as GcpFirewallPolicy;
  if (!str(policy.type) || policy.type === 'UNSPECIFIED') {
    const selfLink = str(cleaned.selfLink) ?? '';
    if (str(cleaned.parent) || /\/locations\/global\/firewallPolicies\//.test(selfLink)) policy.type = 'HIERARCHY';
    else if (str(cleaned.region) || /\/regions\/[^/]+\/firewallPolicies\//.test(selfLink)) policy.type = 'NETWORK_REGIONAL';
    else if (/\/projects\/[^/]+\/global\/firewallPolicies\//.test(selfLink)) policy.type = 'NETWORK';
    else delete policy.type;
  }
  return policy;
}

export function mapSubnetwork(raw: unknown): GcpSubnetwork {
  const cleaned = cleanObject(raw);
  return { ...cleaned, name: String(cleaned.name ?? '') } as GcpSubnetwork;
}

export function mapNetwork(raw: unknown): GcpNetwork {
  const cleaned = cleanObject(raw);
  return { ...cleaned, name: String(cleaned.name ?? '') } as GcpNetwork;
}

export function mapNeg(raw: unknown): GcpNeg {
  const cleaned = cleanObject(raw);
  return { ...cleaned, name: String(cleaned.name ?? '') } as GcpNeg;
}

export function mapBackendService(raw: unknown): GcpBackendService {
  const cleaned = cleanObject(raw);
  const backends = Array.isArray(cleaned.backends)
    ? (cleaned.backends as RawObject[]).map((b) => ({ ...b, group: String(b.group ?? '') }))
    : undefined;
  return { ...cleaned, name: String(cleaned.name ?? ''), ...(backends ? { backends } : {}) } as GcpBackendService;
}

/** One item of listNetworkEndpoints: `{networkEndpoint: {ipAddress, port, instance}, healths}`. */
export function mapNetworkEndpoint(raw: unknown): { ipAddress?: string; port?: number; instance?: string } {
  const endpoint = cleanObject(isObject(raw) ? raw.networkEndpoint : undefined);
  const out: { ipAddress?: string; port?: number; instance?: string } = {};
  if (typeof endpoint.ipAddress === 'string') out.ipAddress = endpoint.ipAddress;
  if (typeof endpoint.port === 'number') out.port = endpoint.port;
  if (typeof endpoint.instance === 'string') out.instance = endpoint.instance;
  return out;
}

export function mapBackendHealth(backendService: string, group: string, raw: unknown): GcpBackendHealth {
  const cleaned = cleanObject(raw);
  const healthStatus = Array.isArray(cleaned.healthStatus) ? (cleaned.healthStatus as GcpBackendHealth['healthStatus']) : [];
  return { backendService, group, healthStatus };
}

/**
 * The fields of a GKE cluster the rules use. Container answers are proto3
 * (every field present, enums as names); picking fields keeps a snapshot
 * small and readable. `networkConfig` is kept because with Shared VPC the
 * network lives in the host project (`projects/HOST/global/networks/N`),
 * which the short `network` name does not say.
 */
export function mapCluster(raw: unknown, fallbackLocation?: string): GkeCluster {
  const c = cleanObject(raw);
  const cluster: GkeCluster = { name: String(c.name ?? '') };
  const location = str(c.location) ?? str(c.zone) ?? fallbackLocation;
  if (location) cluster.location = location;
  const copy = ['selfLink', 'network', 'subnetwork', 'currentMasterVersion', 'currentNodeVersion', 'status', 'id', 'createTime', 'endpoint'] as const;
  for (const key of copy) {
    const value = str(c[key]);
    if (value !== undefined) cluster[key] = value;
  }
  const locations = strings(c.locations);
  if (locations) cluster.locations = locations;
  if (isObject(c.networkConfig)) {
    const { network, subnetwork, datapathProvider } = c.networkConfig;
    const networkConfig = Object.fromEntries(
      Object.entries({ network, subnetwork, datapathProvider }).filter(([, v]) => str(v) !== undefined),
    );
    if (Object.keys(networkConfig).length) cluster.networkConfig = networkConfig;
  }
  // From the raw answer: an empty policy `{}` still says "not VPC-native", and cleaning would drop it.
  const rawPolicy = isObject(raw) ? raw.ipAllocationPolicy : undefined;
  if (isObject(rawPolicy)) {
    const policy = isObject(c.ipAllocationPolicy) ? c.ipAllocationPolicy : {};
    const picked: NonNullable<GkeCluster['ipAllocationPolicy']> = {};
    // proto3 drops `false`: an absent useIpAliases means a routes-based cluster.
    picked.useIpAliases = policy.useIpAliases === true;
    for (const key of [
      'clusterIpv4CidrBlock',
      'servicesIpv4CidrBlock',
      'clusterSecondaryRangeName',
      'servicesSecondaryRangeName',
      'stackType',
    ]) {
      const value = str(policy[key]);
      if (value !== undefined) picked[key] = value;
    }
    cluster.ipAllocationPolicy = picked;
  }
  // Absent add-on config means the add-on runs with its default: enabled.
  const httpLoadBalancing = isObject(c.addonsConfig) ? c.addonsConfig.httpLoadBalancing : undefined;
  cluster.addonsConfig = {
    httpLoadBalancing: { disabled: isObject(httpLoadBalancing) && httpLoadBalancing.disabled === true },
  };
  if (Array.isArray(c.nodePools)) {
    cluster.nodePools = (c.nodePools as unknown[]).filter(isObject).map((pool) => {
      const config = isObject(pool.config) ? pool.config : {};
      const tags = strings(config.tags);
      const serviceAccount = str(config.serviceAccount);
      const locations = strings(pool.locations);
      // Secure tags GKE binds to the nodes (`tagKeys/K` → `tagValues/V`), which firewall policy rules can target.
      const managerTags = isObject(config.resourceManagerTags) && isObject(config.resourceManagerTags.tags) ? config.resourceManagerTags.tags : undefined;
      const resourceManagerTags = managerTags ? { tags: Object.fromEntries(Object.entries(managerTags).filter(([, v]) => typeof v === 'string')) as Record<string, string> } : undefined;
      const picked = { ...(tags ? { tags } : {}), ...(serviceAccount ? { serviceAccount } : {}), ...(resourceManagerTags ? { resourceManagerTags } : {}) };
      return {
        name: String(pool.name ?? ''),
        ...(Object.keys(picked).length ? { config: picked } : {}),
        ...(locations ? { locations } : {}),
        ...(str(pool.version) ? { version: str(pool.version) } : {}),
      };
    });
  }
  return cluster;
}
