/**
 * Google Cloud resources among the linted files: the manifest collector
 * recognises them (by `kind`, wrapper or shape: src/collectors/shapes.ts) and
 * hands them over here; they become the snapshot's Google Cloud state.
 *
 * A data key counts as collected when the inputs hold that kind of resource,
 * or when the user stated a file's type explicitly (`gcp:firewalls=fw.json`):
 * an explicitly typed file is the complete list, so an empty one is evidence
 * that there are none.
 */
import { DATA, FIREWALLS_BY_FIELDS, type DataKey } from '../snapshot/data-keys.js';
import type { CloudState, DataAvailability, GcpFirewallPolicy, GcpNeg, InputNotice } from '../snapshot/types.js';
import { build, classifyGcloudDump, dataKeysOf, ITEM_TYPE_OF_SHAPE, mergeIntoCloudState, type GcloudItem } from './gcp/dumps.js';
import { unpackEffectiveFirewalls } from './effective-firewalls.js';
import { mapFirewallPolicy, mapNetworkEndpoint } from './gcp/map.js';
import { lastSegment } from '../util/text.js';
import type { ExplicitInput, ForeignDocument } from './manifests/index.js';
import { isRecord } from '../util/values.js';
import type { LogCollection } from './logs/entries.js';

export interface GcloudInputs {
  cloud?: { state: CloudState; data: Record<string, DataAvailability> };
  /** Documents that are neither Kubernetes objects nor Google Cloud resources. */
  unrecognized: number;
  /** What was recognised but is not used yet, or could not be placed. */
  notices: InputNotice[];
}

/** Shapes recognised but not yet read by any rule: said in a notice rather than silently dropped. */
const NOT_YET_USED: Readonly<Record<string, string>> = {
  'gcp:health-check': 'health checks (no rule reads them yet; backend health is what the rules judge)',
};

/** What `get-effective-firewalls` of a network leaves out (Compute API reference, NetworksGetEffectiveFirewallsResponse.firewallPolicys). */
const EFFECTIVE_POLICIES = 'hierarchical and global network firewall policies from get-effective-firewalls; regional network firewall policies are not included';

/** The data key an explicit type makes collected, even when its file is empty. */
const EXPLICIT_KEYS: Readonly<Record<string, DataKey[]>> = {
  'gcp:firewalls': [DATA.gcpFirewalls],
  'gcp:effective-firewalls': [DATA.gcpFirewalls, DATA.gcpFirewallPolicies],
  'gcp:firewall-policies': [DATA.gcpFirewallPolicies],
  'gcp:subnetworks': [DATA.gcpSubnetworks],
  'gcp:network': [DATA.gcpNetwork],
  'gcp:negs': [DATA.gcpNegs],
  'gcp:neg-endpoints': [DATA.gcpNegEndpoints],
  'gcp:backend-services': [DATA.gcpBackendServices],
  'gcp:backend-health': [DATA.gcpBackendHealth],
  'gcp:cluster': [DATA.gcpCluster],
  'gcp:clusters': [DATA.gcpClusters],
  'gcp:instances': [DATA.gcpNodeVms],
  'gcp:instance-templates': [DATA.gcpNodeVms],
  'gcp:instance-groups': [DATA.gcpNodeVms],
  'gcp:lb-request-logs': [DATA.gcpRequestLogs],
  'gcp:health-check-logs': [DATA.gcpProbeLogs],
};

