/**
 * The cluster's VPC network and what decides the traffic in it: the network
 * itself, its firewall rules, the firewall policies that apply to it, and the
 * subnetworks of the cluster's region (the proxy-only subnets live among them).
 */
import { DATA } from '../../snapshot/data-keys.js';
import type { GcpFirewall, GcpFirewallPolicy, GkeCluster } from '../../snapshot/types.js';
import { unpackEffectiveFirewalls } from '../effective-firewalls.js';
import { networkOf } from './clusters.js';
import type { GcpReadContext } from './context.js';
import { describeGcpError, httpStatusOf } from './errors.js';
import { mapFirewall, mapNetwork, mapSubnetwork } from './map.js';
import { regionOf } from './names.js';
import { OPS } from './operations.js';
import { CALL, listItems } from './session.js';

interface NetworkName {
  project: string;
  name: string;
}

/**
 * Everything about the cluster's network (`cluster` undefined: the cluster
 * could not be read). Without a known network only the firewall rules are
 * read, all of the project's; the other keys say why they are missing.
 */
export async function readClusterNetwork(context: GcpReadContext, cluster: GkeCluster | undefined): Promise<void> {
  const { session, options } = context;
  const network = cluster ? networkOf(cluster, options.project) : undefined;
  if (!network) {
    const why = cluster ? 'the cluster names no network' : 'the cluster could not be read, so its network is unknown';
    for (const key of [DATA.gcpNetwork, DATA.gcpFirewallPolicies, DATA.gcpSubnetworks]) session.missing(key, why);
  }
  await Promise.all([
    network ? readNetwork(context, network) : undefined,
    readFirewalls(context, network),
    network ? readFirewallPolicies(context, network) : undefined,
    network ? readSubnetworks(context, network) : undefined,
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
async function readFirewallPolicies({ session, clients, options, cloud }: GcpReadContext, network: NetworkName): Promise<void> {
  const region = regionOf(options.location);
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
  // The answers' VPC rules are not taken: readFirewalls lists them, with the network's filter.
  const policies: GcpFirewallPolicy[] = unpackEffectiveFirewalls(global).policies;
  for (const policy of unpackEffectiveFirewalls(regional.raw).policies) {
    if (policy.type === 'NETWORK_REGIONAL' || policy.type === 'SYSTEM_REGIONAL') policies.push({ ...policy, region });
  }
  cloud.firewallPolicies = policies;
  session.collected(
    DATA.gcpFirewallPolicies,
    regional.error ? `regional network firewall policies of ${region} were not read and not evaluated: ${regional.error}` : undefined,
  );
  session.progress.onDone?.('firewall-policies', policies.length);
}


/** The subnetworks of the network in the cluster's region: the proxy-only subnets live among them. */
async function readSubnetworks({ session, clients, options, cloud }: GcpReadContext, network: NetworkName): Promise<void> {
  const region = regionOf(options.location);
  const filter = `network eq ".*/projects/${network.project}/global/networks/${network.name}"`;
  try {
    const items = await session.listAll(
      'subnetworks',
      (pageToken) =>
        clients.subnetworks.list({ project: network.project, region, maxResults: session.pageSize, filter, ...(pageToken ? { pageToken } : {}) }, CALL),
      listItems,
    );
    cloud.subnetworks = items.map(mapSubnetwork);
    session.collected(DATA.gcpSubnetworks);
  } catch (error) {
    session.fail(DATA.gcpSubnetworks, 'subnetworks', OPS.listSubnetworks, `projects/${network.project}/regions/${region}`, error);
  }
}


async function readNetwork({ session, clients, cloud }: GcpReadContext, network: NetworkName): Promise<void> {
  session.progress.onStart?.('network');
  try {
    const [raw] = await session.call('network', () => clients.networks.get({ project: network.project, network: network.name }, CALL));
    cloud.networks = [mapNetwork(raw)];
    session.collected(DATA.gcpNetwork);
    session.progress.onDone?.('network', 1);
  } catch (error) {
    session.fail(DATA.gcpNetwork, 'network', OPS.getNetwork, `projects/${network.project}/global/networks/${network.name}`, error);
  }
}


/** The firewall rules of the cluster's network; all of the project's when the network is unknown. */
async function readFirewalls({ session, clients, options, cloud }: GcpReadContext, network: NetworkName | undefined): Promise<void> {
  const project = network?.project ?? options.project;
  // RE2 over the whole URL, so it matches whatever host the API writes into selfLinks.
  const filter = network ? `network eq ".*/projects/${project}/global/networks/${network.name}"` : undefined;
  try {
    const items = await session.listAll(
      'firewalls',
      (pageToken) =>
        clients.firewalls.list({ project, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}), ...(filter ? { filter } : {}) }, CALL),
      listItems,
    );
    cloud.firewalls = items.map(mapFirewall) as GcpFirewall[];
    session.collected(DATA.gcpFirewalls);
  } catch (error) {
    session.fail(DATA.gcpFirewalls, 'firewalls', OPS.listFirewalls, `projects/${project}`, error);
  }
}
