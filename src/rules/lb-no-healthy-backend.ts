import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import type { LbRequestLog } from '../snapshot/types.js';
import { backendSubject } from '../model/lb-logs.js';
import { backendTimelines, isServerError, observe, observedText } from '../model/timeline.js';

/**
 * `failed_to_pick_backend`: the load balancer found no healthy endpoint. The
 * Envoy-based load balancers (global external, regional and internal ALBs)
 * answer such requests 503 "no healthy upstream" and log `proxyStatus`
 * `destination_unavailable` for them.
 */
function noHealthyBackend(log: LbRequestLog): boolean {
  if (!isServerError(log.status)) return false;
  if (log.statusDetails === 'failed_to_pick_backend' || log.statusDetails === 'no_healthy_upstream') return true;
  return log.status === 503 && (log.proxyStatus ?? '').includes('destination_unavailable') && (log.statusDetails ?? '') !== 'response_sent_by_backend';
}

export default defineRule({
  meta: {
    id: 'lb-no-healthy-backend',
    title: 'Load balancer found no healthy backend',
    severity: 'error',
    category: 'symptom',
    symptom: '502 "failed_to_pick_backend", or 503 "no healthy upstream", for every request to a path — often right after a migration or a deploy.',
    cause:
      'The load balancer had no endpoint it considered healthy in the backend service: the health checks fail (wrong path or port, blocked by the firewall), the NEG is empty or out of sync with the pods, or every pod is not ready.',
    evidence: 'Request log entries with a 5xx and `statusDetails: failed_to_pick_backend` (or the Envoy-based load balancers\' 503 with `proxyStatus` destination_unavailable).',
    remediation:
      'Find why the endpoints are unhealthy: the health-check logs (`health-check-probe-failing`), `gcloud compute backend-services get-health`, the firewall rules for 35.191.0.0/16 and 130.211.0.0/22, and whether the NEG holds the ready pods.',
    needs: [DATA.gcpRequestLogs, DATA.services],
    defaults: {},
  },
  check(ctx) {
    for (const timeline of backendTimelines(ctx.model)) {
      const failed = timeline.requests.filter((r) => noHealthyBackend(r.log));
      if (failed.length === 0) continue;
      const observed = observe(failed)!;
      const subject = backendSubject(timeline.backend);
      ctx.report({
        ...(subject.object ? { object: subject.object, related: subject.related } : { resource: subject.resource! }),
        path: subject.path,
        message: `${observedText(observed, false)} on ${subject.label}: the load balancer had no healthy endpoint to send them to.`,
        evidence: subject.evidence,
        observed,
      });
    }
  },
});
