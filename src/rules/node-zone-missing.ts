import { asString, get, stringMap } from '../util/values.js';
import { nameOf, namespaceOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import { defineRule } from './define-rule.js';
import { SERVICE_NAME_LABEL, isDeleting, isTerminal, livePods, negServicesOfPod, podNodeName } from '../model/pods.js';
import { labelZone, providerZone } from '../model/nodes.js';

export default defineRule({
  meta: {
    id: 'node-zone-missing',
    title: 'Node without a zone the NEG controller can read',
    severity: 'error',
    category: 'live',
    symptom: 'NEG endpoints stop updating for Services with pods on the node; events SyncNetworkEndpointGroupFailed or EnterDegradedMode mention a zone missing for the node.',
    cause:
      'NEGs are zonal, and the NEG controller takes a node\'s zone from its spec.providerID (gce://<project>/<zone>/<instance>), not from the topology.kubernetes.io/zone label. Nodes that are not Compute Engine VMs, such as virtual-kubelet nodes, have no such providerID: an endpoint on them fails the NEG sync and pushes the Service into degraded mode.',
    evidence:
      'Nodes whose providerID is missing or not of the gce:// form. Error when pods of a NEG Service run there (or its EndpointSlices point there); warning when none does yet.',
    remediation:
      'Keep NEG-backed pods off such nodes (a nodeSelector or node affinity on cloud.google.com/gke-nodepool, or do not tolerate the virtual-kubelet taint), or register the node with its real gce:// providerID.',
    needs: [DATA.nodes],
    explains: [
      { rule: 'endpointslice-degraded', on: 'node', why: "The NEG controller takes an endpoint's zone from its node's providerID, so an endpoint on a node without one fails the NEG sync." },
    ],
    defaults: {},
  },
  check(ctx) {
    const negPodsByNode = new Map<string, string[]>();
    const add = (node: string, what: string) => {
      const list = negPodsByNode.get(node);
      if (list) list.push(what);
      else negPodsByNode.set(node, [what]);
    };
    if (ctx.snapshot.data[DATA.pods]?.state === 'collected') {
      for (const pod of livePods(ctx.model)) {
        const node = podNodeName(pod);
        if (!node || isDeleting(pod) || isTerminal(pod)) continue;
        if (negServicesOfPod(ctx.model, pod).length > 0) add(node, `pod ${namespaceOf(pod)}/${nameOf(pod)}`);
      }
    }
    const negServiceKeys = new Set(ctx.model.negServices.map((n) => `${n.service.namespace}/${n.service.name}`));
    for (const slice of ctx.model.kind('EndpointSlice')) {
      const service = stringMap(slice.object.metadata.labels)[SERVICE_NAME_LABEL];
      if (!service || !negServiceKeys.has(`${namespaceOf(slice)}/${service}`)) continue;
      for (const endpoint of (Array.isArray(slice.object.endpoints) ? slice.object.endpoints : []) as unknown[]) {
        const node = asString(get(endpoint, 'nodeName'));
        if (node && get(endpoint, 'conditions', 'terminating') !== true) add(node, `an endpoint of Service ${namespaceOf(slice)}/${service}`);
      }
    }

    for (const node of ctx.model.kind('Node')) {
      if (providerZone(node)) continue;
      const name = nameOf(node);
      const providerId = asString(get(node.object.spec, 'providerID'));
      const zoneLabel = labelZone(node);
      const onNode = [...new Set(negPodsByNode.get(name) ?? [])];
      const what = providerId ? `has providerID "${providerId}", which is not a Compute Engine instance (gce://<project>/<zone>/<instance>)` : 'has no providerID';
      const label = zoneLabel ? ` Its zone label (${zoneLabel}) does not help: the NEG controller reads the zone from providerID.` : '';
      const impact =
        onNode.length > 0
          ? ` NEG sync fails for ${onNode.slice(0, 3).join(', ')}${onNode.length > 3 ? ', …' : ''}.`
          : ' No NEG endpoint runs there now, but any that is scheduled there will fail the NEG sync.';
      ctx.report({
        object: node,
        path: ['spec', 'providerID'],
        severity: onNode.length > 0 ? 'error' : 'warning',
        message: `Node ${name} ${what}, so the NEG controller cannot tell its zone.${label}${impact}`,
        evidence: { providerID: providerId ?? null, zoneLabel: zoneLabel ?? null, negEndpoints: onNode },
      });
    }
  },
});
