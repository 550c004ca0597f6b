/**
 * What an input document holds, told by its shape when it does not say.
 *
 * People diagnose from whatever they can get: `gcloud … --format=json`, raw
 * REST answers, `kubectl get … -o json | jq .items`, objects pasted into a
 * ticket with `kind`, `apiVersion` or `selfLink` trimmed away. This module is
 * the one table of those shapes:
 *
 *   - WRAPPERS: lists around the objects (arrays, REST list answers,
 *     aggregated lists, `{"clusters": […]}`, `kind: List`, effective firewalls);
 *   - SHAPES: one entry per object type a rule reads, with the fields that
 *     tell it apart (`all` must be there, at least one of `any`, none of `none`);
 *   - INPUT_TYPES: the names a user (or a `negdoctor gather` bundle) gives
 *     to state a file's type explicitly, `TYPE[:QUALIFIER]=PATH`.
 *
 * `recognize()` unwraps a document and classifies each object: by its
 * `kind` when it has one, else by the wrapper it came in (a `PodList`, an
 * aggregated list's `networkEndpointGroups` key), else by its shape. An
 * object that fits no shape or several is returned as `unknown` with the
 * candidates, so the caller can say what it might be and how to type it.
 * Pure functions, no I/O; the table of docs/inputs.md is this file.
 */
import { isRecord } from '../util/values.js';

export type Domain = 'kube' | 'gcp';

/**
 * A field test: `path` is dot-separated; a segment ending in `[]` steps into
 * an array and the rest must hold for at least one item.
 * `is`: present (not null/undefined), array, object or string.
 */
export interface FieldTest {
  path: string;
  is?: 'present' | 'array' | 'object' | 'string';
}

export interface Shape {
  /** Stable id: `k8s:Pod`, `gcp:firewall`. */
  id: string;
  domain: Domain;
  /** What a person calls it, for notices. */
  label: string;
  /** Kubernetes kind and the apiVersion an object without one is given. */
  kind?: string;
  apiVersion?: string;
  /** The explicit input type that holds objects of this shape (see INPUT_TYPES). */
  inputType: string;
  all?: FieldTest[];
  any?: FieldTest[];
  none?: FieldTest[];
}

const f = (path: string, is: FieldTest['is'] = 'present'): FieldTest => ({ path, is });

/** Fields that mark a pod template owner; kept out of Pod and of each other. */
const WORKLOAD_ONLY = [f('spec.schedule'), f('spec.jobTemplate')];

/**
 * Every object type a rule reads. Kubernetes entries: `kind`/`apiVersion` are
 * what an object recognised by shape is given. Order does not matter: an
 * object matching two entries is ambiguous, never "the first".
 */
