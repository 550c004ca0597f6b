import { NEG_STATUS_ANNOTATION, parseNegStatusAnnotation } from '../analysis/annotations.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { formatDuration, parseTime } from '../util/time.js';
import { isLiveObject } from '../model/pods.js';
import { UNKNOWN_TIME } from '../model/readiness-gate.js';

export default defineRule({
  meta: {
    id: 'neg-status-missing',
    title: 'Service should have NEGs but the NEG controller reports none',
    severity: 'warning',
    category: 'live',
    symptom: 'The Ingress backend shows no healthy endpoints or falls back to instance groups; `gcloud compute network-endpoint-groups list` has no NEG for the Service.',
    cause:
      'Once the NEG controller has created a Service\'s NEGs it writes their names and zones into the annotation cloud.google.com/neg-status. A Service that asks for NEGs (through cloud.google.com/neg, or as a GKE Ingress backend where container-native load balancing is the default) but has no such annotation, or one without the port, has not been processed: the controller is failing, the annotation is malformed, or the Ingress is not handled by GKE.',
    evidence:
      'Services read from the cluster (a scan, a snapshot or a kubectl dump, not a hand-written manifest) older than the threshold, with a NEG wanted for a port (exposed_ports, or a port a GKE Ingress uses) that cloud.google.com/neg-status does not list.',
    remediation:
      'Look at the Service\'s events (`kubectl describe service`) for NEG controller errors, check that the cloud.google.com/neg annotation is valid JSON and that the HttpLoadBalancing add-on is enabled.',
    needs: [DATA.services, DATA.ingresses],
    options: {
      thresholdSeconds: { type: 'integer', minimum: 0, description: 'How long after creation a Service may still lack its NEG status.' },
    },
    defaults: { thresholdSeconds: 300 },
  },
  check(ctx) {
    let live = 0;
    for (const neg of ctx.model.negServices) {
      const service = neg.service;
      if (!isLiveObject(service.obj, ctx.snapshot.source)) continue;
      live++;
      // The controller creates NEGs for exposed_ports, and for the ports an Ingress actually uses.
      const wanted = neg.ports
        .filter((p) => p.reasons.includes('annotation-exposed-ports') || p.usedByIngress)
        .map((p) => p.servicePort);
      if (wanted.length === 0) continue;
      const created = parseTime(service.obj.object.metadata.creationTimestamp);
      const age = created === undefined ? undefined : (ctx.now.getTime() - created) / 1000;
      if (age !== undefined && age < ctx.options.thresholdSeconds) continue;
      const raw = service.obj.object.metadata.annotations?.[NEG_STATUS_ANNOTATION];
      const path = ['metadata', 'annotations', NEG_STATUS_ANNOTATION];
      const ageText = age === undefined ? `, ${UNKNOWN_TIME} (no creationTimestamp says how long)` : ` ${formatDuration(age)} after creation`;
      // Without a creation time the NEGs may still be on their way: the state is reported, at info.
      const severity = age === undefined ? ({ severity: 'info' } as const) : {};
      const portList = wanted.map((p) => p.port).join(', ');
      if (raw === undefined) {
        ctx.report({
          object: service.obj,
          path,
          ...severity,
          message: `Service ${service.name} should have NEGs for port ${portList} but has no ${NEG_STATUS_ANNOTATION} annotation${ageText}: the NEG controller has not created its NEGs.`,
          evidence: { ports: wanted.map((p) => p.port) },
        });
        continue;
      }
      const parsed = parseNegStatusAnnotation(raw);
      if (!parsed.ok) {
        ctx.report({ object: service.obj, path, message: `Service ${service.name} has an unreadable ${NEG_STATUS_ANNOTATION} annotation: ${parsed.error}.` });
        continue;
      }
      const listed = parsed.value.network_endpoint_groups ?? {};
      const missing = wanted.filter((p) => listed[String(p.port)] === undefined);
      if (missing.length === 0) continue;
      ctx.report({
        object: service.obj,
        path,
        ...severity,
        message: `Service ${service.name} should have a NEG for port ${missing.map((p) => p.port).join(', ')} but ${NEG_STATUS_ANNOTATION} lists only port ${Object.keys(listed).join(', ') || 'none'}${ageText}.`,
        evidence: { ports: missing.map((p) => p.port) },
      });
    }
    if (live === 0 && ctx.model.negServices.length > 0) {
      ctx.skip('the inputs hold no Services read from a cluster (`kubectl get services -o yaml`, a scan or a snapshot); hand-written manifests never carry the NEG status');
    }
  },
});
