import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backendSubject, workloadsText } from '../model/lb-logs.js';
import { backendTimelines, isServerError, observe, observedText, terminatingPodOf, timelineEvidence, TERMINATION_DETAILS, type BackendTimeline } from '../model/timeline.js';
import type { MappedRequest } from '../model/lb-logs.js';
import { plural, sample } from '../util/text.js';

export default defineRule({
  meta: {
    id: 'lb-errors-at-pod-termination',
    title: 'Load balancer errors at pod termination',
    severity: 'error',
    category: 'symptom',
    symptom: '502s during every rollout, scale-down or node drain, and quiet in between.',
    cause:
      "When a pod terminates, the load balancer keeps sending it requests for several seconds while the NEG controller detaches the endpoint. A container that stops accepting connections on SIGTERM makes the load balancer log `failed_to_connect_to_backend`, or `backend_connection_closed_before_data_sent_to_client` / `…_after_partial_response_sent` for requests in flight.",
    evidence:
      'Request log entries with a 5xx and one of those statusDetails whose `httpRequest.serverIp` is a pod that was terminating at the time (deletionTimestamp, a `Killing` event, an EndpointSlice endpoint marked terminating, or a pod already gone), or that fall within the grace period (plus 30 s) after a deletion of a pod of the workload behind that backend service.',
    remediation:
      'Keep the container serving while the endpoint is deprogrammed: a preStop hook that sleeps (e.g. 15 s) within a terminationGracePeriodSeconds long enough for it, and connection draining on the backend service (BackendConfig or GCPBackendPolicy connectionDraining.drainingTimeoutSec).',
    needs: [DATA.gcpRequestLogs, DATA.services],
    defaults: {},
  },
  check(ctx) {
    const liveKnown = [DATA.pods, DATA.endpointSlices, DATA.events].some((k) => ctx.snapshot.data[k]?.state === 'collected');
    let candidates = 0;
    for (const timeline of backendTimelines(ctx.model)) {
      const errors = timeline.requests.filter((r) => isServerError(r.log.status) && TERMINATION_DETAILS.has(r.log.statusDetails ?? ''));
      candidates += errors.length;
      const { matched, pods } = atTerminations(errors, timeline);
      if (matched.length === 0) continue;
      const observed = observe(matched)!;
      const subject = backendSubject(timeline.backend);
      const workloads = workloadsText(timeline.backend);
      ctx.report({
        ...(subject.object ? { object: subject.object, related: subject.related } : { resource: subject.resource! }),
        path: subject.path,
        message: `${observedText(observed, false)} on ${subject.label}: ${matched.length === errors.length ? 'all of them' : `${matched.length.toLocaleString('en-US')} of ${errors.length.toLocaleString('en-US')}`} fell at the termination of ${plural(pods.length, 'pod')}${workloads ? ` of ${workloads}` : ''} (${sample(pods)}) — the load balancer still sent requests to endpoints that had stopped serving.`,
        evidence: { ...subject.evidence, terminatingPods: pods.slice(0, 20), atTermination: matched.length, errors: errors.length, timeline: timelineEvidence(timeline, Date.parse(observed.first), Date.parse(observed.last)) },
        observed,
      });
    }
    if (candidates > 0 && !liveKnown) ctx.skip('the inputs hold no pods, EndpointSlices or events: the errors cannot be placed against pod terminations (add `kubectl get pods,endpointslices,events -o yaml`, or run `negdoctor scan`)');
  },
});

/** The errors that fell at a pod's termination, and those pods. */
function atTerminations(errors: MappedRequest[], timeline: BackendTimeline): { matched: MappedRequest[]; pods: string[] } {
  const matched: MappedRequest[] = [];
  const pods = new Set<string>();
  for (const r of errors) {
    const pod = terminatingPodOf(r, timeline);
    if (pod === undefined) continue;
    matched.push(r);
    pods.add(pod);
  }
  return { matched, pods: [...pods].sort() };
}
