import { gatewayHealthCheck, gatewayPolicies, type PolicyInfo } from '../model/gateway.js';
import type { ServiceInfo } from '../model/services.js';
import type { ServingContainer } from '../model/index.js';
import { asRecord, asString, get } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { negBackedWorkloads, workloadLabel } from '../model/scope.js';
import { serviceLabel } from '../model/labels.js';

export default defineRule({
  meta: {
    id: 'gateway-health-check-default',
    title: 'Gateway backend is health-checked on / although the pod answers readiness elsewhere',
    severity: 'warning',
    category: 'gateway',
    symptom: 'The Gateway answers 502/503 ("no healthy upstream"); the backend service shows every endpoint UNHEALTHY although all pods are Ready.',
    cause:
      'Unlike GKE Ingress, GKE\'s Gateway controller does not infer the health check from the readinessProbe. Without a HealthCheckPolicy that applies, the load balancer probes HTTP `GET /` on the serving port (HTTPS/HTTP2 when the Service port\'s appProtocol says so) and expects 200. An app that answers `/` with 404, a redirect or a login page is marked unhealthy. A HealthCheckPolicy sets the check field by field over these defaults: one with no requestPath still probes `/`.',
    evidence:
      'For each Service port that a route attached to a GKE Gateway sends traffic to, the effective health check: the HealthCheckPolicy that applies (same namespace, valid schema, not losing a conflict), else the default. It fires when that check is an HTTP-family `/` on the serving port and the serving container has no httpGet readinessProbe on `/` at that port (a different path or port, a tcpSocket/exec/grpc probe, or none).',
    remediation:
      'Add a HealthCheckPolicy (networking.gke.io/v1) in the Service\'s namespace targeting the Service, with config.type HTTP and httpHealthCheck.requestPath (and port, if it differs) set to what the readinessProbe checks; or make `/` answer 200.',
    needs: [DATA.gateways, DATA.gatewayPolicies, DATA.services, DATA.workloads],
    explains: [
      { rule: 'health-check-probe-failing', on: 'service-port', why: 'Without a HealthCheckPolicy the Gateway\'s health check probes GET /, which the logged probes answer with an HTTP error.', targetReasons: ['http-error-default-path'] },
      { rule: 'backend-unhealthy', on: 'service-port', why: "The load balancer probes `GET /` on that Service port's endpoints, and an app that answers `/` with anything but 200 has every one of them marked UNHEALTHY." },
    ],
    defaults: {},
  },
  check(ctx) {
    for (const entry of negBackedWorkloads(ctx.model)) {
      for (const { neg, ports } of entry.services) {
        for (const { negPort, serving } of ports) {
          if (!negPort.reasons.includes('gateway') || !serving || serving.portNumber === undefined) continue;
          const hc = gatewayHealthCheck(ctx.model, neg.service, negPort.servicePort);
          if (hc.port !== 'serving' || hc.path !== '/') continue;
          const probe = readinessHttpGet(serving);
          if (probe && probe.path === '/' && probe.port === serving.portNumber) continue;
          const answers = probe
            ? `answers readiness on httpGet ${probe.path} port ${probe.port ?? String(probe.rawPort)}`
            : describeOtherProbe(serving);
          const suggestion = probe ? { path: probe.path, ...(probe.port !== undefined && probe.port !== serving.portNumber ? { port: probe.port } : {}) } : undefined;
          const why = hc.policy ? `HealthCheckPolicy ${hc.policy.name} sets no requestPath` : whyNoPolicy(gatewayPolicies(ctx.model), neg.service);
          ctx.report({
            object: neg.service.obj,
            path: negPort.servicePort.path,
            message: `${serviceLabel(neg.service)} port ${negPort.servicePort.port} is a GKE Gateway backend health-checked with ${hc.type} GET / on the serving port ${serving.portNumber} (${why}), but ${workloadLabel(entry)} container ${serving.container.name} ${answers}. ${fixText(neg.service, hc.type, suggestion)}`,
            related: [entry.workload.obj],
            evidence: {
              healthCheck: `${hc.type} / :${serving.portNumber}`,
              readiness: probe ? `httpGet ${probe.path}:${probe.port ?? probe.rawPort}` : answers,
              ...(hc.policy ? { policy: hc.policy.name } : {}),
            },
          });
        }
      }
    }
  },
});

