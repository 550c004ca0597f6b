import { asRecords, get, isRecord } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { events, eventsAbout } from '../model/events.js';
import { formatDuration, parseTime } from '../util/time.js';
import { isLiveObject } from '../model/pods.js';
import { truncate } from '../util/text.js';
import { UNKNOWN_TIME } from '../model/readiness-gate.js';

export default defineRule({
  meta: {
    id: 'ingress-no-address',
    title: 'GKE Ingress has no address',
    severity: 'error',
    category: 'live',
    symptom: '`kubectl get ingress` shows an empty ADDRESS long after the Ingress was created; the site is unreachable.',
    cause:
      'The GKE Ingress controller writes the load balancer IP into status.loadBalancer.ingress once the forwarding rule exists. An Ingress without it after several minutes was not translated or not synced: a missing backend Service or port, an invalid annotation or BackendConfig, a quota or permission error, or the HttpLoadBalancing add-on turned off.',
    evidence: 'GKE-class Ingresses read with their status whose status.loadBalancer.ingress is empty longer than the threshold after creation; the latest Warning event on the Ingress is quoted when events are available.',
    remediation: 'Read `kubectl describe ingress` events (see also ingress-sync-errors), fix the reported problem, and check that the HttpLoadBalancing add-on is enabled on the cluster.',
    needs: [DATA.ingresses, DATA.ingressStatus],
    options: {
      thresholdSeconds: { type: 'integer', minimum: 0, description: 'How long after creation an Ingress may still be without an address.' },
    },
    defaults: { thresholdSeconds: 300 },
  },
  check(ctx) {
    const allEvents = ctx.snapshot.data[DATA.events]?.state === 'collected' ? events(ctx.model) : [];
    for (const ingress of ctx.model.ingresses) {
      if (ingress.ingressClass === 'other') continue;
      const status = ingress.obj.object.status;
      if (!isRecord(status)) continue; // a manifest, not live state
      const addresses = asRecords(get(status, 'loadBalancer', 'ingress')).filter((a) => a.ip || a.hostname);
      if (addresses.length > 0) continue;
      const created = parseTime(ingress.obj.object.metadata.creationTimestamp);
      const about = eventsAbout(allEvents, 'Ingress', ingress.namespace, ingress.name);
      const warning = about.filter((e) => e.type === 'Warning').at(-1);
      if (created === undefined) {
        // No creationTimestamp (trimmed, or `--dry-run` output): only an object read from a cluster, or one with events, is live state.
        if (!isLiveObject(ingress.obj, ctx.snapshot.source) && about.length === 0) continue;
        ctx.report({
          object: ingress.obj,
          path: ['status', 'loadBalancer', 'ingress'],
          severity: 'info',
          message: `Ingress ${ingress.name} (class ${ingress.ingressClass}) has no address, ${UNKNOWN_TIME}: no creationTimestamp says how long${warning ? `; last warning: ${warning.reason}: ${truncate(warning.message)}` : ''}.`,
          evidence: { age: 'unknown', ...(warning ? { lastWarning: `${warning.reason}: ${warning.message}` } : {}) },
        });
        continue;
      }
      const age = (ctx.now.getTime() - created) / 1000;
      if (age < ctx.options.thresholdSeconds) continue;
      ctx.report({
        object: ingress.obj,
        path: ['status', 'loadBalancer', 'ingress'],
        message: `Ingress ${ingress.name} (class ${ingress.ingressClass}) has no address ${formatDuration(age)} after creation (threshold ${ctx.options.thresholdSeconds} s)${warning ? `; last warning: ${warning.reason}: ${truncate(warning.message)}` : ''}.`,
        evidence: { ageSeconds: Math.floor(age), ...(warning ? { lastWarning: `${warning.reason}: ${warning.message}` } : {}) },
      });
    }
  },
});