export function gcloudInputs(foreign: ForeignDocument[], explicitInputs: readonly ExplicitInput[] = [], logs?: LogCollection): GcloudInputs {
  const items: GcloudItem[] = [];
  const notices: InputNotice[] = [];
  const data: Record<string, DataAvailability> = {};
  const policies: GcpFirewallPolicy[] = [];
  const endpoints: Array<{ zone: string; name: string; list: NonNullable<GcpNeg['endpoints']> }> = [];
  const notUsed = new Map<string, number>();
  let unrecognized = 0;
  // Firewall rules pasted without kind or stated type: perhaps not the whole list (see FIREWALLS_BY_FIELDS).
  let firewallsByFields = 0;
  let project: string | undefined;
  let clusterName: string | undefined;

  for (const doc of foreign) {
    const explicit = doc.explicit;
    const qualifier = explicit?.qualifier;
    if (!doc.shape) {
      // Not from the manifest collector's recognition (older callers): classify the whole document.
      const found = classifyGcloudDump(doc.value);
      if (found.length === 0) unrecognized++;
      else items.push(...found);
      continue;
    }
    const value = isRecord(doc.value) ? doc.value : {};
    if (doc.shape === 'gcp:firewall-policy') {
      // A described policy adds its parent and short name to the effective answer's entry; alone it is not the whole set.
      policies.push(mapFirewallPolicy(value));
      continue;
    }
    const itemType = ITEM_TYPE_OF_SHAPE[doc.shape];
    if (itemType) {
      const item = build(itemType, value);
      if (!item) continue;
      if (item.type === 'firewall' && qualifier && !item.value.network) item.value.network = qualifier;
      if (item.type === 'firewall' && !explicit && value.kind !== 'compute#firewall') firewallsByFields++;
      if (item.type === 'backendHealth' && qualifier && !item.value.backendService) item.value.backendService = qualifier;
      if (item.type === 'cluster' && explicit?.type.name === 'gcp:cluster') clusterName = item.value.name;
      items.push(item);
      continue;
    }
    switch (doc.shape) {
      case 'gcp:effective-firewalls': {
        // `gcloud compute networks get-effective-firewalls NET --format=json`: VPC rules and the policies in force.
        const effective = unpackEffectiveFirewalls(value);
        for (const firewall of effective.firewalls) {
          if (qualifier && !firewall.network) firewall.network = qualifier;
          items.push({ type: 'firewall', value: firewall });
        }
        policies.push(...effective.policies);
        data[DATA.gcpFirewalls] = { state: 'collected' };
        // networks.getEffectiveFirewalls returns hierarchical and global network policies only.
        data[DATA.gcpFirewallPolicies] = { state: 'collected', reason: EFFECTIVE_POLICIES };
        break;
      }
      case 'gcp:neg-endpoint': {
        const target = /^([^/]+)\/([^/]+)$/.exec(qualifier ?? '');
        if (!target) {
          notUsed.set('network endpoints of an unnamed NEG (state which: `gcp:neg-endpoints:ZONE/NEG=FILE`)', (notUsed.get('network endpoints of an unnamed NEG (state which: `gcp:neg-endpoints:ZONE/NEG=FILE`)') ?? 0) + 1);
          break;
        }
        let entry = endpoints.find((e) => e.zone === target[1] && e.name === target[2]);
        if (!entry) endpoints.push((entry = { zone: target[1]!, name: target[2]!, list: [] }));
        entry.list.push(mapNetworkEndpoint(value));
        break;
      }
      default: {
        const what = NOT_YET_USED[doc.shape] ?? doc.shape;
        notUsed.set(what, (notUsed.get(what) ?? 0) + 1);
      }
    }
  }

  for (const input of explicitInputs) {
    for (const key of EXPLICIT_KEYS[input.explicit.type.name] ?? []) data[key] = { state: 'collected' };
    if ((input.explicit.type.name === 'gcp:clusters' || input.explicit.type.name === 'gcp:negs' || input.explicit.type.name === 'gcp:backend-services') && input.explicit.qualifier) {
      project = input.explicit.qualifier;
    }
    if (input.explicit.type.name === 'gcp:neg-endpoints') {
      // An explicitly typed, empty endpoint list: the NEG has no endpoints.
      const target = /^([^/]+)\/([^/]+)$/.exec(input.explicit.qualifier ?? '');
      if (target && !endpoints.some((e) => e.zone === target[1] && e.name === target[2])) endpoints.push({ zone: target[1]!, name: target[2]!, list: [] });
    }
    if (input.explicit.type.name === 'gcp:firewall-policies') data[DATA.gcpFirewallPolicies] = { state: 'collected' };
    if (input.explicit.type.name === 'gcp:effective-firewalls') data[DATA.gcpFirewallPolicies] = { state: 'collected', reason: EFFECTIVE_POLICIES };
  }
  for (const [what, count] of notUsed) {
    notices.push({ file: '(Google Cloud inputs)', message: `recognised ${count} ${what}; not used` });
  }
  if (policies.length > 0 && data[DATA.gcpFirewallPolicies]?.state !== 'collected') {
    notices.push({
      file: '(Google Cloud inputs)',
      message: `recognised ${policies.length} firewall ${policies.length === 1 ? 'policy' : 'policies'}; not evaluated, because a shape alone cannot say these are all the policies that apply — state it with \`gcp:firewall-policies=FILE\` or give \`gcloud compute networks get-effective-firewalls NET --format=json\``,
    });
  }

  if (logs && logs.requests.length > 0) data[DATA.gcpRequestLogs] = { state: 'collected' };
  if (logs && logs.probes.length > 0) data[DATA.gcpProbeLogs] = { state: 'collected' };
  const hasState = items.length > 0 || Object.keys(data).length > 0 || endpoints.length > 0 || policies.length > 0;
  if (!hasState) return { unrecognized, notices };
  if (firewallsByFields > 0 && !data[DATA.gcpFirewalls]) data[DATA.gcpFirewalls] = { state: 'collected', reason: FIREWALLS_BY_FIELDS };
  for (const key of dataKeysOf(items)) if (!data[key]) data[key] = { state: 'collected' };
  if (items.some((i) => i.type === 'cluster') || data[DATA.gcpClusters]) data[DATA.gcpCluster] ??= { state: 'collected' };
  const state = mergeIntoCloudState({}, items);
  if (data[DATA.gcpClusters] && !state.clusters) state.clusters = [];
  if (data[DATA.gcpFirewalls] && !state.firewalls) state.firewalls = [];
  if (data[DATA.gcpNegs] && !state.negs) state.negs = [];
  if (data[DATA.gcpNodeVms] && !state.nodeVms) state.nodeVms = [];
  if (data[DATA.gcpBackendServices] && !state.backendServices) state.backendServices = [];
  if (data[DATA.gcpBackendHealth] && !state.backendHealth) state.backendHealth = [];
  // Merged by id with any policy the dumps already gave (describe adds parent and shortName to an effective entry).
  if (policies.length > 0) state.firewallPolicies = mergeIntoCloudState(state, policies.map((value) => ({ type: 'firewallPolicy' as const, value }))).firewallPolicies ?? [];
  else if (data[DATA.gcpFirewallPolicies]) state.firewallPolicies = [];
  if (data[DATA.gcpRequestLogs]) state.requestLogs = logs?.requests ?? [];
  if (data[DATA.gcpProbeLogs]) state.probeLogs = logs?.probes ?? [];
  if (logs && (state.requestLogs || state.probeLogs)) state.logWindow = logWindow(logs);
  if (project) state.project = project;
  if (clusterName) state.clusterName = clusterName;
  if (endpoints.length > 0) {
    for (const e of endpoints) {
      const neg = state.negs?.find((n) => n.name === e.name && lastSegment(n.zone) === e.zone);
      if (neg) neg.endpoints = e.list;
      else notices.push({ file: '(Google Cloud inputs)', message: `endpoints of NEG ${e.zone}/${e.name} were given, but the NEG itself is not among the inputs; not used` });
    }
  }
  return { cloud: { state, data }, unrecognized, notices };
}

/** The time span the log records cover. */
function logWindow(logs: LogCollection): NonNullable<CloudState['logWindow']> {
  let from: string | undefined;
  let to: string | undefined;
  for (const list of [logs.requests, logs.probes]) {
    for (const r of list) {
      if (from === undefined || r.t < from) from = r.t;
      if (to === undefined || r.t > to) to = r.t;
    }
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}), entries: logs.requests.length + logs.probes.length };
}
