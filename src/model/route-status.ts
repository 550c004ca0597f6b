/**
 * Readers the Gateway rules share: labels, route status per parentRef, and
 * which routes GKE's controller is concerned with.
 */
import type { ParentAttachment, RouteInfo } from './gateway.js';
import { asArray, asRecord, asString, get, isRecord } from '../util/values.js';
import type { Path } from './rule-contract.js';

export function routeLabel(route: RouteInfo): string {
  return `${route.kind} ${route.namespace}/${route.name}`;
}

/**
 * Routes GKE's Gateway controller would program: at least one parentRef
 * names a GKE (`gke-l7-*`) Gateway, or a Gateway missing from the inputs
 * (whose class is then unknown). Routes only on other controllers' Gateways
 * (Istio, Envoy Gateway, …) and mesh routes are not judged.
 */
export function isGkeRoute(route: RouteInfo): boolean {
  if (route.rejected) return false; // the API server rejects it: manifest-invalid says why
  return route.parents.some((p) => (p.listenerSet && p.gateway?.gke) || (isGatewayParent(p) && (!p.gateway || p.gateway.gke)));
}

export function isGatewayParent(parent: ParentAttachment): boolean {
  return parent.group === 'gateway.networking.k8s.io' && parent.kind === 'Gateway';
}

export interface RouteParentStatus {
  index: number;
  namespace?: string;
  name: string;
  sectionName?: string;
  controllerName?: string;
  conditions: Array<{ index: number; type: string; status: string; reason?: string; message?: string }>;
}

/** `status.parents[]` of a live route (each with the parentRef it is about and its conditions). */
export function routeParentStatuses(route: RouteInfo): RouteParentStatus[] {
  const out: RouteParentStatus[] = [];
  asArray(get(route.obj.object.status, 'parents')).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const ref = asRecord(raw.parentRef) ?? {};
    const conditions: RouteParentStatus['conditions'] = [];
    asArray(raw.conditions).forEach((c, ci) => {
      if (!isRecord(c) || !asString(c.type)) return;
      const reason = asString(c.reason);
      const message = asString(c.message);
      conditions.push({ index: ci, type: asString(c.type)!, status: asString(c.status) ?? '', ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
    });
    const namespace = asString(ref.namespace);
    const sectionName = asString(ref.sectionName);
    const controllerName = asString(raw.controllerName);
    out.push({
      index,
      ...(namespace ? { namespace } : {}),
      name: asString(ref.name) ?? '',
      ...(sectionName ? { sectionName } : {}),
      ...(controllerName ? { controllerName } : {}),
      conditions,
    });
  });
  return out;
}

/** Path of a condition inside a route's status. */
export function routeConditionPath(status: RouteParentStatus, conditionIndex: number): Path {
  return ['status', 'parents', status.index, 'conditions', conditionIndex];
}

/** Whether the controller writing this route status is GKE's (networking.gke.io/gateway, -mc variants). */
export function isGkeController(status: RouteParentStatus): boolean {
  return status.controllerName === undefined || status.controllerName.startsWith('networking.gke.io/');
}

/** Conditions of this type that GKE's controller set to False on a live route, one per parent status. */
export function falseRouteConditions(route: RouteInfo, type: string): Array<{ status: RouteParentStatus; condition: RouteParentStatus['conditions'][number]; gateway: string }> {
  const out: Array<{ status: RouteParentStatus; condition: RouteParentStatus['conditions'][number]; gateway: string }> = [];
  for (const status of routeParentStatuses(route)) {
    if (!isGkeController(status)) continue;
    const condition = status.conditions.find((c) => c.type === type);
    if (condition?.status === 'False') out.push({ status, condition, gateway: `${status.namespace ?? route.namespace}/${status.name}` });
  }
  return out;
}

/** "Reason: message" of a condition, for findings. */
export function conditionText(condition: { reason?: string; message?: string }): string {
  return `${condition.reason ?? 'no reason'}${condition.message ? `: ${condition.message}` : ''}`;
}
