/**
 * Google Cloud state from `gcloud … --format=json` dumps, for `lint`.
 *
 * A dump is recognized by its `kind` (`compute#firewall`, …) or, when `kind`
 * is missing (hand-edited or older dumps, and every `gcloud container`
 * output), by its shape. Unknown keys are carried along, never an error.
 * The values go through the same mapping as live answers, so a dump and a
 * live scan are judged alike.
 */
import { DATA, type DataKey } from '../../snapshot/data-keys.js';
import type {
  CloudState,
  GcpBackendHealth,
  GcpBackendService,
  GcpFirewall,
  GcpFirewallPolicy,
  GcpNeg,
  GcpNetwork,
  GcpNodeVm,
  GcpSubnetwork,
  GkeCluster,
} from '../../snapshot/types.js';
import { mapBackendHealth, mapBackendService, mapCluster, mapFirewall, mapFirewallPolicy, mapNeg, mapNetwork, mapSubnetwork } from './map.js';
import { mapNodeVm } from './map-node-vms.js';
import { isEffectiveFirewallsAnswer, unpackEffectiveFirewalls } from '../effective-firewalls.js';
import { shapesOf } from '../shapes.js';

export type GcloudItem =
  | { type: 'firewall'; value: GcpFirewall }
  | { type: 'network'; value: GcpNetwork }
  | { type: 'neg'; value: GcpNeg }
  | { type: 'backendService'; value: GcpBackendService }
  | { type: 'backendHealth'; value: GcpBackendHealth }
  | { type: 'cluster'; value: GkeCluster }
  | { type: 'firewallPolicy'; value: GcpFirewallPolicy }
  | { type: 'subnetwork'; value: GcpSubnetwork }
  | { type: 'instance' | 'instanceTemplate' | 'instanceGroupManager'; value: GcpNodeVm }
  /** An effective-firewalls answer: its policies are the whole set that applies, even when there are none. */
  | { type: 'effectiveFirewalls'; value: { policies: number } };

export type GcloudItemType = GcloudItem['type'];

/** The data key each kind of dump provides. */
export const GCLOUD_DATA_KEYS: Record<GcloudItemType, DataKey> = {
  firewall: DATA.gcpFirewalls,
  network: DATA.gcpNetwork,
  neg: DATA.gcpNegs,
  backendService: DATA.gcpBackendServices,
  backendHealth: DATA.gcpBackendHealth,
  cluster: DATA.gcpCluster,
  firewallPolicy: DATA.gcpFirewallPolicies,
  subnetwork: DATA.gcpSubnetworks,
  instance: DATA.gcpNodeVms,
  instanceTemplate: DATA.gcpNodeVms,
  instanceGroupManager: DATA.gcpNodeVms,
  effectiveFirewalls: DATA.gcpFirewallPolicies,
};

type RawObject = Record<string, unknown>;

function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

const BY_KIND: Record<string, GcloudItemType> = {
  'compute#firewall': 'firewall',
  'compute#network': 'network',
  'compute#networkEndpointGroup': 'neg',
  'compute#backendService': 'backendService',
  'compute#backendServiceGroupHealth': 'backendHealth',
  'compute#firewallPolicy': 'firewallPolicy',
  'compute#subnetwork': 'subnetwork',
  'compute#instance': 'instance',
  'compute#instanceTemplate': 'instanceTemplate',
  'compute#instanceGroupManager': 'instanceGroupManager',
};

/** Which resource a single JSON object is, or undefined for anything else (Kubernetes objects included). */
export function classifyGcloudValue(value: unknown): GcloudItem | undefined {
  if (!isObject(value)) return undefined;
  // A Kubernetes object is never a gcloud resource, whatever fields it has.
  if (typeof value.apiVersion === 'string') return undefined;
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  const type = kind !== undefined ? BY_KIND[kind] : shapeOf(value);
  if (!type) return undefined;
  return build(type, value);
}

