import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { backendSubject } from '../model/lb-logs.js';
import { backendTimelines, isServerError, observe, observedText } from '../model/timeline.js';

export default defineRule({
  meta: {
    id: 'backend-returned-5xx',
    title: 'The application answered 5xx itself',
    severity: 'info',
    category: 'symptom',
    symptom: '5xx answers that look like load balancer errors but are not.',
    cause:
      'With `statusDetails: response_sent_by_backend` the load balancer only passed on the status the application answered: the load balancer, the NEGs and the health checks are not at fault. (Never above info: it is the application\'s own answer.)',
    evidence: 'Request log entries with a 5xx and `statusDetails: response_sent_by_backend`.',
    remediation: "Look at the application's own logs and traces for those requests (the backend pods named by `httpRequest.serverIp`).",
    needs: [DATA.gcpRequestLogs, DATA.services],
    defaults: {},
  },
  check(ctx) {
    for (const timeline of backendTimelines(ctx.model)) {
      const own = timeline.requests.filter((r) => isServerError(r.log.status) && r.log.statusDetails === 'response_sent_by_backend');
      if (own.length === 0) continue;
      const observed = observe(own)!;
      const subject = backendSubject(timeline.backend);
      ctx.report({
        ...(subject.object ? { object: subject.object, related: subject.related } : { resource: subject.resource! }),
        path: subject.path,
        severity: 'info',
        message: `${observedText(observed, false)} on ${subject.label} were answered by the application itself: the load balancer only passed them on.`,
        evidence: subject.evidence,
        observed,
      });
    }
  },
});