interface HttpGetProbe {
  path: string;
  /** Resolved container port number, when the probe names one the container declares. */
  port?: number;
  rawPort: unknown;
}

function readinessHttpGet(serving: ServingContainer): HttpGetProbe | undefined {
  const httpGet = asRecord(get(serving.container.container, 'readinessProbe', 'httpGet'));
  if (!httpGet) return undefined;
  const raw = httpGet.port;
  let port: number | undefined;
  if (typeof raw === 'number') port = raw;
  else if (typeof raw === 'string' && /^\d+$/.test(raw)) port = Number(raw);
  else if (typeof raw === 'string') {
    const declared = (get(serving.container.container, 'ports') as unknown[] | undefined) ?? [];
    const match = declared.map(asRecord).find((p) => p?.name === raw);
    if (typeof match?.containerPort === 'number') port = match.containerPort;
  }
  return { path: asString(httpGet.path) || '/', ...(port !== undefined ? { port } : {}), rawPort: raw };
}

function describeOtherProbe(serving: ServingContainer): string {
  const probe = asRecord(serving.container.container.readinessProbe);
  if (!probe) return 'has no readinessProbe (nothing shows `/` answers 200)';
  const kind = ['tcpSocket', 'exec', 'grpc'].find((k) => probe[k] !== undefined);
  return kind ? `answers readiness through a ${kind} probe, which says nothing about \`GET /\`` : 'has a readinessProbe without an httpGet';
}

/** Why no HealthCheckPolicy applies: the ones that name this Service but do not take effect. */
function whyNoPolicy(policies: PolicyInfo[], service: ServiceInfo): string {
  // Same Service name: policies in the Service's namespace that do not take effect, and ones in other namespaces (a policy applies only in its own).
  const near = policies.filter((p) => p.kind === 'HealthCheckPolicy' && p.target?.kind === 'Service' && p.target.name === service.name);
  const reasons = near.map((p) => {
    if (p.namespace !== service.namespace) return `HealthCheckPolicy ${p.namespace}/${p.name} is in namespace ${p.namespace}, and a policy applies only to a Service in its own namespace`;
    if (p.schemaProblems.length > 0) return `HealthCheckPolicy ${p.name} is rejected by its schema`;
    return `HealthCheckPolicy ${p.name} does not apply${p.targetProblem ? ` (${p.targetProblem})` : ''}`;
  });
  return reasons.length > 0 ? reasons.join('; ') : 'no HealthCheckPolicy targets it';
}

function fixText(service: ServiceInfo, type: string, probe: { path: string; port?: number | undefined } | undefined): string {
  const path = probe?.path ?? '/healthz';
  // A port other than the serving port needs USE_FIXED_PORT (the CRD's CEL rules reject a port under the default USE_SERVING_PORT).
  const port = probe?.port !== undefined ? `, portSpecification: USE_FIXED_PORT, port: ${probe.port}` : '';
  const key = type === 'HTTPS' ? 'httpsHealthCheck' : type === 'HTTP2' ? 'http2HealthCheck' : 'httpHealthCheck';
  return `Fix: {apiVersion: networking.gke.io/v1, kind: HealthCheckPolicy, metadata: {name: ${service.name}, namespace: ${service.namespace}}, spec: {targetRef: {group: "", kind: Service, name: ${service.name}}, default: {config: {type: ${type}, ${key}: {requestPath: ${path}${port}}}}}}${probe ? '' : ' (with the path your app answers 200 on)'}.`;
}