/** Every resource in a dump: a list (`gcloud … list`), a single object (`describe`), or a raw API list answer (`items`). */
export function classifyGcloudDump(value: unknown): GcloudItem[] {
  if (isList(value)) return value.flatMap((v) => classifyGcloudDump(v));
  if (!isObject(value)) return [];
  const effective = effectiveFirewalls(value);
  if (effective) return effective;
  const single = classifyGcloudValue(value);
  if (single) return [single];
  // A raw Compute list answer (`compute#firewallList` …) or aggregated list answer.
  if (typeof value.kind === 'string' && /^compute#\w+(List|AggregatedList)$/.test(value.kind)) {
    if (isList(value.items)) return classifyGcloudDump(value.items);
    if (isObject(value.items)) {
      return Object.values(value.items).flatMap((scope) =>
        isObject(scope) ? Object.entries(scope).flatMap(([key, list]) => (key !== 'warning' && isList(list) ? classifyGcloudDump(list) : [])) : [],
      );
    }
  }
  // `gcloud container clusters list` via the raw API: {clusters: [...]}.
  if (isList(value.clusters) && Object.keys(value).every((k) => k === 'clusters' || k === 'missingZones')) {
    return classifyGcloudDump(value.clusters);
  }
  return [];
}

/**
 * An effective-firewalls answer (see ../effective-firewalls.ts): its rules and
 * policies, and the mark that its policies are the whole set in force.
 */
function effectiveFirewalls(value: RawObject): GcloudItem[] | undefined {
  if (!isEffectiveFirewallsAnswer(value)) return undefined;
  const { firewalls, policies } = unpackEffectiveFirewalls(value);
  return [
    ...firewalls.map((f) => ({ type: 'firewall' as const, value: f })),
    ...policies.map((p) => ({ type: 'firewallPolicy' as const, value: p })),
    { type: 'effectiveFirewalls', value: { policies: policies.length } },
  ];
}

/** The shapes of src/collectors/shapes.ts this module turns into cloud state. */
export const ITEM_TYPE_OF_SHAPE: Readonly<Record<string, GcloudItemType>> = {
  'gcp:firewall': 'firewall',
  'gcp:network': 'network',
  'gcp:neg': 'neg',
  'gcp:backend-service': 'backendService',
  'gcp:backend-health': 'backendHealth',
  'gcp:cluster': 'cluster',
  'gcp:subnetwork': 'subnetwork',
  'gcp:firewall-policy': 'firewallPolicy',
  'gcp:instance': 'instance',
  'gcp:instance-template': 'instanceTemplate',
  'gcp:instance-group-manager': 'instanceGroupManager',
};

/** A kind-less resource, by the one shape of the shape table it fits. */
function shapeOf(value: RawObject): GcloudItemType | undefined {
  const shapes = shapesOf(value, 'gcp');
  return shapes.length === 1 ? ITEM_TYPE_OF_SHAPE[shapes[0]!.id] : undefined;
}

export function build(type: GcloudItemType, value: RawObject): GcloudItem | undefined {
  switch (type) {
    case 'firewall':
      return { type, value: mapFirewall(value) };
    case 'network':
      return { type, value: mapNetwork(value) };
    case 'neg':
      return { type, value: mapNeg(value) };
    case 'backendService':
      return { type, value: mapBackendService(value) };
    case 'cluster':
      return { type, value: mapCluster(value) };
    case 'firewallPolicy':
      return { type, value: mapFirewallPolicy(value) };
    case 'subnetwork':
      return { type, value: mapSubnetwork(value) };
    case 'instance':
    case 'instanceTemplate':
    case 'instanceGroupManager':
      return { type, value: mapNodeVm(type, value) } as GcloudItem;
    case 'effectiveFirewalls':
      return undefined;
    case 'backendHealth': {
      if (typeof value.backend === 'string' && isObject(value.status)) {
        // gcloud's get-health names the group, not the backend service.
        return { type, value: mapBackendHealth('', value.backend, value.status) };
      }
      // Our own shape (a snapshot fragment), or a bare API answer that names neither.
      const service = typeof value.backendService === 'string' ? value.backendService : '';
      const group = typeof value.group === 'string' ? value.group : '';
      return { type, value: mapBackendHealth(service, group, value) };
    }
  }
}

