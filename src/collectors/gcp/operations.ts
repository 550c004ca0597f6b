/**
 * The calls the Google Cloud collector makes, what each one reads and the IAM
 * permission it needs: the words of its error messages and the README's list.
 */

export interface Operation {
  what: string;
  permission: string;
}

export interface GcpPermission {
  permission: string;
  /** The API call that needs it. */
  call: string;
  why: string;
}

export const OPS = {
  getCluster: { what: 'reading the GKE cluster', permission: 'container.clusters.get' },
  listClusters: { what: "listing the project's GKE clusters", permission: 'container.clusters.list' },
  getNetwork: { what: "reading the cluster's VPC network", permission: 'compute.networks.get' },
  listFirewalls: { what: 'listing firewall rules', permission: 'compute.firewalls.list' },
  getEffectiveFirewalls: { what: "reading the firewall policies that apply to the cluster's network", permission: 'compute.networks.getEffectiveFirewalls' },
  getRegionEffectiveFirewalls: { what: "reading the regional network firewall policies of the cluster's region", permission: 'compute.networks.getRegionEffectiveFirewalls' },
  listSubnetworks: { what: "listing the subnetworks of the cluster's region", permission: 'compute.subnetworks.list' },
  listNegs: { what: 'listing network endpoint groups', permission: 'compute.networkEndpointGroups.list' },
  listNegEndpoints: { what: 'listing the endpoints of a NEG', permission: 'compute.networkEndpointGroups.get' },
  listInstances: { what: "listing the cluster's node VMs", permission: 'compute.instances.list' },
  listInstanceTemplates: { what: "listing the instance templates of the cluster's node pools", permission: 'compute.instanceTemplates.list' },
  listBackendServices: { what: 'listing global backend services', permission: 'compute.backendServices.list' },
  listRegionBackendServices: { what: 'listing regional backend services', permission: 'compute.regionBackendServices.list' },
  getHealth: { what: 'reading backend health', permission: 'compute.backendServices.get' },
  getRegionHealth: { what: 'reading regional backend health', permission: 'compute.regionBackendServices.get' },
  listLogEntries: { what: 'reading the load balancer request logs and health-check logs (entries.list, in roles/logging.viewer)', permission: 'logging.logEntries.list' },
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
  { permission: OPS.listInstances.permission, call: 'compute instances.aggregatedList', why: "network tags and service accounts the cluster's nodes carry (filtered by GKE's label goog-k8s-cluster-name)" },
  { permission: OPS.listInstanceTemplates.permission, call: 'compute instanceTemplates.list', why: "network tags and service accounts of the node pools' instance templates (`gke-CLUSTER-…`)" },
  { permission: OPS.listBackendServices.permission, call: 'compute backendServices.list', why: 'backend services (external Ingress) and their NEG backends' },
  { permission: OPS.listRegionBackendServices.permission, call: 'compute regionBackendServices.list', why: 'regional backend services (internal Ingress)' },
  { permission: OPS.getHealth.permission, call: 'compute backendServices.getHealth', why: 'health of NEG endpoints' },
  { permission: OPS.getRegionHealth.permission, call: 'compute regionBackendServices.getHealth', why: 'health of NEG endpoints behind internal Ingress' },
  { permission: OPS.listLogEntries.permission, call: 'logging entries.list (only with `scan --logs`)', why: 'load balancer request logs and health-check logs of the cluster\'s backends (roles/logging.viewer)' },
];