export const SHAPES: readonly Shape[] = [
  // ---- Kubernetes ----
  { id: 'k8s:Pod', domain: 'kube', label: 'a Pod', kind: 'Pod', apiVersion: 'v1', inputType: 'k8s:pods', all: [f('spec.containers', 'array')] },
  {
    id: 'k8s:Deployment', domain: 'kube', label: 'a Deployment', kind: 'Deployment', apiVersion: 'apps/v1', inputType: 'k8s:deployments',
    all: [f('spec.template', 'object')],
    any: [f('spec.strategy'), f('spec.progressDeadlineSeconds'), f('status.updatedReplicas')],
    none: [f('spec.serviceName'), f('spec.volumeClaimTemplates'), f('spec.podManagementPolicy'), f('spec.updateStrategy'), f('spec.backoffLimit'), f('spec.completions'), ...WORKLOAD_ONLY],
  },
  {
    id: 'k8s:StatefulSet', domain: 'kube', label: 'a StatefulSet', kind: 'StatefulSet', apiVersion: 'apps/v1', inputType: 'k8s:statefulsets',
    all: [f('spec.template', 'object')],
    any: [f('spec.serviceName'), f('spec.volumeClaimTemplates'), f('spec.podManagementPolicy'), f('spec.persistentVolumeClaimRetentionPolicy')],
    none: [f('spec.strategy'), ...WORKLOAD_ONLY],
  },
  {
    id: 'k8s:DaemonSet', domain: 'kube', label: 'a DaemonSet', kind: 'DaemonSet', apiVersion: 'apps/v1', inputType: 'k8s:daemonsets',
    all: [f('spec.template', 'object')],
    any: [f('spec.updateStrategy'), f('status.desiredNumberScheduled'), f('status.numberReady')],
    none: [f('spec.replicas'), f('spec.strategy'), f('spec.serviceName'), f('spec.volumeClaimTemplates'), f('spec.podManagementPolicy'), ...WORKLOAD_ONLY],
  },
  {
    id: 'k8s:ReplicaSet', domain: 'kube', label: 'a ReplicaSet', kind: 'ReplicaSet', apiVersion: 'apps/v1', inputType: 'k8s:replicasets',
    all: [f('spec.template', 'object'), f('spec.selector', 'object')],
    any: [f('status.fullyLabeledReplicas'), f('metadata.ownerReferences[].kind')],
    none: [f('spec.strategy'), f('spec.updateStrategy'), f('spec.serviceName'), f('spec.backoffLimit'), ...WORKLOAD_ONLY],
  },
  {
    id: 'k8s:Job', domain: 'kube', label: 'a Job', kind: 'Job', apiVersion: 'batch/v1', inputType: 'k8s:jobs',
    all: [f('spec.template', 'object')],
    any: [f('spec.backoffLimit'), f('spec.completions'), f('spec.parallelism'), f('spec.activeDeadlineSeconds'), f('spec.ttlSecondsAfterFinished'), f('status.succeeded')],
    none: [f('spec.strategy'), f('spec.updateStrategy'), f('spec.serviceName'), ...WORKLOAD_ONLY],
  },
  { id: 'k8s:CronJob', domain: 'kube', label: 'a CronJob', kind: 'CronJob', apiVersion: 'batch/v1', inputType: 'k8s:cronjobs', all: [f('spec.schedule', 'string'), f('spec.jobTemplate', 'object')] },
  {
    id: 'k8s:Service', domain: 'kube', label: 'a Service', kind: 'Service', apiVersion: 'v1', inputType: 'k8s:services',
    all: [f('spec.ports[].port')],
    none: [f('spec.containers'), f('spec.template'), f('spec.listeners')],
  },
  {
    id: 'k8s:Ingress', domain: 'kube', label: 'an Ingress', kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', inputType: 'k8s:ingresses',
    any: [f('spec.rules[].http'), f('spec.rules[].host'), f('spec.defaultBackend'), f('spec.backend')],
    none: [f('spec.parentRefs'), f('spec.ports')],
  },
  { id: 'k8s:IngressClass', domain: 'kube', label: 'an IngressClass', kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', inputType: 'k8s:ingressclasses', all: [f('spec.controller', 'string')], none: [f('spec.rules')] },
  { id: 'k8s:EndpointSlice', domain: 'kube', label: 'an EndpointSlice', kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', inputType: 'k8s:endpointslices', all: [f('addressType', 'string')],
    // A Compute address (`gcloud compute addresses list`) has an addressType too (INTERNAL/EXTERNAL), with its address and status.
    none: [f('address'), f('networkTier'), f('status', 'string'), f('purpose'), f('selfLink')] },
  {
    id: 'k8s:Node', domain: 'kube', label: 'a Node', kind: 'Node', apiVersion: 'v1', inputType: 'k8s:nodes',
    any: [f('spec.providerID'), f('spec.podCIDR'), f('status.nodeInfo'), f('status.allocatable')],
    none: [f('spec.containers'), f('spec.template')],
  },
  { id: 'k8s:Event', domain: 'kube', label: 'an Event', kind: 'Event', apiVersion: 'v1', inputType: 'k8s:events', all: [f('involvedObject', 'object'), f('reason', 'string')] },
  {
    id: 'k8s:Namespace', domain: 'kube', label: 'a Namespace', kind: 'Namespace', apiVersion: 'v1', inputType: 'k8s:namespaces',
    all: [f('metadata.name', 'string')],
    any: [f('spec.finalizers', 'array')],
    none: [f('spec.containers'), f('spec.template'), f('spec.ports'), f('spec.selector'), f('spec.rules')],
  },
  {
    id: 'k8s:NetworkPolicy', domain: 'kube', label: 'a NetworkPolicy', kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', inputType: 'k8s:networkpolicies',
    all: [f('spec.podSelector', 'object')],
    any: [f('spec.policyTypes'), f('spec.ingress'), f('spec.egress')],
  },
  {
    id: 'k8s:HorizontalPodAutoscaler', domain: 'kube', label: 'a HorizontalPodAutoscaler', kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', inputType: 'k8s:horizontalpodautoscalers',
    all: [f('spec.scaleTargetRef', 'object')],
    any: [f('spec.maxReplicas'), f('spec.minReplicas'), f('spec.metrics')],
  },
  {
    id: 'k8s:BackendConfig', domain: 'kube', label: 'a BackendConfig', kind: 'BackendConfig', apiVersion: 'cloud.google.com/v1', inputType: 'k8s:backendconfigs',
    any: [f('spec.healthCheck'), f('spec.connectionDraining'), f('spec.cdn'), f('spec.iap'), f('spec.securityPolicy'), f('spec.timeoutSec'), f('spec.customRequestHeaders'), f('spec.logging')],
    none: [f('spec.ports'), f('spec.containers'), f('spec.template'), f('spec.selector'), f('spec.targetRef'), f('spec.default')],
  },
  {
    id: 'k8s:FrontendConfig', domain: 'kube', label: 'a FrontendConfig', kind: 'FrontendConfig', apiVersion: 'networking.gke.io/v1beta1', inputType: 'k8s:frontendconfigs',
    any: [f('spec.redirectToHttps'), f('spec.sslPolicy')],
    none: [f('spec.ports'), f('spec.rules')],
  },
  {
    id: 'k8s:ServiceNetworkEndpointGroup', domain: 'kube', label: 'a ServiceNetworkEndpointGroup', kind: 'ServiceNetworkEndpointGroup', apiVersion: 'networking.gke.io/v1beta1', inputType: 'k8s:servicenetworkendpointgroups',
    all: [f('status.networkEndpointGroups', 'array')],
  },
  { id: 'k8s:GatewayClass', domain: 'kube', label: 'a GatewayClass', kind: 'GatewayClass', apiVersion: 'gateway.networking.k8s.io/v1', inputType: 'k8s:gatewayclasses', all: [f('spec.controllerName', 'string')], none: [f('spec.listeners')] },
  { id: 'k8s:Gateway', domain: 'kube', label: 'a Gateway', kind: 'Gateway', apiVersion: 'gateway.networking.k8s.io/v1', inputType: 'k8s:gateways', all: [f('spec.gatewayClassName', 'string'), f('spec.listeners', 'array')] },
  {
    id: 'k8s:HTTPRoute', domain: 'kube', label: 'an HTTPRoute', kind: 'HTTPRoute', apiVersion: 'gateway.networking.k8s.io/v1', inputType: 'k8s:httproutes',
    all: [f('spec.parentRefs', 'array')],
    any: [f('spec.rules[].matches[].path'), f('spec.rules[].matches[].headers'), f('spec.rules[].filters'), f('spec.hostnames')],
    none: [f('spec.rules[].matches[].method.service')],
  },
  { id: 'k8s:GRPCRoute', domain: 'kube', label: 'a GRPCRoute', kind: 'GRPCRoute', apiVersion: 'gateway.networking.k8s.io/v1', inputType: 'k8s:grpcroutes', all: [f('spec.parentRefs', 'array'), f('spec.rules[].matches[].method', 'object')] },
  { id: 'k8s:ReferenceGrant', domain: 'kube', label: 'a ReferenceGrant', kind: 'ReferenceGrant', apiVersion: 'gateway.networking.k8s.io/v1beta1', inputType: 'k8s:referencegrants', all: [f('spec.from', 'array'), f('spec.to', 'array')] },
  // Multi-cluster Services (GKE MCS, net.gke.io/v1): what `-mc` Gateways route to. Read by kind only: their fields say too little.
  { id: 'k8s:ServiceImport', domain: 'kube', label: 'a ServiceImport', kind: 'ServiceImport', apiVersion: 'net.gke.io/v1', inputType: 'k8s:serviceimports' },
  { id: 'k8s:ServiceExport', domain: 'kube', label: 'a ServiceExport', kind: 'ServiceExport', apiVersion: 'net.gke.io/v1', inputType: 'k8s:serviceexports' },
  // GKE's Gateway policies share `spec.targetRef` + `spec.default`; the fields under `default` tell them apart.
  { id: 'k8s:HealthCheckPolicy', domain: 'kube', label: 'a HealthCheckPolicy', kind: 'HealthCheckPolicy', apiVersion: 'networking.gke.io/v1', inputType: 'k8s:healthcheckpolicies', all: [f('spec.targetRef', 'object'), f('spec.default.config', 'object')] },
  {
    id: 'k8s:GCPBackendPolicy', domain: 'kube', label: 'a GCPBackendPolicy', kind: 'GCPBackendPolicy', apiVersion: 'networking.gke.io/v1', inputType: 'k8s:gcpbackendpolicies',
    all: [f('spec.targetRef', 'object')],
    any: ['timeoutSec', 'connectionDraining', 'logging', 'securityPolicy', 'sessionAffinity', 'maxRatePerEndpoint', 'iap', 'backendPreference'].map((k) => f(`spec.default.${k}`)),
    none: [f('spec.default.config')],
  },
  {
    id: 'k8s:GCPGatewayPolicy', domain: 'kube', label: 'a GCPGatewayPolicy', kind: 'GCPGatewayPolicy', apiVersion: 'networking.gke.io/v1', inputType: 'k8s:gcpgatewaypolicies',
    all: [f('spec.targetRef', 'object')],
    any: ['allowGlobalAccess', 'regionalCertificateMapName', 'sslPolicy'].map((k) => f(`spec.default.${k}`)),
    none: [f('spec.default.config')],
  },

  // ---- Google Cloud ----
  { id: 'gcp:firewall', domain: 'gcp', label: 'a VPC firewall rule', inputType: 'gcp:firewalls', any: [f('allowed[].IPProtocol'), f('denied[].IPProtocol')], none: [f('spec'), f('metadata')] },
  {
    id: 'gcp:network', domain: 'gcp', label: 'a VPC network', inputType: 'gcp:network',
    all: [f('name', 'string')],
    any: [f('autoCreateSubnetworks'), f('IPv4Range'), f('x_gcloud_subnet_mode'), f('subnetworks', 'array'), f('routingConfig'), f('peerings')],
    none: [f('ipCidrRange'), f('allowed'), f('denied'), f('spec')],
  },
  {
    id: 'gcp:subnetwork', domain: 'gcp', label: 'a VPC subnetwork', inputType: 'gcp:subnetworks',
    all: [f('ipCidrRange', 'string')],
    any: [f('network'), f('region'), f('purpose'), f('gatewayAddress'), f('secondaryIpRanges'), f('privateIpGoogleAccess')],
    none: [f('spec'), f('allowed'), f('denied')],
  },
  { id: 'gcp:neg', domain: 'gcp', label: 'a network endpoint group', inputType: 'gcp:negs', all: [f('networkEndpointType', 'string')], none: [f('spec')] },
  { id: 'gcp:neg-endpoint', domain: 'gcp', label: 'a network endpoint (list-network-endpoints)', inputType: 'gcp:neg-endpoints', all: [f('networkEndpoint', 'object')] },
  {
    id: 'gcp:backend-service', domain: 'gcp', label: 'a backend service', inputType: 'gcp:backend-services',
    any: [f('backends[].group', 'string'), f('healthChecks', 'array'), f('connectionDraining', 'object')],
    none: [f('networkEndpointType'), f('spec'), f('healthStatus'), f('nodePools')],
  },
  {
    id: 'gcp:backend-health', domain: 'gcp', label: 'backend health (get-health)', inputType: 'gcp:backend-health',
    // gcloud's get-health: [{backend, status: {kind, healthStatus?}}]; healthStatus is absent for an empty group.
    any: [f('healthStatus', 'array'), f('status.healthStatus', 'array'), f('status.kind', 'string')],
    none: [f('spec'), f('metadata')],
  },
  {
    id: 'gcp:health-check', domain: 'gcp', label: 'a health check', inputType: 'gcp:health-checks',
    any: [f('httpHealthCheck'), f('httpsHealthCheck'), f('http2HealthCheck'), f('tcpHealthCheck'), f('sslHealthCheck'), f('grpcHealthCheck')],
    none: [f('backends'), f('spec')],
  },
  {
    id: 'gcp:cluster', domain: 'gcp', label: 'a GKE cluster', inputType: 'gcp:cluster',
    // GKE's own fields; `addonsConfig` alone is not one (an Apigee organization has it too).
    all: [f('name', 'string')],
    any: [f('nodePools', 'array'), f('ipAllocationPolicy', 'object'), f('currentMasterVersion', 'string'), f('networkConfig', 'object'), f('masterAuth', 'object'), f('clusterIpv4Cidr', 'string')],
    // Dataproc clusters (`clusterName`, `clusterUuid`, `config`), Apigee organizations (`runtimeType`, `analyticsRegion`).
    none: [f('spec'), f('metadata'), f('networkEndpointType'), f('clusterName'), f('clusterUuid'), f('config'), f('runtimeType'), f('analyticsRegion'), f('subscriptionType')],
  },
  { id: 'gcp:firewall-policy', domain: 'gcp', label: 'a firewall policy', inputType: 'gcp:firewall-policies', all: [f('rules[].match', 'object')], any: [f('rules[].action', 'string')], none: [f('spec')] },
  // Cloud Logging LogEntry (`gcloud logging read --format=json`, entries.list, log sinks). Field names from Google's
  // "Logging and monitoring" pages of the Application Load Balancers and its "Health check logging" page:
  // request logs carry `httpRequest` (status, serverIp, latency) and `jsonPayload.statusDetails`; the global
  // external and classic ALB (`resource.type` http_load_balancer) name the backend service in
  // `resource.labels.backend_service_name`, the regional external and internal ones (http_external_regional_lb_rule,
  // internal_http_lb_rule) in `backend_target_name`, with the NEG in `backend_name`. Health-check logs carry
  // `jsonPayload.healthCheckProbeResult` (healthState, detailedHealthState, probeResultText, probeRequest, ipAddress,
  // targetPort) on `gce_network_endpoint_group` resources, which name the NEG by `network_endpoint_group_id`.
  {
    id: 'gcp:lb-request-log', domain: 'gcp', label: 'a load balancer request log entry', inputType: 'gcp:lb-request-logs',
    all: [f('httpRequest', 'object')],
    any: [f('resource.labels.backend_service_name'), f('resource.labels.backend_target_name'), f('jsonPayload.statusDetails', 'string')],
    none: [f('spec'), f('metadata')],
  },
  {
    id: 'gcp:health-check-log', domain: 'gcp', label: 'a health-check log entry', inputType: 'gcp:health-check-logs',
    all: [f('jsonPayload.healthCheckProbeResult', 'object')],
    none: [f('spec'), f('metadata')],
  },
  {
    id: 'gcp:log-entry', domain: 'gcp', label: 'a Cloud Logging entry of another kind', inputType: 'gcp:log-entries',
    all: [f('logName', 'string'), f('resource.type', 'string')],
    none: [f('resource.labels.backend_service_name'), f('resource.labels.backend_target_name'), f('jsonPayload.statusDetails'), f('jsonPayload.healthCheckProbeResult'), f('spec'), f('metadata')],
  },
  // Node VMs: what tags and service accounts the nodes really carry (GKE labels them goog-k8s-cluster-name).
  {
    id: 'gcp:instance', domain: 'gcp', label: 'a Compute Engine instance', inputType: 'gcp:instances',
    all: [f('networkInterfaces', 'array'), f('machineType', 'string')],
    none: [f('properties'), f('spec')],
  },
  {
    id: 'gcp:instance-template', domain: 'gcp', label: 'an instance template', inputType: 'gcp:instance-templates',
    all: [f('properties', 'object')],
    any: [f('properties.machineType', 'string'), f('properties.networkInterfaces', 'array')],
    none: [f('spec'), f('networkInterfaces')],
  },
  {
    id: 'gcp:instance-group-manager', domain: 'gcp', label: 'a managed instance group', inputType: 'gcp:instance-groups',
    all: [f('instanceTemplate', 'string'), f('baseInstanceName', 'string')],
    none: [f('spec')],
  },
  {
    id: 'gcp:effective-firewalls', domain: 'gcp', label: "a network's effective firewalls (get-effective-firewalls)", inputType: 'gcp:effective-firewalls',
    any: [f('firewallPolicys', 'array'), f('firewallPolicies', 'array'), f('organizationFirewalls', 'array')],
    none: [f('spec'), f('name')],
  },
];

export const SHAPES_BY_ID: ReadonlyMap<string, Shape> = new Map(SHAPES.map((s) => [s.id, s]));

/** Google Cloud `kind` values, for objects that carry one. */
export const GCP_KINDS: Readonly<Record<string, string>> = {
  'compute#firewall': 'gcp:firewall',
  'compute#network': 'gcp:network',
  'compute#subnetwork': 'gcp:subnetwork',
  'compute#networkEndpointGroup': 'gcp:neg',
  'compute#networkEndpointWithHealthStatus': 'gcp:neg-endpoint',
  'compute#backendService': 'gcp:backend-service',
  'compute#backendServiceGroupHealth': 'gcp:backend-health',
  'compute#healthCheck': 'gcp:health-check',
  'compute#firewallPolicy': 'gcp:firewall-policy',
  'compute#instance': 'gcp:instance',
  'compute#instanceTemplate': 'gcp:instance-template',
  'compute#instanceGroupManager': 'gcp:instance-group-manager',
};

/** The keys of aggregated list scopes (`items: {"zones/x": {<key>: […]}}`) and REST list fields. */
export const LIST_KEYS: Readonly<Record<string, string>> = {
  networkEndpointGroups: 'gcp:neg',
  backendServices: 'gcp:backend-service',
  subnetworks: 'gcp:subnetwork',
  healthChecks: 'gcp:health-check',
  firewalls: 'gcp:firewall',
  clusters: 'gcp:cluster',
  instances: 'gcp:instance',
  instanceTemplates: 'gcp:instance-template',
  instanceGroupManagers: 'gcp:instance-group-manager',
  // entries.list answers `{"entries": […], "nextPageToken": …}`: each entry is told apart by its own fields.
  entries: '',
};

/**
 * An explicit input type (`negdoctor lint TYPE[:QUALIFIER]=PATH`): the file
 * holds exactly the objects of that type (one object, a list, or a wrapper),
 * and holds all of them, so an empty list is evidence of none.
 */
export interface InputType {
  name: string;
  /** The shape every object of the file is read as. */
  shape: string;
  /** What the qualifier names, if the type takes one. */
  qualifier?: string;
  /** What the explicit type states, for docs/inputs.md. */
  means: string;
  /** Whether the file is one object (describe) rather than a list. */
  single?: boolean;
}

/** Kinds without a namespace: their input types take no namespace qualifier. */
const CLUSTER_SCOPED = new Set(['Node', 'Namespace', 'IngressClass', 'GatewayClass']);

const KUBE_RESOURCES: Array<[string, string]> = SHAPES.filter((s) => s.domain === 'kube').map((s) => [s.inputType, s.id]);

export const INPUT_TYPES: readonly InputType[] = [
  { name: 'gcp:firewalls', shape: 'gcp:firewall', qualifier: 'network', means: "every VPC firewall rule of the network (rules naming no network are taken as the network's)" },
  { name: 'gcp:effective-firewalls', shape: 'gcp:effective-firewalls', qualifier: 'network', means: 'the effective firewalls of the network: its VPC rules and the firewall policies that apply', single: true },
  { name: 'gcp:firewall-policies', shape: 'gcp:firewall-policy', means: 'every firewall policy that applies to the network' },
  { name: 'gcp:network', shape: 'gcp:network', means: "the cluster's VPC network", single: true },
  { name: 'gcp:subnetworks', shape: 'gcp:subnetwork', qualifier: 'region', means: 'the subnetworks of the network' },
  { name: 'gcp:negs', shape: 'gcp:neg', qualifier: 'project', means: "every network endpoint group of the project" },
  { name: 'gcp:neg-endpoints', shape: 'gcp:neg-endpoint', qualifier: 'ZONE/NEG', means: 'the endpoints of one NEG (`list-network-endpoints` names no NEG, so the qualifier does)' },
  { name: 'gcp:backend-services', shape: 'gcp:backend-service', qualifier: 'project', means: 'every backend service of the project' },
  { name: 'gcp:backend-health', shape: 'gcp:backend-health', qualifier: 'backend service', means: 'the health of NEG backends of a backend service' },
  { name: 'gcp:health-checks', shape: 'gcp:health-check', means: 'health checks' },
  { name: 'gcp:lb-request-logs', shape: 'gcp:lb-request-log', means: 'load balancer request logs (`gcloud logging read \'logName:"requests"\' --format=json`, entries.list answers, JSON Lines)' },
  { name: 'gcp:health-check-logs', shape: 'gcp:health-check-log', means: 'health-check logs of NEG endpoints (`gcloud logging read \'logName:"healthchecks"\' --format=json`)' },
  { name: 'gcp:log-entries', shape: 'gcp:log-entry', means: 'Cloud Logging entries of other kinds (skipped with a notice)' },
  { name: 'gcp:instances', shape: 'gcp:instance', means: "the cluster's node VMs (`instances list --filter=labels.goog-k8s-cluster-name=CLUSTER`): the network tags and service accounts they carry" },
  { name: 'gcp:instance-templates', shape: 'gcp:instance-template', means: "the instance templates of the cluster's node pools: the tags and service accounts of their nodes" },
  { name: 'gcp:instance-groups', shape: 'gcp:instance-group-manager', means: "the managed instance groups of the cluster's node pools (which template each uses)" },
  { name: 'gcp:cluster', shape: 'gcp:cluster', means: 'the GKE cluster being diagnosed (`clusters describe`)', single: true },
  { name: 'gcp:clusters', shape: 'gcp:cluster', qualifier: 'project', means: "every GKE cluster of the project: a NEG no cluster in it can own is left behind" },
  ...KUBE_RESOURCES.map(([name, shape]) =>
    CLUSTER_SCOPED.has(SHAPES_BY_ID.get(shape)!.kind!)
      ? { name, shape, means: `every ${SHAPES_BY_ID.get(shape)!.kind} of the cluster` }
      : { name, shape, qualifier: 'namespace', means: `every ${SHAPES_BY_ID.get(shape)!.kind} of the namespace (of the cluster without one)` },
  ),
];

export const INPUT_TYPES_BY_NAME: ReadonlyMap<string, InputType> = new Map(INPUT_TYPES.map((t) => [t.name, t]));

export interface ExplicitType {
  type: InputType;
  qualifier?: string;
}

/** `TYPE[:QUALIFIER]=PATH` → the type and the path; undefined when `arg` is a plain path. Throws on an unknown TYPE. */
export function parseTypedInput(arg: string): { explicit: ExplicitType; path: string } | undefined {
  const match = /^((?:gcp|k8s):[a-z-]+)(?::([^=]*))?=(.+)$/.exec(arg);
  if (!match) return undefined;
  const type = INPUT_TYPES_BY_NAME.get(match[1]!);
  if (!type) {
    throw new Error(`unknown input type ${match[1]} in ${arg}; known types: ${INPUT_TYPES.map((t) => t.name).join(', ')}`);
  }
  const qualifier = match[2];
  if (qualifier !== undefined && qualifier !== '' && !type.qualifier) throw new Error(`input type ${type.name} takes no qualifier (in ${arg})`);
  return { explicit: { type, ...(qualifier ? { qualifier } : {}) }, path: match[3]! };
}

// ---------------------------------------------------------------- matching

interface Segment {
  key: string;
  /** `key[]`: step into an array, the rest must hold for one item. */
  each: boolean;
}

function holds(value: unknown, segments: readonly Segment[], is: FieldTest['is'], at = 0): boolean {
  if (at === segments.length) {
    if (value === undefined || value === null) return false;
    switch (is) {
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isRecord(value);
      case 'string':
        return typeof value === 'string';
      default:
        return true;
    }
  }
  if (!isRecord(value)) return false;
  // An index, not a copy of the rest of the path: this runs for every item of every list read.
  const head = segments[at]!;
  if (head.each) {
    const list = value[head.key];
    if (!Array.isArray(list)) return false;
    for (const item of list) if (holds(item, segments, is, at + 1)) return true;
    return false;
  }
  return holds(value[head.key], segments, is, at + 1);
}

const splitCache = new Map<string, Segment[]>();
export function fieldHolds(value: unknown, test: FieldTest): boolean {
  let segments = splitCache.get(test.path);
  if (!segments) splitCache.set(test.path, (segments = test.path.split('.').map((p) => (p.endsWith('[]') ? { key: p.slice(0, -2), each: true } : { key: p, each: false }))));
  return holds(value, segments, test.is);
}

/** Whether a value fits a shape. */
export function fits(value: unknown, shape: Shape): boolean {
  if (!isRecord(value)) return false;
  if (shape.all && !shape.all.every((t) => fieldHolds(value, t))) return false;
  if (shape.any && !shape.any.some((t) => fieldHolds(value, t))) return false;
  if (shape.none && shape.none.some((t) => fieldHolds(value, t))) return false;
  return Boolean(shape.all?.length || shape.any?.length);
}

/** Every shape a value fits (kind and apiVersion are ignored). */
export function shapesOf(value: unknown, domain?: Domain): Shape[] {
  if (!hasShapeKey(value)) return [];
  return SHAPES.filter((s) => (!domain || s.domain === domain) && fits(value, s));
}

/** The top-level fields some shape requires (`all`) or accepts (`any`): an object with none of them fits no shape. */
let shapeKeys: Set<string> | undefined;

export function hasShapeKey(value: unknown): boolean {
  if (!isRecord(value)) return false;
  shapeKeys ??= new Set(SHAPES.flatMap((s) => [...(s.all ?? []), ...(s.any ?? [])]).map((t) => t.path.split('.')[0]!.replace(/\[\]$/, '')));
  for (const key in value) if (shapeKeys.has(key)) return true;
  return false;
}

/** The item shape of a typed Kubernetes list kind (`PodList` → k8s:Pod). */
export function kubeListItemShape(kind: unknown): Shape | undefined {
  if (typeof kind !== 'string' || kind === 'List' || !kind.endsWith('List')) return undefined;
  return SHAPES_BY_ID.get(`k8s:${kind.slice(0, -4)}`);
}

/** The item shape of a Compute list kind (`compute#firewallList` → gcp:firewall). */
export function gcpListItemShape(kind: unknown): Shape | undefined {
  if (typeof kind !== 'string') return undefined;
  const match = /^compute#(\w+?)(?:Aggregated)?List$/.exec(kind);
  if (!match) return undefined;
  const id = GCP_KINDS[`compute#${match[1]}`];
  return id ? SHAPES_BY_ID.get(id) : undefined;
}

/** "a Pod or a Deployment" */
export function describeCandidates(candidates: readonly Shape[]): string {
  const labels = candidates.map((c) => c.label);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

// ---------------------------------------------------------------- docs/inputs.md

function describeTests(tests: readonly FieldTest[] | undefined, joiner: string): string {
  return (tests ?? []).map((t) => `\`${t.path}\``).join(joiner);
}

/** The table of docs/inputs.md, from the table above (test/readme.test.ts keeps them equal). */
export function renderShapesMarkdown(): string {
  const rows = INPUT_TYPES.map((type) => {
    const shape = SHAPES_BY_ID.get(type.shape)!;
    const name = `\`${type.name}${type.qualifier ? `[:${type.qualifier.toUpperCase().replace(/ /g, '_')}]` : ''}\``;
    const parts: string[] = [];
    if (shape.all?.length) parts.push(describeTests(shape.all, ' and '));
    if (shape.any?.length) parts.push(`${shape.all?.length ? 'and ' : ''}${shape.any.length > 1 ? 'one of ' : ''}${describeTests(shape.any, ', ')}`);
    if (shape.none?.length) parts.push(`(not ${describeTests(shape.none, ', ')})`);
    const kinds = Object.entries(GCP_KINDS).filter(([, id]) => id === shape.id).map(([k]) => `\`${k}\``);
    const byKind = shape.kind ? `\`kind: ${shape.kind}\`` : kinds.join(', ') || '—';
    return `| ${name} | ${shape.label}: ${type.means} | ${byKind} | ${parts.join(' ')} |`;
  });
  return [
    '| explicit type | holds | recognised by kind | recognised without kind by its fields |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
