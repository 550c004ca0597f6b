import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backendSubject, type LogBackend } from '../model/lb-logs.js';
import { backendTimelines, isServerError, observe, observedText } from '../model/timeline.js';
import { backendConfigFor } from '../model/backend-config.js';
import { policyFor } from '../model/gateway.js';
import type { Model } from '../model/index.js';
import { get } from '../util/values.js';

/** The backend service timeout GKE sets when nothing else does (BackendConfig and GCPBackendPolicy docs). */
const DEFAULT_TIMEOUT_SECONDS = 30;

/** Where the backend service timeout comes from, and its value. */
function timeoutOf(model: Model, backend: LogBackend): { seconds: number; source: string } {
  const live = model.snapshot.cloud?.backendServices?.find((b) => b.name === backend.name)?.timeoutSec;
  const service = backend.negService?.service;
  const port = service && backend.portIndex !== undefined ? backend.negService!.ports[backend.portIndex]?.servicePort : undefined;
  if (service && port) {
    const use = backendConfigFor(model, service, port);
    const fromConfig = use?.object ? get(use.object.object, 'spec', 'timeoutSec') : undefined;
    if (typeof fromConfig === 'number') return { seconds: typeof live === 'number' ? live : fromConfig, source: `BackendConfig ${service.namespace}/${use!.name} timeoutSec ${fromConfig}` };
    const policy = policyFor(model, 'GCPBackendPolicy', service);
    const fromPolicy = policy ? get(policy.obj.object, 'spec', 'default', 'timeoutSec') : undefined;
    if (policy && typeof fromPolicy === 'number') return { seconds: typeof live === 'number' ? live : fromPolicy, source: `GCPBackendPolicy ${policy.name} timeoutSec ${fromPolicy}` };
  }
  if (typeof live === 'number') return { seconds: live, source: `backend service ${backend.name} timeoutSec ${live}` };
  return { seconds: DEFAULT_TIMEOUT_SECONDS, source: `the ${DEFAULT_TIMEOUT_SECONDS} s default (no BackendConfig or GCPBackendPolicy sets timeoutSec)` };
}

export default defineRule({
  meta: {
    id: 'backend-timeout-exceeded',
    title: 'Requests cut at the backend service timeout',
    severity: 'warning',
    category: 'symptom',
    symptom: '502s (or 504s) on slow requests — exports, reports, long polls, uploads — always after the same number of seconds.',
    cause:
      'The backend service timeout bounds how long the load balancer waits for a backend\'s response (for the classic and global external ALBs also how long a WebSocket may stay open). When it passes, the load balancer logs `backend_timeout` and fails the request. GKE sets it from a BackendConfig `timeoutSec` (Ingress), a GCPBackendPolicy `timeoutSec` (Gateway), or leaves the 30 s default.',
    evidence: 'Request log entries with a 5xx and `statusDetails: backend_timeout`, with their latency compared to the timeout that applies to that backend service.',
    remediation:
      'Make the slow requests faster or asynchronous, or raise the timeout where it comes from: BackendConfig `spec.timeoutSec` for Ingress backends, GCPBackendPolicy `spec.default.timeoutSec` for Gateway backends.',
    needs: [DATA.gcpRequestLogs, DATA.services],
    defaults: {},
  },
  check(ctx) {
    for (const timeline of backendTimelines(ctx.model)) {
      const timedOut = timeline.requests.filter((r) => isServerError(r.log.status) && r.log.statusDetails === 'backend_timeout');
      if (timedOut.length === 0) continue;
      const timeout = timeoutOf(ctx.model, timeline.backend);
      const latencies = timedOut.map((r) => r.log.latency).filter((l): l is number => l !== undefined);
      const atTimeout = latencies.filter((l) => l >= timeout.seconds * 0.95).length;
      const max = latencies.length ? Math.max(...latencies) : undefined;
      const observed = observe(timedOut)!;
      const subject = backendSubject(timeline.backend);
      const latencyText = max === undefined ? 'latency not logged' : `${atTimeout} of ${latencies.length} at ≥ ${Math.round(timeout.seconds * 0.95)} s, longest ${max.toFixed(1)} s`;
      ctx.report({
        ...(subject.object ? { object: subject.object, related: subject.related } : { resource: subject.resource! }),
        path: subject.path,
        message: `${observedText(observed, false)} on ${subject.label}: the backend did not answer within the ${timeout.seconds} s backend service timeout (${latencyText}); the timeout comes from ${timeout.source}.`,
        evidence: { ...subject.evidence, timeoutSec: timeout.seconds, timeoutSource: timeout.source, ...(max !== undefined ? { maxLatencySec: max } : {}) },
        observed,
      });
    }
  },
});
