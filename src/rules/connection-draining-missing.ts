import { BACKEND_CONFIG_ANNOTATION, backendConfigAnnotationOf } from '../analysis/annotations.js';
import type { ServicePort, ServiceInfo } from '../model/services.js';
import { asRecord, get } from '../util/values.js';
import type { GcpBackendService } from '../snapshot/types.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import type { Rule } from '../model/rule-contract.js';
import { annotationPath } from '../model/annotations.js';
import { backendConfigFor } from '../model/backend-config.js';
import { serviceLabel } from '../model/labels.js';
import { policyFor } from '../model/gateway.js';

export default defineRule({
  meta: {
    id: 'connection-draining-missing',
    title: 'No connection draining for a NEG backend',
    severity: 'info',
    category: 'wiring',
    symptom: 'In-flight requests are cut (502s, connection resets) when pods are removed during rollouts and scale-downs.',
    cause:
      'When an endpoint leaves a NEG, the load balancer stops sending it new requests at once and, with a draining timeout of 0 (the default), also drops the requests it still has in flight. A BackendConfig connectionDraining.drainingTimeoutSec gives them time to finish.',
    evidence:
      'Offline: the BackendConfig that applies to each Service port GKE Ingress backs with NEGs, checked for connectionDraining.drainingTimeoutSec > 0; for a Service only GKE Gateway routes reach, the GCPBackendPolicy that applies (BackendConfig is ignored there). Live, when the backend services are collected: the drainingTimeoutSec of the backend service whose description names the Service and port.',
    remediation:
      'Reference a BackendConfig with spec.connectionDraining.drainingTimeoutSec (e.g. 30–60, shorter than terminationGracePeriodSeconds) from the Service through cloud.google.com/backend-config; behind a GKE Gateway, set spec.default.connectionDraining.drainingTimeoutSec in a GCPBackendPolicy targeting the Service.',
    needs: [DATA.services, DATA.ingresses, DATA.ingressClasses, DATA.backendConfigs],
    explains: [
      { rule: 'lb-errors-at-pod-termination', on: 'service', why: 'Without connection draining the load balancer drops the requests in flight on an endpoint that leaves the NEG.' },
    ],
    defaults: {},
  },
  check(ctx) {
    const backendServices = ctx.snapshot.cloud?.backendServices;
    // Gateway backends are judged by their GCPBackendPolicy, which needs the policies read (a cluster without the Gateway API has none to judge).
    const policiesKnown = ctx.snapshot.data[DATA.gatewayPolicies]?.state === 'collected';
    for (const neg of ctx.model.negServices) {
      const ingressPorts = neg.ports.filter((p) => p.reasons.some((r) => r === 'annotation-ingress' || r === 'ingress-default'));
      const gatewayOnly = policiesKnown && ingressPorts.length === 0 && neg.ports.some((p) => p.reasons.includes('gateway'));
      if (gatewayOnly) {
        checkGatewayBackend(ctx, neg.service, neg.ports.filter((p) => p.reasons.includes('gateway')).map((p) => p.servicePort));
        continue;
      }
      const ports = ingressPorts.map((p) => p.servicePort);
      if (ports.length === 0) continue;
      const lacking: Array<{ port: ServicePort; why: string }> = [];
      for (const port of ports) {
        const live = backendServices ? liveBackendService(backendServices, neg.service, port) : undefined;
        if (live) {
          const seconds = live.connectionDraining?.drainingTimeoutSec ?? 0;
          if (!(seconds > 0)) lacking.push({ port, why: `backend service ${live.name} has drainingTimeoutSec ${seconds}` });
          continue;
        }
        const use = backendConfigFor(ctx.model, neg.service, port);
        if (use && !use.object) continue; // backendconfig-invalid reports the missing BackendConfig
        const seconds = use?.object ? get(use.object.object, 'spec', 'connectionDraining', 'drainingTimeoutSec') : undefined;
        if (typeof seconds === 'number' && seconds > 0) continue;
        lacking.push({
          port,
          why: !use
            ? 'no BackendConfig applies to it'
            : typeof seconds === 'number'
              ? `BackendConfig ${use.name} sets connectionDraining.drainingTimeoutSec ${seconds}`
              : `BackendConfig ${use.name} sets no connectionDraining.drainingTimeoutSec`,
        });
      }
      if (lacking.length === 0) continue;
      const annotation = backendConfigAnnotationOf(neg.service.obj.object);
      ctx.report({
        object: neg.service.obj,
        path: annotationPath(annotation?.key ?? BACKEND_CONFIG_ANNOTATION),
        message: `${serviceLabel(neg.service)} port${lacking.length > 1 ? 's' : ''} ${lacking.map((l) => l.port.port).join(', ')} ${lacking.length > 1 ? 'have' : 'has'} no connection draining (${[...new Set(lacking.map((l) => l.why))].join('; ')}): requests in flight are dropped when an endpoint leaves the NEG.`,
      });
    }
  },
});

