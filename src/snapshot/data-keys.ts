/**
 * Keys naming the kinds of data a rule can need. Collectors mark each key as
 * collected, missing or errored in `snapshot.data`; the engine reports a rule
 * as not evaluated when one of its keys is not collected.
 */
export const DATA = {
  /** Object specs: workloads, Services, Ingresses and their configs (manifests or live). */
  workloads: 'k8s:workloads',
  services: 'k8s:services',
  ingresses: 'k8s:ingresses',
  ingressClasses: 'k8s:ingressclasses',
  hpas: 'k8s:horizontalpodautoscalers',
  networkPolicies: 'k8s:networkpolicies',
  backendConfigs: 'k8s:backendconfigs',
  frontendConfigs: 'k8s:frontendconfigs',
  gateways: 'k8s:gateways',
  /** GKE's Gateway policies (networking.gke.io/v1): HealthCheckPolicy, GCPBackendPolicy, GCPGatewayPolicy. */
  gatewayPolicies: 'k8s:gke-gateway-policies',
  /** Multi-cluster Services (net.gke.io/v1 ServiceImport, ServiceExport): what -mc Gateways route to. */
  serviceImports: 'k8s:serviceimports',
  /** Live state: only in scans, snapshots, or kubectl dumps given to lint. */
  pods: 'k8s:pods',
  endpointSlices: 'k8s:endpointslices',
  nodes: 'k8s:nodes',
  events: 'k8s:events',
  ingressStatus: 'k8s:ingress-status',
  workloadStatus: 'k8s:workload-status',
  serviceNegs: 'k8s:servicenetworkendpointgroups',
  /** Gateways read with their status (conditions, addresses) written by the controller. */
  gatewayStatus: 'k8s:gateway-status',
  /** Google Cloud state. */
  gcpCluster: 'gcp:cluster',
  gcpClusters: 'gcp:clusters',
  gcpNetwork: 'gcp:network',
  gcpFirewalls: 'gcp:firewalls',
  gcpFirewallPolicies: 'gcp:firewall-policies',
  /** The subnetworks of the cluster's network in its region (proxy-only subnets). */
  gcpSubnetworks: 'gcp:subnetworks',
  gcpNegs: 'gcp:negs',
  /** The cluster's node VMs: instances, instance templates, managed instance groups (the tags and service accounts nodes carry). */
  gcpNodeVms: 'gcp:node-vms',
  gcpNegEndpoints: 'gcp:neg-endpoints',
  gcpBackendServices: 'gcp:backend-services',
  gcpBackendHealth: 'gcp:backend-health',
  /** Cloud Logging: load balancer request logs and health-check logs (`scan --logs`, or `gcloud logging read` dumps). */
  gcpRequestLogs: 'gcp:lb-request-logs',
  gcpProbeLogs: 'gcp:health-check-logs',
} as const;

export type DataKey = (typeof DATA)[keyof typeof DATA];

/**
 * The reason recorded with `gcp:firewalls` when its rules were read by their
 * fields alone (pasted: no `kind`, no stated type). Such a list may not be
 * all of the network's rules, so a verdict that rests on the implied deny
 * says it holds only if they are.
 */
export const FIREWALLS_BY_FIELDS = 'firewall rules read by their fields (no kind, no stated type): perhaps not all of the network\'s rules';

/** Every Google Cloud key: what `--no-cloud`, a missing project or offline lint mark as not collected. */
export const GCP_DATA: DataKey[] = Object.values(DATA).filter((key) => key.startsWith('gcp:'));

/** The keys that manifests always provide: the linted files are the whole input set. */
export const SPEC_DATA: DataKey[] = [
  DATA.workloads,
  DATA.services,
  DATA.ingresses,
  DATA.ingressClasses,
  DATA.hpas,
  DATA.networkPolicies,
  DATA.backendConfigs,
  DATA.frontendConfigs,
  DATA.gateways,
  DATA.gatewayPolicies,
];
