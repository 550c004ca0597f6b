import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { conditionText, falseRouteConditions, isGatewayParent, isGkeRoute, routeConditionPath, routeLabel } from '../model/route-status.js';

export default defineRule({
  meta: {
    id: 'route-not-attached',
    title: 'HTTPRoute/GRPCRoute does not attach to its Gateway',
    severity: 'error',
    category: 'gateway',
    symptom: 'Requests for the route\'s hosts and paths get 404 from the load balancer (or the default backend): the route\'s rules are not in the URL map at all.',
    cause:
      'A route attaches to a Gateway listener only when its parentRef names an existing Gateway, its sectionName/port name a listener, the listener\'s allowedRoutes admit the route\'s namespace (Same by default, All, or a Selector over the namespace\'s labels) and kind, and the route\'s hostnames intersect the listener\'s hostname. Otherwise GKE\'s Gateway controller leaves it out and marks it Accepted=False (NotAllowedByListeners, NoMatchingListenerHostname, NoMatchingParent).',
    evidence:
      'Each parentRef of a gateway.networking.k8s.io HTTPRoute/GRPCRoute that names a GKE (gke-l7-*) Gateway, or a Gateway missing from the inputs, is matched against the Gateway\'s listeners as the Gateway API defines it. A Gateway missing from the inputs is info offline (shared Gateways often live in another repository) and an error on live data. A Selector on labels of a Namespace that is not in the inputs is not decided. A ListenerSet parent whose Gateway is GKE\'s does not attach: GKE\'s Gateway controller does not serve ListenerSets (none of its GatewayClasses lists them); ListenerSets of other controllers are not judged. Live: status.parents[].conditions Accepted=False from GKE\'s controller, with its reason.',
    remediation:
      'Fix the parentRef (name, namespace, sectionName, port), or let the listener admit the route: allowedRoutes.namespaces.from: All or a Selector matching the route\'s namespace labels, a kinds list that includes the route kind, a listener hostname that covers the route\'s hostnames.',
    needs: [DATA.gateways],
    defaults: {},
  },
  check(ctx) {
    const live = ctx.snapshot.source === 'live';
    for (const route of ctx.model.gateway.routes) {
      if (!isGkeRoute(route)) continue;
      let reported = false;
      for (const parent of route.parents) {
        if (!isGatewayParent(parent) && !parent.listenerSet) continue;
        if (!parent.gateway) {
          reported = true;
          ctx.report({
            object: route.obj,
            path: parent.path,
            severity: live ? 'error' : 'info',
            message: live
              ? `${routeLabel(route)} names Gateway ${parent.namespace}/${parent.name} in parentRefs[${parent.index}], which does not exist: the route is not attached.`
              : `${routeLabel(route)} names Gateway ${parent.namespace}/${parent.name} in parentRefs[${parent.index}], which is not in the linted inputs; make sure it exists, or the route attaches nowhere.`,
            evidence: { gateway: `${parent.namespace}/${parent.name}` },
          });
          continue;
        }
        if (!parent.gateway.gke || !parent.problem) continue;
        reported = true;
        ctx.report({
          object: route.obj,
          path: parent.path,
          message: `${routeLabel(route)} does not attach to ${parent.listenerSet ? `ListenerSet ${parent.namespace}/${parent.name} of ` : ''}Gateway ${parent.gateway.namespace}/${parent.gateway.name} through parentRefs[${parent.index}]: ${parent.problem}.`,
          related: [parent.gateway.obj],
          evidence: {
            gateway: `${parent.gateway.namespace}/${parent.gateway.name}`,
            reason: parent.problem,
            ...(parent.invalidListeners ? { listeners: parent.invalidListeners.map((l) => `${parent.gateway!.namespace}/${parent.gateway!.name}/${l.name}`) } : {}),
          },
        });
      }
      if (reported) continue;
      // Live: what the controller itself says, when the inputs could not show why.
      for (const { status, condition, gateway } of falseRouteConditions(route, 'Accepted')) {
        ctx.report({
          object: route.obj,
          path: routeConditionPath(status, condition.index),
          message: `${routeLabel(route)} is not accepted by Gateway ${gateway}${status.sectionName ? ` (listener ${status.sectionName})` : ''}: ${conditionText(condition)}.`,
          evidence: { gateway, ...(condition.reason ? { reason: condition.reason } : {}) },
        });
      }
    }
  },
});
