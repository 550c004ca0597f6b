/**
 * The GatewayClasses GKE's Gateway controller offers, and what each needs from
 * the VPC. Source: Google's "GatewayClass capabilities" page
 * (docs.cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities),
 * read 2026-11-30. When GatewayClass objects are in the inputs, they are the
 * truth about which classes a cluster has; this table is what GKE documents.
 */

/** Which proxy-only subnet purpose the class's Envoy-based load balancer needs, if any. */
export type ProxySubnetPurpose = 'REGIONAL_MANAGED_PROXY' | 'GLOBAL_MANAGED_PROXY';

export interface GkeGatewayClass {
  name: string;
  /** Multi-cluster classes target ServiceImports, single-cluster ones Services. */
  multiCluster: boolean;
  /** global, regional (one region) or cross-regional load balancer. */
  scope: 'global' | 'regional' | 'cross-regional';
  internal: boolean;
  /** Regional and cross-regional Envoy-based load balancers need a proxy-only subnet. */
  proxySubnet?: ProxySubnetPurpose;
}

export const GKE_GATEWAY_CLASSES: readonly GkeGatewayClass[] = [
  { name: 'gke-l7-global-external-managed', multiCluster: false, scope: 'global', internal: false },
  { name: 'gke-l7-global-external-managed-mc', multiCluster: true, scope: 'global', internal: false },
  { name: 'gke-l7-regional-external-managed', multiCluster: false, scope: 'regional', internal: false, proxySubnet: 'REGIONAL_MANAGED_PROXY' },
  { name: 'gke-l7-regional-external-managed-mc', multiCluster: true, scope: 'regional', internal: false, proxySubnet: 'REGIONAL_MANAGED_PROXY' },
  { name: 'gke-l7-rilb', multiCluster: false, scope: 'regional', internal: true, proxySubnet: 'REGIONAL_MANAGED_PROXY' },
  { name: 'gke-l7-rilb-mc', multiCluster: true, scope: 'regional', internal: true, proxySubnet: 'REGIONAL_MANAGED_PROXY' },
  { name: 'gke-l7-cross-regional-internal-managed-mc', multiCluster: true, scope: 'cross-regional', internal: true, proxySubnet: 'GLOBAL_MANAGED_PROXY' },
  { name: 'gke-l7-gxlb', multiCluster: false, scope: 'global', internal: false },
  { name: 'gke-l7-gxlb-mc', multiCluster: true, scope: 'global', internal: false },
];

const BY_NAME = new Map(GKE_GATEWAY_CLASSES.map((c) => [c.name, c]));

/** GKE's documented class of this name, or undefined (not GKE's, or a `gke-l7-*` name GKE doesn't offer). */
export function gkeGatewayClass(name: string | undefined): GkeGatewayClass | undefined {
  return name === undefined ? undefined : BY_NAME.get(name);
}

/** A class name in GKE's namespace of names (`gke-l7-*`), offered or not. */
export function isGkeGatewayClassName(name: string | undefined): boolean {
  return (name ?? '').startsWith('gke-l7-');
}
