import { asArray, asRecords, asString, get, isRecord } from '../util/values.js';
import { DATA } from '../snapshot/data-keys.js';
import { clusterIdentity } from '../model/cluster-identity.js';
import { lastSegment, plural, sample } from '../util/text.js';
import { negsOfServicePort } from '../model/neg-index.js';
import { defineRule } from './define-rule.js';
import { endpointSlicesLabelled, SERVICE_NAME_LABEL } from '../model/pods.js';
import { nodesByName, nodeZone } from '../model/nodes.js';

export default defineRule({
  meta: {
    id: 'neg-endpoints-out-of-sync',
    title: 'NEG endpoints differ from the Service\'s ready endpoints',
    severity: 'warning',
    category: 'cloud',
    symptom: 'New pods get no traffic (and stay unready behind the NEG readiness gate) or deleted pods keep getting requests until they time out: 502s during and after rollouts.',
    cause:
      'The NEG controller copies the EndpointSlices of a Service into its zonal NEGs. When it falls behind, fails (quota, permissions, API errors) or runs in degraded mode, the NEGs keep IP:port pairs of pods that are gone and miss the pods that are ready.',
    evidence:
      'For every NEG Service port whose NEG endpoints were listed (`listNetworkEndpoints`), the union of its zonal NEGs\' IP:port pairs is compared with the EndpointSlices of the Service (port by Service port name): a ready endpoint in a zone that has a NEG but missing from it, or a NEG endpoint that no EndpointSlice holds at all (stale). Endpoints that are not ready or terminating are neither required nor stale. The two lists are read moments apart, so a single change during a rollout can show up.',
    remediation:
      'Look at the Service events (`kubectl describe service`) for SyncNetworkEndpointGroupFailed and degraded-mode events and at the endpointslice-degraded findings; if the controller is stuck, a change to the Service (or restarting the pods) triggers a resync. Stale endpoints of deleted pods can be removed with `gcloud compute network-endpoint-groups detach-network-endpoints`.',
    needs: [DATA.gcpNegs, DATA.endpointSlices, DATA.services],
    explains: [
      { rule: 'lb-no-healthy-backend', on: 'service-port', why: 'A NEG that lacks the ready pods leaves the load balancer nothing healthy to pick.' },
      { rule: 'readiness-gate-stuck', on: 'pod', why: "A ready pod whose endpoint is missing from the NEG is never health-checked, so its readiness gate stays False." },
    ],
    defaults: {},
  },
  check(ctx) {
    const allNegs = ctx.snapshot.cloud?.negs ?? [];
    const inspected = allNegs.filter((n) => Array.isArray(n.endpoints));
    if (inspected.length === 0) {
      ctx.skip(ctx.snapshot.data[DATA.gcpNegEndpoints]?.reason ?? 'the endpoints of the NEGs were not listed (`gcloud compute network-endpoint-groups list-network-endpoints`)');
      return;
    }
    const identity = clusterIdentity(ctx.snapshot, ctx.model);
    const nodes = nodesByName(ctx.model);
    for (const negService of ctx.model.negServices) {
      const service = negService.service;
      const slices = endpointSlicesLabelled(ctx.model, service.namespace, service.name)
        .filter((s) => s.object.metadata.labels?.[SERVICE_NAME_LABEL] === service.name)
        .filter((s) => (asString(s.object.addressType) ?? 'IPv4') === 'IPv4');
      if (slices.length === 0) continue;
      for (const negPort of negService.ports) {
        const sp = negPort.servicePort;
        const negs = negsOfServicePort(inspected, service, sp.port, identity);
        if (negs.length === 0) continue;
        const negZones = new Set(negs.map((n) => lastSegment(n.zone)));
        const actual = new Map<string, string>();
        for (const neg of negs) for (const e of neg.endpoints ?? []) if (e.ipAddress) actual.set(`${e.ipAddress}:${e.port ?? ''}`, lastSegment(neg.zone));
        const known = new Set<string>();
        const expected = new Map<string, { zone?: string; pod?: string }>();
        for (const slice of slices) {
          const port = asRecords(slice.object.ports).find((p) => (asString(p.name) ?? '') === (sp.name ?? ''));
          if (!port || typeof port.port !== 'number') continue;
          for (const endpoint of asArray(slice.object.endpoints)) {
            if (!isRecord(endpoint)) continue;
            const nodeName = asString(endpoint.nodeName);
            const node = nodeName ? nodes.get(nodeName) : undefined;
            const zone = asString(endpoint.zone) ?? (node ? nodeZone(node) : undefined);
            const ready = get(endpoint, 'conditions', 'ready') !== false && get(endpoint, 'conditions', 'terminating') !== true;
            const pod = asString(get(endpoint, 'targetRef', 'name'));
            for (const address of asArray(endpoint.addresses)) {
              if (typeof address !== 'string') continue;
              const key = `${address}:${port.port}`;
              known.add(key);
              if (ready && (zone === undefined || negZones.has(zone))) expected.set(key, { ...(zone ? { zone } : {}), ...(pod ? { pod } : {}) });
            }
          }
        }
        const missing = [...expected.keys()].filter((k) => !actual.has(k));
        const stale = [...actual.keys()].filter((k) => !known.has(k));
        if (missing.length === 0 && stale.length === 0) continue;
        const parts: string[] = [];
        if (missing.length) {
          parts.push(`${plural(missing.length, 'ready endpoint')} missing from the NEG (${sample(missing.map((k) => { const e = expected.get(k)!; return `${k}${e.pod ? ` pod ${e.pod}` : ''}${e.zone ? ` in ${e.zone}` : ''}`; }))})`);
        }
        if (stale.length) parts.push(`${plural(stale.length, 'stale endpoint')} that no EndpointSlice holds (${sample(stale.map((k) => `${k} in ${actual.get(k)}`))})`);
        ctx.report({
          object: service.obj,
          path: sp.path,
          message: `NEG ${negs[0]!.name} of Service ${service.namespace}/${service.name} port ${sp.port} is out of sync with its EndpointSlices: ${parts.join('; ')}.`,
          evidence: {
            negs: negs.map((n) => ({ name: n.name, zone: lastSegment(n.zone), endpoints: n.endpoints?.length ?? 0 })),
            missing,
            stale,
          },
        });
      }
    }
  },
});