function identity(item: GcloudItem): string {
  switch (item.type) {
    case 'cluster':
      return `${item.value.location ?? ''}/${item.value.name}`;
    case 'backendHealth':
      // An answer that names neither backend service nor group (REST getHealth, a trimmed paste) is known by its endpoints:
      // two such answers about different endpoints must not collapse into one.
      if (!item.value.backendService && !item.value.group) {
        return `|${item.value.healthStatus.map((h) => `${h.ipAddress ?? ''}:${h.port ?? ''}`).sort().join(',')}`;
      }
      return `${item.value.backendService}|${item.value.group}`;
    case 'neg':
      return item.value.selfLink ?? `${item.value.zone ?? ''}/${item.value.name}`;
    case 'firewallPolicy':
      // The same policy comes from an effective-firewalls answer (no selfLink) and from describe: one key for both.
      return `${item.value.type?.startsWith('NETWORK') ? `${item.value.type}/` : ''}${item.value.name}`;
    case 'effectiveFirewalls':
      return 'effective';
    case 'instance':
    case 'instanceTemplate':
    case 'instanceGroupManager':
      return `${item.type}|${item.value.selfLink ?? `${item.value.zone ?? ''}/${item.value.name}`}`;
    default:
      return item.value.selfLink ?? item.value.name;
  }
}

/**
 * Adds dumped resources to a cloud state (a new object; `state` is not
 * changed). A resource seen twice (the same dump given twice, or a list and
 * a describe) is kept once, the later one winning.
 */
export function mergeIntoCloudState(state: CloudState, items: readonly GcloudItem[]): CloudState {
  const next: CloudState = { ...state };
  const merge = <T>(existing: T[] | undefined, added: T[], key: (value: T) => string): T[] | undefined => {
    if (!added.length) return existing;
    const byKey = new Map<string, T>();
    for (const value of [...(existing ?? []), ...added]) byKey.set(key(value), value);
    return [...byKey.values()];
  };
  const of = <K extends GcloudItemType>(type: K) =>
    items.filter((i): i is Extract<GcloudItem, { type: K }> => i.type === type).map((i) => i.value as Extract<GcloudItem, { type: K }>['value']);
  const key = (type: GcloudItemType) => (value: unknown) => identity({ type, value } as GcloudItem);
  next.firewalls = merge(state.firewalls, of('firewall'), key('firewall'));
  next.networks = merge(state.networks, of('network'), key('network'));
  next.negs = merge(state.negs, of('neg'), key('neg'));
  next.backendServices = merge(state.backendServices, of('backendService'), key('backendService'));
  next.backendHealth = merge(state.backendHealth, of('backendHealth'), key('backendHealth'));
  next.clusters = merge(state.clusters, of('cluster'), key('cluster'));
  next.subnetworks = merge(state.subnetworks, of('subnetwork'), key('subnetwork'));
  const vms = [...of('instance'), ...of('instanceTemplate'), ...of('instanceGroupManager')];
  next.nodeVms = merge(state.nodeVms, vms, (vm) => identity({ type: vm.kind, value: vm }));
  // A policy seen in an effective-firewalls answer (type, priority) and in describe (parent, shortName): both halves count.
  const policies = new Map<string, GcpFirewallPolicy>();
  for (const policy of [...(state.firewallPolicies ?? []), ...of('firewallPolicy')]) {
    const id = key('firewallPolicy')(policy);
    policies.set(id, { ...policies.get(id), ...policy });
  }
  if (policies.size) next.firewallPolicies = [...policies.values()];
  for (const field of ['firewalls', 'networks', 'negs', 'backendServices', 'backendHealth', 'clusters', 'subnetworks', 'nodeVms'] as const) {
    if (next[field] === undefined) delete next[field];
  }
  return next;
}

/** The data keys a set of dumped resources makes available. */
export function dataKeysOf(items: readonly GcloudItem[]): DataKey[] {
  return [...new Set(items.map((i) => GCLOUD_DATA_KEYS[i.type]))];
}
