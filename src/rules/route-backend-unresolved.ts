import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { inputsHoldAll } from '../model/completeness.js';
import { conditionText, falseRouteConditions, isGkeRoute, routeConditionPath, routeLabel } from '../model/route-status.js';

export default defineRule({
  meta: {
    id: 'route-backend-unresolved',
    title: 'Route backendRef does not resolve',
    severity: 'error',
    category: 'gateway',
    symptom: 'Requests matching the route rule get 500 from the load balancer (Gateway API\'s answer for an invalid backend), or the traffic split sends that share to nowhere.',
    cause:
      'GKE\'s Gateway controller builds a backend service only for a backendRef that resolves: a Service (or, for multi-cluster Gateways, a ServiceImport) that exists, with the port named, in the route\'s namespace or in another namespace whose ReferenceGrant allows the route kind from the route\'s namespace. Anything else is reported as ResolvedRefs=False (BackendNotFound, RefNotPermitted, InvalidKind) and serves errors.',
    evidence:
      'Each backendRef and requestMirror backendRef of HTTPRoutes/GRPCRoutes attached to a GKE Gateway (or to a Gateway missing from the inputs): the kind (Service, net.gke.io ServiceImport), the Service among the inputs (missing: an error when the inputs hold all Services of its namespace — live data, a snapshot, a \`kubectl get … -o yaml\` dump, a \`gather\` bundle, a file stated as \`k8s:services\`, a ServiceList — and info for hand-written manifest folders, as charts and operators create Services), the port among the Service\'s ports, and for another namespace a gateway.networking.k8s.io ReferenceGrant in the target namespace. ServiceImport (net.gke.io) backends: an error on a single-cluster GatewayClass, which does not serve them; on multi-cluster (-mc) classes resolved against the ServiceImports and ServiceExports in the inputs (a ServiceExport of the name is enough: the fleet imports it), and not evaluated when the inputs hold neither. Live: status.parents[].conditions ResolvedRefs=False from GKE\'s controller.',
    remediation:
      'Point the backendRef at an existing Service and one of its ports; for a Service in another namespace add a ReferenceGrant there (from: the route kind and namespace; to: Service). Multi-cluster Gateways route to ServiceImports (group net.gke.io).',
    needs: [DATA.gateways, DATA.services],
    defaults: {},
  },
  check(ctx) {
    for (const route of ctx.model.gateway.routes) {
      if (!isGkeRoute(route)) continue;
      // What GKE's controller said about this route's references, when the inputs are live state.
      const controller = falseRouteConditions(route, 'ResolvedRefs')[0];
      let reported = false;
      for (const backend of route.backends) {
        if (backend.unverified) ctx.skip(`${routeLabel(route)} routes to ServiceImport ${backend.namespace}/${backend.name}, and ${backend.unverified}`);
        if (!backend.problem) continue;
        reported = true;
        const missing = backend.problem.kind === 'service-missing' ? 'Service' : backend.problem.kind === 'import-missing' ? 'ServiceImport' : undefined;
        // A missing Service is certain only when the inputs hold all Services of its namespace (live, a dump, a stated list).
        const partial = missing !== undefined && !controller && !inputsHoldAll(ctx.model, missing, backend.namespace, route.obj);
        const what = backend.mirror ? `rules[${backend.ruleIndex}] requestMirror (filters[${backend.index}])` : `rules[${backend.ruleIndex}].backendRefs[${backend.index}]`;
        ctx.report({
          object: route.obj,
          path: backend.problem.kind === 'port-missing' ? [...backend.path, 'port'] : backend.path,
          ...(partial ? { severity: 'info' as const } : {}),
          message: partial
            ? `${routeLabel(route)} rules[${backend.ruleIndex}] ${backend.mirror ? 'mirrors requests' : 'routes'} to ${backend.kind} ${backend.namespace}/${backend.name}, which is not in the linted inputs; make sure something else creates it.`
            : `${routeLabel(route)} ${what} does not resolve: ${backend.problem.message}${controller ? ` (GKE's controller: ResolvedRefs=False, ${conditionText(controller.condition)})` : ''}.`,
          ...(backend.service ? { related: [backend.service.obj] } : {}),
          evidence: {
            backend: `${backend.kind} ${backend.namespace}/${backend.name}${backend.port !== undefined ? `:${backend.port}` : ''}`,
            problem: backend.problem.kind,
            ...(backend.mirror ? { mirror: true } : {}),
            ...(controller?.condition.reason ? { reason: controller.condition.reason } : {}),
          },
        });
      }
      if (reported || !controller) continue;
      // One finding per route: every parent reports the same unresolved backends.
      ctx.report({
        object: route.obj,
        path: routeConditionPath(controller.status, controller.condition.index),
        message: `${routeLabel(route)} has unresolved backends on Gateway ${controller.gateway}: ResolvedRefs=False, ${conditionText(controller.condition)}.`,
        evidence: { gateway: controller.gateway, ...(controller.condition.reason ? { reason: controller.condition.reason } : {}) },
      });
    }
  },
});
