import { NEG_STATUS_ANNOTATION, parseNegStatusAnnotation } from '../analysis/annotations.js';
import { nameOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { clusterIdentity } from '../model/cluster-identity.js';
import { lastSegment, sample } from '../util/text.js';
import { negsOfServicePort } from '../model/neg-index.js';
import { defineRule } from './define-rule.js';
import { isDeleting, isTerminal, livePodsSelectedBy, podNodeName } from '../model/pods.js';
import { nodesByName, nodeZone } from '../model/nodes.js';

export default defineRule({
  meta: {
    id: 'neg-zone-missing',
    title: 'Serving pods run in a zone where the Service has no NEG',
    severity: 'warning',
    category: 'cloud',
    symptom: 'Pods in one zone never receive load-balanced traffic and, with the NEG readiness gate, never become ready; capacity is lower than the replica count suggests.',
    cause:
      'The NEG controller creates one NEG per zone the Service\'s endpoints are in, and the backend service must list each of them. A NEG that failed to be created (quota, a node pool added in a new zone, a zone missing from the `zones` of the NEG annotation) leaves the pods of that zone outside the load balancer.',
    evidence:
      'Live pods selected by a NEG Service (scheduled, not terminal or terminating), placed in a zone by their node (providerID or zone label), against the zones that have a NEG of the Service: the NEG list when collected (by neg-status name or description), otherwise the zones in the cloud.google.com/neg-status annotation.',
    remediation:
      'Look at the Service events for NEG sync errors in that zone and at NEG quota (`gcloud compute project-info describe`); check that the backend service lists a NEG in every zone the node pools use.',
    needs: [DATA.pods, DATA.nodes, DATA.services],
    defaults: {},
  },
  check(ctx) {
    const nodes = nodesByName(ctx.model);
    const identity = clusterIdentity(ctx.snapshot, ctx.model);
    const negsCollected = ctx.snapshot.data[DATA.gcpNegs]?.state === 'collected';
    const allNegs = ctx.snapshot.cloud?.negs ?? [];
    const serving = (p: SnapshotObject) => !isTerminal(p) && !isDeleting(p) && podNodeName(p);
    let checked = 0;
    for (const negService of ctx.model.negServices) {
      const service = negService.service;
      if (!service.selector || Object.keys(service.selector).length === 0) continue;
      const selected = livePodsSelectedBy(ctx.model, service).filter(serving);
      if (selected.length === 0) continue;
      const raw = service.obj.object.metadata.annotations?.[NEG_STATUS_ANNOTATION];
      const status = parseNegStatusAnnotation(raw);
      for (const negPort of negService.ports) {
        const sp = negPort.servicePort;
        let zones: Set<string> | undefined;
        let source = '';
        if (negsCollected) {
          const negs = negsOfServicePort(allNegs, service, sp.port, identity);
          if (negs.length) {
            zones = new Set(negs.map((n) => lastSegment(n.zone)));
            source = `NEG ${negs[0]!.name} exists only in`;
          }
        }
        if (!zones && status.ok && status.value.network_endpoint_groups?.[String(sp.port)] !== undefined && status.value.zones?.length) {
          zones = new Set(status.value.zones);
          source = `${NEG_STATUS_ANNOTATION} lists only`;
        }
        if (!zones) continue; // no NEG at all: neg-status-missing says so
        checked++;
        const outside = new Map<string, string[]>();
        for (const pod of selected) {
          const node = nodes.get(podNodeName(pod)!);
          const zone = node ? nodeZone(node) : undefined;
          if (!zone || zones.has(zone)) continue;
          const list = outside.get(zone);
          if (list) list.push(nameOf(pod));
          else outside.set(zone, [nameOf(pod)]);
        }
        if (outside.size === 0) continue;
        const missingZones = [...outside.keys()].sort();
        const podNames = missingZones.flatMap((z) => outside.get(z)!);
        ctx.report({
          object: service.obj,
          path: raw !== undefined ? ['metadata', 'annotations', NEG_STATUS_ANNOTATION] : sp.path,
          message: `Service ${service.namespace}/${service.name} port ${sp.port} has serving pods in zone ${missingZones.join(', ')} (${sample(podNames)}) but ${source} ${[...zones].sort().join(', ')}: those pods get no load-balanced traffic.`,
          evidence: { zonesWithNeg: [...zones].sort(), missingZones, pods: podNames },
        });
      }
    }
    if (checked === 0 && ctx.model.negServices.length > 0 && !negsCollected) {
      ctx.skip('no NEG Service has a readable neg-status annotation with zones, and the NEG list was not collected');
    }
  },
});