/** A Service only GKE Gateway routes reach: its draining comes from the GCPBackendPolicy that applies (or the live backend service). */
function checkGatewayBackend(ctx: Parameters<Rule['check']>[0], service: ServiceInfo, ports: ServicePort[]): void {
  const backendServices = ctx.snapshot.cloud?.backendServices;
  const policy = policyFor(ctx.model, 'GCPBackendPolicy', service);
  const lacking: Array<{ port: ServicePort; why: string }> = [];
  for (const port of ports) {
    const live = backendServices ? liveBackendService(backendServices, service, port) : undefined;
    if (live) {
      const seconds = live.connectionDraining?.drainingTimeoutSec ?? 0;
      if (!(seconds > 0)) lacking.push({ port, why: `backend service ${live.name} has drainingTimeoutSec ${seconds}` });
      continue;
    }
    const seconds = policy ? get(policy.obj.object, 'spec', 'default', 'connectionDraining', 'drainingTimeoutSec') : undefined;
    if (typeof seconds === 'number' && seconds > 0) continue;
    lacking.push({ port, why: policy ? `GCPBackendPolicy ${policy.name} sets no connectionDraining.drainingTimeoutSec` : 'no GCPBackendPolicy applies to it' });
  }
  if (lacking.length === 0) return;
  ctx.report({
    object: policy?.obj ?? service.obj,
    path: policy ? ['spec', 'default'] : ['metadata', 'name'],
    ...(policy ? { related: [service.obj] } : {}),
    message: `${serviceLabel(service)} (a GKE Gateway backend) port${lacking.length > 1 ? 's' : ''} ${lacking.map((l) => l.port.port).join(', ')} ${lacking.length > 1 ? 'have' : 'has'} no connection draining (${[...new Set(lacking.map((l) => l.why))].join('; ')}): requests in flight are dropped when an endpoint leaves the NEG. Set spec.default.connectionDraining.drainingTimeoutSec in a GCPBackendPolicy targeting it.`,
  });
}

/** The backend service GKE Ingress made for a Service port: its description names both. */
function liveBackendService(list: GcpBackendService[], service: ServiceInfo, port: ServicePort): GcpBackendService | undefined {
  // The first in list order whose description names the Service and port; descriptions are parsed once per list.
  for (const { bs, port: p } of describedBackendServices(list).get(`${service.namespace}/${service.name}`) ?? []) {
    if (p === String(port.port) || (port.name !== undefined && p === port.name)) return bs;
  }
  return undefined;
}

const describedIndexes = new WeakMap<GcpBackendService[], { length: number; byService: Map<unknown, Array<{ bs: GcpBackendService; port: unknown }>> }>();

/** Backend services by the `kubernetes.io/service-name` of their JSON description, in list order. */
function describedBackendServices(list: GcpBackendService[]): Map<unknown, Array<{ bs: GcpBackendService; port: unknown }>> {
  const cached = describedIndexes.get(list);
  if (cached && cached.length === list.length) return cached.byService;
  const byService = new Map<unknown, Array<{ bs: GcpBackendService; port: unknown }>>();
  for (const bs of list) {
    const description = typeof bs.description === 'string' ? bs.description : '';
    if (!description.startsWith('{')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(description);
    } catch {
      continue;
    }
    const rec = asRecord(parsed);
    if (!rec) continue;
    const name = rec['kubernetes.io/service-name'];
    const entry = { bs, port: rec['kubernetes.io/service-port'] };
    const entries = byService.get(name);
    if (entries) entries.push(entry);
    else byService.set(name, [entry]);
  }
  describedIndexes.set(list, { length: list.length, byService });
  return byService;
}
