import { gatewayPolicies } from '../model/gateway.js';
import type { Model } from '../model/index.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';

export default defineRule({
  meta: {
    id: 'gateway-policy-invalid',
    title: 'GKE Gateway policy is invalid or does not apply',
    severity: 'error',
    category: 'gateway',
    symptom: 'The health check, timeout, draining, IAP or security policy you configured is not on the load balancer: `kubectl apply` rejected the policy, or it was accepted but never attached (its status says so, or nothing at all).',
    cause:
      'HealthCheckPolicy, GCPBackendPolicy and GCPGatewayPolicy (networking.gke.io/v1) apply only when their schema is valid, their targetRef names the right kind (Service for single-cluster Gateways, net.gke.io ServiceImport for multi-cluster ones, Gateway for GCPGatewayPolicy) in the policy\'s own namespace, and no older policy of the same kind targets the same object: with two GCPBackendPolicies on one Service the oldest wins and the other is ignored.',
    evidence:
      'Each policy is validated against the schema derived from the newest CRDs in GoogleCloudPlatform/gke-gateway-api (schemas/gke-gateway/; unknown fields, types, enums, bounds and the simple CEL rules). The targetRef kind and namespace are checked (a Service that only multi-cluster Gateways route to takes its policies on the ServiceImport); a target missing from the inputs is info offline (operators and charts create Services) and an error on live data. Conflicts are decided by creationTimestamp, then namespace/name: the losing GCPBackendPolicy or GCPGatewayPolicy is an error, a second HealthCheckPolicy a warning (which one wins is not documented).',
    remediation: 'Fix the fields the schema rejects; put the policy in its target\'s namespace and target a Service (single-cluster), a ServiceImport (multi-cluster) or a Gateway (GCPGatewayPolicy); merge competing policies into one.',
    needs: [DATA.gatewayPolicies, DATA.services, DATA.gateways],
    explains: [
      {
        rule: 'gateway-health-check-default',
        on: 'service',
        fromKind: 'HealthCheckPolicy',
        reasons: ['schema', 'target'],
        why: "A HealthCheckPolicy the schema rejects or whose targetRef cannot apply leaves the Service it names with GKE's default `GET /` health check.",
      },
    ],
    defaults: {},
  },
  check(ctx) {
    const live = ctx.snapshot.source === 'live';
    const clusterScopes = backendClusterScopes(ctx.model);
    for (const policy of gatewayPolicies(ctx.model)) {
      const label = `${policy.kind} ${policy.namespace}/${policy.name}`;
      for (const problem of policy.schemaProblems) {
        ctx.report({
          object: policy.obj,
          path: problem.path,
          message: `${label} is rejected by the ${policy.kind} schema: ${problem.message}.`,
          evidence: { reason: 'schema', problem: problem.message },
        });
      }
      if (!policy.target) continue; // the schema requires targetRef: reported above
      if (policy.targetProblem) {
        ctx.report({ object: policy.obj, path: ['spec', 'targetRef'], message: `${label} does not apply: ${policy.targetProblem}.`, evidence: { reason: 'target' } });
        continue;
      }
      if (policy.lostTo) {
        const winner = policy.lostTo;
        const healthCheck = policy.kind === 'HealthCheckPolicy';
        ctx.report({
          object: policy.obj,
          path: ['spec', 'targetRef'],
          severity: healthCheck ? 'warning' : 'error',
          message: healthCheck
            ? `${label} and ${winner.name} both target ${policy.target.kind} ${policy.target.name}; which HealthCheckPolicy GKE uses is not documented (by the Gateway API's rule the older one, ${winner.name}, wins). Keep one.`
            : `${label} is ignored: ${winner.kind} ${winner.name} also targets ${policy.target.kind} ${policy.target.name} and is older, and only one ${policy.kind} applies to a target. Merge them into ${winner.name}.`,
          related: [winner.obj],
          evidence: { reason: 'conflict', winner: `${winner.namespace}/${winner.name}` },
        });
        continue;
      }
      // A Service reached only through multi-cluster Gateways is configured on its ServiceImport.
      const scopes = policy.kind === 'GCPGatewayPolicy' ? undefined : policy.targets.map((t) => clusterScopes.get(t));
      if (policy.target.kind === 'Service' && scopes && scopes.length > 0 && scopes.every((s) => s === 'multi')) {
        ctx.report({
          object: policy.obj,
          path: ['spec', 'targetRef', 'kind'],
          message: `${label} targets Service ${policy.target.name}, which only multi-cluster (-mc) Gateways route to; those take their ${policy.kind} on the ServiceImport (group net.gke.io, kind ServiceImport), so this one does not apply.`,
          evidence: { reason: 'multi-cluster' },
        });
        continue;
      }
      if (policy.target.kind === 'ServiceImport') continue; // created by Multi-cluster Services in the fleet
      if (policy.targets.length > 0) continue;
      ctx.report({
        object: policy.obj,
        path: ['spec', 'targetRef', 'name'],
        severity: live ? 'error' : 'info',
        message: live
          ? `${label} targets ${policy.target.kind} ${policy.namespace}/${policy.target.name}, which does not exist: it applies to nothing.`
          : `${label} targets ${policy.target.kind} ${policy.namespace}/${policy.target.name}, which is not in the linted inputs; make sure something else creates it in namespace ${policy.namespace}.`,
        evidence: { reason: 'target-missing', target: `${policy.target.kind} ${policy.namespace}/${policy.target.name}` },
      });
    }
  },
});

/** Services routes send traffic to, by whether every GKE Gateway they reach them through is multi-cluster ('multi') or not ('single'). */
function backendClusterScopes(model: Model): Map<SnapshotObject, 'single' | 'multi'> {
  const out = new Map<SnapshotObject, 'single' | 'multi'>();
  for (const route of model.gateway.routes) {
    const classes = route.parents.filter((p) => p.gateway?.gkeClass && p.listeners.length > 0).map((p) => p.gateway!.gkeClass!);
    if (classes.length === 0) continue;
    const scope = classes.every((c) => c.multiCluster) ? 'multi' : 'single';
    for (const backend of route.backends) {
      if (!backend.service) continue;
      const obj = backend.service.obj;
      out.set(obj, out.get(obj) === 'single' || scope === 'single' ? 'single' : 'multi');
    }
  }
  return out;
}
