import { asRecords, get, isRecord } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { conditions } from '../model/conditions.js';
import { events, eventsAbout } from '../model/events.js';
import { formatDuration, parseTime } from '../util/time.js';
import { truncate } from '../util/text.js';

export default defineRule({
  meta: {
    id: 'gateway-not-programmed',
    title: 'GKE Gateway is not programmed',
    severity: 'error',
    category: 'gateway',
    symptom: 'The Gateway has no address, or an old one that no longer serves the current configuration: `kubectl get gateway` shows PROGRAMMED False or empty.',
    cause:
      'GKE\'s Gateway controller sets Accepted and Programmed once it has translated the Gateway and created the load balancer. False means it gave up (an invalid listener or certificate, a missing proxy-only subnet for regional classes, quota, permissions), with the reason in the condition and in Warning events. A new Gateway carries the CRD\'s default conditions (status Unknown, reason Pending, dated 1970-01-01) until the controller first writes them.',
    evidence:
      'Live GKE-class Gateways (with status): Accepted or Programmed False, quoting reason and message and the latest Warning event on the Gateway; or no status.addresses longer than the threshold after the Gateway\'s creationTimestamp. Ages are never computed from condition timestamps (the CRD default is 1970-01-01).',
    remediation: 'Read `kubectl describe gateway` (conditions and events), fix what the controller reports, and check the GatewayClass, the proxy-only subnet of regional classes, certificates and quotas.',
    needs: [DATA.gateways, DATA.gatewayStatus],
    options: {
      thresholdSeconds: { type: 'integer', minimum: 0, description: 'How long after creation a Gateway may still be without an address.' },
    },
    defaults: { thresholdSeconds: 600 },
  },
  check(ctx) {
    const allEvents = ctx.snapshot.data[DATA.events]?.state === 'collected' ? events(ctx.model) : [];
    for (const gateway of ctx.model.gateway.gateways) {
      if (!gateway.gke) continue;
      const status = gateway.obj.object.status;
      if (!isRecord(status)) continue; // a manifest, not live state
      const warning = eventsAbout(allEvents, 'Gateway', gateway.namespace, gateway.name)
        .filter((e) => e.type === 'Warning')
        .at(-1);
      const warningText = warning ? `; last warning: ${warning.reason}: ${sentence(truncate(warning.message))}` : '';
      const evidenceWarning = warning ? { lastWarning: `${warning.reason}: ${warning.message}` } : {};
      // The age comes from the object's creation only: default conditions are dated 1970-01-01.
      const created = parseTime(gateway.obj.object.metadata.creationTimestamp);
      const age = created === undefined ? undefined : (ctx.now.getTime() - created) / 1000;
      const young = age === undefined || age < ctx.options.thresholdSeconds;
      const failed = conditions(gateway.obj).find(
        // "Pending" is still provisioning: only a failure once the threshold has passed.
        (c) => (c.type === 'Accepted' || c.type === 'Programmed') && c.status === 'False' && !(c.reason === 'Pending' && young),
      );
      if (failed) {
        ctx.report({
          object: gateway.obj,
          path: ['status', 'conditions', failed.index],
          message: `Gateway ${gateway.namespace}/${gateway.name} (class ${gateway.className ?? '?'}) is ${failed.type}=False: ${failed.reason ?? 'no reason'}${failed.message ? `: ${sentence(truncate(failed.message))}` : ''}${warningText}.`,
          evidence: { condition: failed.type, ...(failed.reason ? { reason: failed.reason } : {}), ...evidenceWarning },
        });
        continue;
      }
      const addresses = asRecords(get(status, 'addresses')).filter((a) => a.value);
      if (addresses.length > 0) continue;
      if (age === undefined || young) continue;
      ctx.report({
        object: gateway.obj,
        path: ['status', 'addresses'],
        message: `Gateway ${gateway.namespace}/${gateway.name} (class ${gateway.className ?? '?'}) has no address ${formatDuration(age)} after creation (threshold ${ctx.options.thresholdSeconds} s)${warningText}.`,
        evidence: { ageSeconds: Math.floor(age), ...evidenceWarning },
      });
    }
  },
});

/** A quoted message without its final period, so the finding's own sentence ends once. */
function sentence(text: string): string {
  return text.replace(/[.\s]+$/, '');
}
