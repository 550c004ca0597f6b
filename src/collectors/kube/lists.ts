/** What the Kubernetes collector lists: each resource, the API call that pages through it, and the data keys it decides. */
import type {
  AppsV1Api,
  AutoscalingV2Api,
  ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  NetworkingV1Api,
  VersionApi,
} from '@kubernetes/client-node';
import { DATA } from '../../snapshot/data-keys.js';
import type { KubeObject } from '../../snapshot/types.js';
import { redactInPlace } from './redact.js';

export interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  networking: NetworkingV1Api;
  discovery: DiscoveryV1Api;
  custom: CustomObjectsApi;
  version: VersionApi;
}

interface PageParams {
  limit: number;
  _continue?: string;
}

/** Calls one page of a list; the result is ignored (the raw answer is read instead). */
type ListCall = (apis: Apis, namespace: string | undefined, page: PageParams, options: ConfigurationOptions) => Promise<unknown>;

export interface ListSpec {
  /** Name for progress and messages: the plural, with the group for non-core types. */
  resource: string;
  plural: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  dataKeys: string[];
  /** Custom resources: a 404 means the CRD is not installed, which is an answer, not an error. */
  crd?: { group: string; version: string };
  /**
   * A 404 on this CRD leaves its data keys unknown (rules needing them are not
   * evaluated, with the reason) instead of collected-and-empty: without the
   * Gateway API there is nothing to judge, and saying "no problem" would be a pass.
   */
  absentIsUnknown?: boolean;
  list: ListCall;
}

const builtin = (
  resource: string,
  apiVersion: string,
  kind: string,
  namespaced: boolean,
  dataKeys: string[],
  list: ListCall,
): ListSpec => ({ resource, plural: resource.split('.')[0]!, apiVersion, kind, namespaced, dataKeys, list });

const custom = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  dataKeys: string[],
  absentIsUnknown = false,
): ListSpec => ({
  ...(absentIsUnknown ? { absentIsUnknown } : {}),
  resource: `${plural}.${group}`,
  plural,
  apiVersion: `${group}/${version}`,
  kind,
  namespaced,
  dataKeys,
  crd: { group, version },
  list: (apis, namespace, page, options) =>
    namespace !== undefined && namespaced
      ? apis.custom.listNamespacedCustomObject({ group, version, namespace, plural, ...page }, options)
      : apis.custom.listClusterCustomObject({ group, version, plural, ...page }, options),
});

