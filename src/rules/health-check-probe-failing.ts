import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import type { ProbeLog } from '../snapshot/types.js';
import type { Observed } from '../findings.js';
import { backendSubject, negNamesById, resolveBackend, type LogBackend } from '../model/lb-logs.js';
import { probeReason, type ProbeReason } from '../model/probe-results.js';
import { sample } from '../util/text.js';

const PASSING = new Set(['HEALTHY', 'DRAINING']);

function failing(p: ProbeLog): boolean {
  const detailed = (p.detailedHealthState ?? '').toUpperCase();
  if (detailed) return !PASSING.has(detailed);
  return (p.healthState ?? '').toUpperCase() === 'UNHEALTHY';
}

export default defineRule({
  meta: {
    id: 'health-check-probe-failing',
    title: 'Health-check probes fail',
    severity: 'error',
    category: 'symptom',
    symptom: 'Endpoints UNHEALTHY in the backend service, 502 failed_to_pick_backend, or 503 "no healthy upstream".',
    cause:
      "The load balancer's health check marks an endpoint unhealthy when its probe gets no answer in time, is refused, or gets an HTTP status other than 200. GKE infers the probe from the readinessProbe only in some cases (Ingress); otherwise, and behind a Gateway without a HealthCheckPolicy, it probes `GET /` on the serving port.",
    evidence:
      "Health-check log entries (`jsonPayload.healthCheckProbeResult`, logged on each health transition) of the cluster's NEGs, joined by `network_endpoint_group_id` to the NEG list: the latest state of each endpoint, its `probeResultText`, the probed path (`probeRequest`) and port.",
    remediation:
      'Make the probe ask what the app answers 200 to: a readinessProbe GKE can infer (httpGet on the serving port), a BackendConfig healthCheck (Ingress) or a HealthCheckPolicy (Gateway) with the right requestPath and port. Probes that time out point at the firewall (35.191.0.0/16, 130.211.0.0/22 to the serving port) or an overloaded app.',
    needs: [DATA.gcpProbeLogs, DATA.gcpNegs, DATA.services],
    explains: [
      { rule: 'backend-unhealthy', on: 'service-port', why: 'The probes the health-check logs record failing are what marks those endpoints UNHEALTHY.' },
      { rule: 'lb-no-healthy-backend', on: 'service-port', why: 'When every endpoint fails its probes the load balancer has none to pick.' },
    ],
    defaults: {},
  },
  check(ctx) {
    const ids = negNamesById(ctx.model);
    // The latest log of each endpoint: health-check logs record transitions only.
    const latest = new Map<string, ProbeLog>();
    for (const p of ctx.snapshot.cloud?.probeLogs ?? []) {
      const key = `${p.negId}/${p.ip ?? ''}:${p.port ?? ''}`;
      const prev = latest.get(key);
      if (!prev || prev.t <= p.t) latest.set(key, p);
    }
    const byBackend = new Map<string, { backend: LogBackend; probes: ProbeLog[] }>();
    for (const p of latest.values()) {
      if (!failing(p)) continue;
      const neg = ids.get(p.negId);
      if (!neg) continue;
      let entry = byBackend.get(neg.name);
      if (!entry) {
        const backend = resolveBackend(ctx.model, neg.name, neg.name);
        if (!backend) continue;
        byBackend.set(neg.name, (entry = { backend, probes: [] }));
      }
      entry.probes.push(p);
    }
    for (const { backend, probes } of byBackend.values()) {
      const reasons = probes.map(probeReason);
      const reason = dominant(reasons);
      const results: Record<string, number> = {};
      for (const p of probes) results[p.probeResultText ?? p.detailedHealthState ?? 'UNHEALTHY'] = (results[p.probeResultText ?? p.detailedHealthState ?? 'UNHEALTHY'] ?? 0) + 1;
      const times = probes.map((p) => p.t).sort();
      const observed: Observed = { count: probes.length, first: times[0]!, last: times[times.length - 1]!, statusDetails: results, backends: [...new Set(probes.map((p) => ids.get(p.negId)!.name))].sort() };
      const subject = backendSubject(backend);
      const endpoints = probes.map((p) => `${p.ip ?? '?'}:${p.port ?? '?'}`).sort();
      const paths = [...new Set(probes.map((p) => p.probeRequest).filter((x): x is string => !!x))];
      const resultText = Object.keys(results).slice(0, 2).map((r) => `"${r}"`).join(', ');
      ctx.report({
        ...(subject.object ? { object: subject.object, related: subject.related } : { resource: subject.resource! }),
        path: subject.path,
        message: `${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'} of NEG ${observed.backends.join(', ')} fail${endpoints.length === 1 ? 's' : ''} the load balancer's health check (${sample(endpoints)}): ${resultText}${paths.length ? ` on ${paths.join(', ')}` : ''}, port ${[...new Set(probes.map((p) => p.port ?? '?'))].join(', ')} (${subject.label}).`,
        evidence: { ...subject.evidence, reason, endpoints, probePaths: paths },
        observed,
      });
    }
  },
});

function dominant(reasons: ProbeReason[]): ProbeReason {
  const counts = new Map<ProbeReason, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}
