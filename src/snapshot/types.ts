/**
 * The Snapshot: the only contract between collectors and rules.
 *
 * Everything here is plain JSON so that a live scan can be written to a file
 * and replayed later with identical findings. Source positions of individual
 * fields are not part of the snapshot (they live in a SourceIndex kept beside
 * it by the manifest collector); each object only records where its document
 * starts.
 */

export const SNAPSHOT_API_VERSION = 'negdoctor.dev/v1';
export const SNAPSHOT_KIND = 'Snapshot';

/** A Kubernetes object as found in a manifest or returned by the API server. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export interface KubeMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  [key: string]: unknown;
}

/** Where an object's document starts. `path` is the object's position inside the document (e.g. ['items', 3] in a List). */
export interface SourceRef {
  file: string;
  documentIndex: number;
  path: Array<string | number>;
  line: number;
  column: number;
}

export interface SnapshotObject {
  /** Stable index of the object within the snapshot (its position in `objects`). */
  id: number;
  object: KubeObject;
  source?: SourceRef;
}

/** A problem with the inputs themselves: reported by the `yaml-syntax` rule. */
export interface InputProblem {
  kind: 'syntax' | 'unreadable' | 'encoding' | 'not-an-object' | 'resource-limit';
  file: string;
  message: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface InputNotice {
  file: string;
  message: string;
}

export interface InputSummary {
  files: number;
  documents: number;
  /** Documents that are YAML but not Kubernetes objects (no apiVersion/kind). */
  nonKubernetes: number;
  /** Files skipped entirely (e.g. Helm templates). */
  skippedFiles: number;
  problems: InputProblem[];
  notices: InputNotice[];
  /**
   * Kinds the inputs hold every object of (a file of stated type, a gather
   * capture, a typed list such as `kind: ServiceList`): an object of such a
   * kind missing from the inputs is missing from the cluster.
   */
  completeKinds?: string[];
}

/**
 * Availability of one kind of data. Rules declare the keys they need; the
 * engine reports a rule as not evaluated when a key is not `collected`.
 */
export interface DataAvailability {
  state: 'collected' | 'missing' | 'error';
  reason?: string;
}

/** A collection error recorded instead of aborting the scan. */
export interface CollectionError {
  source: 'kube' | 'gcp' | 'input';
  /** The data key it affects (see DataKey). */
  data: string;
  message: string;
  status?: number;
  /** The cluster, in the report of a scan of several clusters (never in a snapshot file). */
  cluster?: string;
}

export interface ClusterInfo {
  context?: string;
  server?: string;
  serverVersion?: string;
  /** UID of the kube-system Namespace: GKE's cluster UID in NEG descriptions. */
  kubeSystemUid?: string;
  project?: string;
  location?: string;
  name?: string;
}

export interface Snapshot {
  apiVersion: typeof SNAPSHOT_API_VERSION;
  kind: typeof SNAPSHOT_KIND;
  /** ISO timestamp: rules take "now" from here, so replays are deterministic. */
  collectedAt: string;
  source: 'manifests' | 'live';
  tool: { name: string; version: string };
  cluster?: ClusterInfo;
  objects: SnapshotObject[];
  /** Google Cloud state (filled by the gcp collector or by gcloud JSON dumps). */
  cloud?: CloudState;
  data: Record<string, DataAvailability>;
  errors: CollectionError[];
  inputs: InputSummary;
}

/**
 * Google Cloud resources, mapped into our own plain types (no proto helpers).
 * Fields are optional because gcloud dumps and API answers differ in what they carry.
 */
/**
 * A node VM, its instance template or its managed instance group, reduced to
 * what the firewall evaluation needs. `cluster`/`pool` come from GKE's labels
 * (`goog-k8s-cluster-name`, `goog-k8s-node-pool-name`) or metadata
 * (`cluster-name`); a MIG carries neither and names its template instead.
 */
export interface GcpNodeVm {
  kind: 'instance' | 'instanceTemplate' | 'instanceGroupManager';
  name: string;
  selfLink?: string;
  zone?: string;
  tags?: string[];
  serviceAccounts?: string[];
  cluster?: string;
  pool?: string;
  /** An instance: the template it was made from (metadata `instance-template`); a MIG: its template. */
  instanceTemplate?: string;
  baseInstanceName?: string;
}

export interface CloudState {
  project?: string;
  clusters?: GkeCluster[];
  /** The cluster the snapshot is about, when known. */
  clusterName?: string;
  networks?: GcpNetwork[];
  firewalls?: GcpFirewall[];
  /**
   * Firewall policies that apply to the cluster's network, as the
   * effective-firewalls APIs return them (`firewallPolicys[]`: name,
   * shortName, type, priority, rules), or as `gcloud compute
   * firewall-policies describe` prints them (with `parent`).
   */
  firewallPolicies?: GcpFirewallPolicy[];
  /** Subnetworks of the cluster's network (at least its region's). */
  subnetworks?: GcpSubnetwork[];
  negs?: GcpNeg[];
  /** The cluster's node VMs as Compute sees them: instances, instance templates, managed instance groups (tags and service accounts the nodes really carry). */
  nodeVms?: GcpNodeVm[];
  backendServices?: GcpBackendService[];
  backendHealth?: GcpBackendHealth[];
  /** Load balancer request logs of the cluster's backends (5xx and the entries needed to judge them), reduced: no client IPs, user agents, query strings or trace ids. */
  requestLogs?: LbRequestLog[];
  /** Health-check probe logs (transitions) of NEG endpoints. */
  probeLogs?: ProbeLog[];
  /** What was read: the window, and whether a cap cut it short. */
  logWindow?: { from?: string; to?: string; truncated?: boolean; entries?: number };
}

/**
 * One Application Load Balancer request log entry, reduced to what the symptom
 * rules judge (Cloud Logging LogEntry: `httpRequest`, `jsonPayload`, `resource.labels`).
 */
export interface LbRequestLog {
  /** ISO timestamp of the request. */
  t: string;
  /** `httpRequest.status`. */
  status?: number;
  /** `jsonPayload.statusDetails`: why the load balancer answered as it did. */
  statusDetails?: string;
  /** `jsonPayload.proxyStatus` (Envoy-based load balancers). */
  proxyStatus?: string;
  /** `resource.labels.backend_service_name` (global/classic) or `backend_target_name` (regional/internal). */
  backendService?: string;
  /** `resource.labels.backend_name` of regional/internal load balancers: the NEG. */
  neg?: string;
  /** `httpRequest.serverIp` without the port: for NEG backends the pod IP. */
  serverIp?: string;
  serverPort?: number;
  /** `httpRequest.latency` in seconds. */
  latency?: number;
  /** `resource.type`: http_load_balancer, internal_http_lb_rule, http_external_regional_lb_rule. */
  resourceType: string;
  /** `httpRequest.requestMethod` and the URL path (no query string). */
  method?: string;
  path?: string;
}

/** One health-check log entry (`jsonPayload.healthCheckProbeResult`) of a NEG endpoint. */
export interface ProbeLog {
  t: string;
  /** `resource.labels.network_endpoint_group_id`: the NEG's numeric id. */
  negId: string;
  zone?: string;
  /** `ipAddress`/`targetIp` and `targetPort`. */
  ip?: string;
  port?: number;
  /** HEALTHY / UNHEALTHY (`healthState`), and the detailed state (HEALTHY, TIMEOUT, UNHEALTHY, DRAINING, UNKNOWN). */
  healthState?: string;
  detailedHealthState?: string;
  previousDetailedHealthState?: string;
  /** `probeResultText` (e.g. "HTTP response: 404, Error: Not Found"), `probeRequest` (the path), `probeCompletionResult`. */
  probeResultText?: string;
  probeRequest?: string;
  probeCompletionResult?: string;
}

export interface GkeCluster {
  name: string;
  location?: string;
  selfLink?: string;
  network?: string;
  subnetwork?: string;
  currentMasterVersion?: string;
  locations?: string[];
  ipAllocationPolicy?: { useIpAliases?: boolean; [k: string]: unknown };
  addonsConfig?: { httpLoadBalancing?: { disabled?: boolean } };
  nodePools?: Array<{
    name: string;
    config?: { tags?: string[]; serviceAccount?: string; resourceManagerTags?: { tags?: Record<string, string> } };
    locations?: string[];
  }>;
  status?: string;
  /** The cluster's id (hex); its first 8 digits are in GKE's node tag `gke-<cluster>-<hash>-node`. */
  id?: string;
  /** Not returned by the API; filled when known (e.g. from the kube-system Namespace). */
  clusterUid?: string;
  [k: string]: unknown;
}

export interface GcpNetwork {
  name: string;
  selfLink?: string;
  IPv4Range?: string;
  autoCreateSubnetworks?: boolean;
  [k: string]: unknown;
}

export interface GcpFirewallPolicy {
  name: string;
  shortName?: string;
  displayName?: string;
  /** HIERARCHY, NETWORK, NETWORK_REGIONAL, SYSTEM, SYSTEM_GLOBAL, SYSTEM_REGIONAL. */
  type?: string;
  /** `organizations/N` or `folders/N` (hierarchical policies, from describe/list). */
  parent?: string;
  priority?: number;
  region?: string;
  rules?: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

export interface GcpSubnetwork {
  name: string;
  network?: string;
  region?: string;
  ipCidrRange?: string;
  /** PRIVATE, REGIONAL_MANAGED_PROXY, GLOBAL_MANAGED_PROXY, INTERNAL_HTTPS_LOAD_BALANCER (older name of the regional one), … */
  purpose?: string;
  /** Proxy-only subnets: ACTIVE or BACKUP. */
  role?: string;
  selfLink?: string;
  [k: string]: unknown;
}

export interface GcpFirewall {
  name: string;
  network?: string;
  direction?: 'INGRESS' | 'EGRESS';
  priority?: number;
  disabled?: boolean;
  sourceRanges?: string[];
  sourceTags?: string[];
  sourceServiceAccounts?: string[];
  targetTags?: string[];
  targetServiceAccounts?: string[];
  allowed?: Array<{ IPProtocol: string; ports?: string[] }>;
  denied?: Array<{ IPProtocol: string; ports?: string[] }>;
  selfLink?: string;
  [k: string]: unknown;
}

export interface GcpNeg {
  name: string;
  zone?: string;
  description?: string;
  network?: string;
  networkEndpointType?: string;
  size?: number;
  selfLink?: string;
  creationTimestamp?: string;
  /** Filled by listNetworkEndpoints for the NEGs that were inspected. */
  endpoints?: Array<{ ipAddress?: string; port?: number; instance?: string }>;
  [k: string]: unknown;
}

export interface GcpBackendService {
  name: string;
  selfLink?: string;
  backends?: Array<{ group: string; [k: string]: unknown }>;
  healthChecks?: string[];
  connectionDraining?: { drainingTimeoutSec?: number };
  loadBalancingScheme?: string;
  region?: string;
  [k: string]: unknown;
}

export interface GcpBackendHealth {
  backendService: string;
  group: string;
  healthStatus: Array<{
    ipAddress?: string;
    port?: number;
    healthState?: string;
    instance?: string;
    forwardingRule?: string;
    [k: string]: unknown;
  }>;
}