/** What the collector lists. Secrets and ConfigMaps are deliberately absent (SPEC §7). */
export const LISTS: ListSpec[] = [
  builtin('deployments.apps', 'apps/v1', 'Deployment', true, [DATA.workloads, DATA.workloadStatus], (a, ns, p, o) =>
    ns === undefined ? a.apps.listDeploymentForAllNamespaces(p, o) : a.apps.listNamespacedDeployment({ namespace: ns, ...p }, o),
  ),
  builtin('statefulsets.apps', 'apps/v1', 'StatefulSet', true, [DATA.workloads, DATA.workloadStatus], (a, ns, p, o) =>
    ns === undefined ? a.apps.listStatefulSetForAllNamespaces(p, o) : a.apps.listNamespacedStatefulSet({ namespace: ns, ...p }, o),
  ),
  builtin('daemonsets.apps', 'apps/v1', 'DaemonSet', true, [DATA.workloads, DATA.workloadStatus], (a, ns, p, o) =>
    ns === undefined ? a.apps.listDaemonSetForAllNamespaces(p, o) : a.apps.listNamespacedDaemonSet({ namespace: ns, ...p }, o),
  ),
  builtin('horizontalpodautoscalers.autoscaling', 'autoscaling/v2', 'HorizontalPodAutoscaler', true, [DATA.hpas], (a, ns, p, o) =>
    ns === undefined
      ? a.autoscaling.listHorizontalPodAutoscalerForAllNamespaces(p, o)
      : a.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns, ...p }, o),
  ),
  builtin('services', 'v1', 'Service', true, [DATA.services], (a, ns, p, o) =>
    ns === undefined ? a.core.listServiceForAllNamespaces(p, o) : a.core.listNamespacedService({ namespace: ns, ...p }, o),
  ),
  builtin('ingresses.networking.k8s.io', 'networking.k8s.io/v1', 'Ingress', true, [DATA.ingresses, DATA.ingressStatus], (a, ns, p, o) =>
    ns === undefined ? a.networking.listIngressForAllNamespaces(p, o) : a.networking.listNamespacedIngress({ namespace: ns, ...p }, o),
  ),
  builtin('ingressclasses.networking.k8s.io', 'networking.k8s.io/v1', 'IngressClass', false, [DATA.ingressClasses], (a, _ns, p, o) =>
    a.networking.listIngressClass(p, o),
  ),
  builtin('endpointslices.discovery.k8s.io', 'discovery.k8s.io/v1', 'EndpointSlice', true, [DATA.endpointSlices], (a, ns, p, o) =>
    ns === undefined ? a.discovery.listEndpointSliceForAllNamespaces(p, o) : a.discovery.listNamespacedEndpointSlice({ namespace: ns, ...p }, o),
  ),
  builtin('pods', 'v1', 'Pod', true, [DATA.pods], (a, ns, p, o) =>
    ns === undefined ? a.core.listPodForAllNamespaces(p, o) : a.core.listNamespacedPod({ namespace: ns, ...p }, o),
  ),
  builtin('nodes', 'v1', 'Node', false, [DATA.nodes], (a, _ns, p, o) => a.core.listNode(p, o)),
  builtin('networkpolicies.networking.k8s.io', 'networking.k8s.io/v1', 'NetworkPolicy', true, [DATA.networkPolicies], (a, ns, p, o) =>
    ns === undefined ? a.networking.listNetworkPolicyForAllNamespaces(p, o) : a.networking.listNamespacedNetworkPolicy({ namespace: ns, ...p }, o),
  ),
  builtin('events', 'v1', 'Event', true, [DATA.events], (a, ns, p, o) =>
    ns === undefined ? a.core.listEventForAllNamespaces(p, o) : a.core.listNamespacedEvent({ namespace: ns, ...p }, o),
  ),
  custom('cloud.google.com', 'v1', 'backendconfigs', 'BackendConfig', true, [DATA.backendConfigs]),
  custom('networking.gke.io', 'v1beta1', 'frontendconfigs', 'FrontendConfig', true, [DATA.frontendConfigs]),
  custom('networking.gke.io', 'v1beta1', 'servicenetworkendpointgroups', 'ServiceNetworkEndpointGroup', true, [DATA.serviceNegs]),
  // GKE Gateway programs the same NEGs (SPEC §4 c); a cluster without the Gateway API simply has none.
  custom('gateway.networking.k8s.io', 'v1', 'gatewayclasses', 'GatewayClass', false, [DATA.gateways]),
  custom('gateway.networking.k8s.io', 'v1', 'gateways', 'Gateway', true, [DATA.gateways, DATA.gatewayStatus], true),
  custom('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute', true, [DATA.gateways]),
  custom('gateway.networking.k8s.io', 'v1', 'grpcroutes', 'GRPCRoute', true, [DATA.gateways]),
  // ReferenceGrant is served as v1beta1 (the standard channel never promoted it to v1).
  custom('gateway.networking.k8s.io', 'v1beta1', 'referencegrants', 'ReferenceGrant', true, [DATA.gateways]),
  // Multi-cluster Services: what multi-cluster (-mc) Gateways route to; absent on clusters outside a fleet.
  custom('net.gke.io', 'v1', 'serviceimports', 'ServiceImport', true, [DATA.serviceImports], true),
  custom('net.gke.io', 'v1', 'serviceexports', 'ServiceExport', true, [DATA.serviceImports], true),
  // GKE's Gateway policies; GKE installs their CRDs with the Gateway API.
  custom('networking.gke.io', 'v1', 'healthcheckpolicies', 'HealthCheckPolicy', true, [DATA.gatewayPolicies], true),
  custom('networking.gke.io', 'v1', 'gcpbackendpolicies', 'GCPBackendPolicy', true, [DATA.gatewayPolicies], true),
  custom('networking.gke.io', 'v1', 'gcpgatewaypolicies', 'GCPGatewayPolicy', true, [DATA.gatewayPolicies], true),
];

/** Gives list items their apiVersion/kind (typed lists omit them) and redacts them. */
/** `item` comes straight from parseBody and is not shared, so it is redacted in place rather than copied. */
export function normalize(item: unknown, spec: ListSpec): KubeObject {
  const object = { ...(item as Record<string, unknown>) } as KubeObject;
  object.apiVersion = spec.apiVersion;
  object.kind = spec.kind;
  if (!object.metadata || typeof object.metadata !== 'object') object.metadata = {};
  return redactInPlace(object);
}

/** What the collector lists, for `negdoctor gather` to capture the same with kubectl. */
export const KUBE_LIST_PLAN: ReadonlyArray<{ resource: string; plural: string; kind: string; namespaced: boolean; crd: boolean }> = LISTS.map((s) => ({
  resource: s.resource,
  plural: s.plural,
  kind: s.kind,
  namespaced: s.namespaced,
  crd: s.crd !== undefined,
}));
