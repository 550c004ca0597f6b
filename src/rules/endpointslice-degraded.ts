import { ipaddrLib } from '../util/lazy.js';
import type { NegService } from '../model/index.js';
import { selects } from '../model/services.js';
import { asArray, asRecord, asString, get, stringMap } from '../util/values.js';
import { nameOf, namespaceOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { defineRule } from './define-rule.js';
import type { Path } from '../model/rule-contract.js';
import { ENDPOINTSLICE_CONTROLLER, MANAGED_BY_LABEL, endpointSlicesLabelled, isTerminal, podIps, podLabels } from '../model/pods.js';
import { events, eventsAbout } from '../model/events.js';
import { nodePodCidrs, nodesByName, providerZone } from '../model/nodes.js';
import { truncate } from '../util/text.js';

const HOSTNAME_LABEL = 'kubernetes.io/hostname';

interface Problem {
  reason: string;
  path: Path;
  text: string;
}

/** Reasons that fail the normal-mode sync (toZoneNetworkEndpointMap); the others only filter the endpoint in degraded mode. */
const FAILS_SYNC = new Set(['EPPodMissing', 'EPPodNotFound', 'EPNodeMissing', 'EPNodeNotFound', 'EPZoneMissing']);

export default defineRule({
  meta: {
    id: 'endpointslice-degraded',
    title: 'EndpointSlice pushes NEG sync into degraded mode',
    severity: 'error',
    category: 'live',
    symptom:
      'NEG endpoints lag behind the pods: new pods never receive traffic or deleted pods keep receiving it; the Service shows EnterDegradedMode or SyncNetworkEndpointGroupFailed events.',
    cause:
      'The NEG controller turns EndpointSlices into NEG endpoints. An endpoint without a targetRef, nodeName or existing pod, or on a node that does not exist or whose providerID carries no zone, fails the normal sync: the controller enters an error state and, with degraded mode, recomputes endpoints from pods and skips the bad ones. Degraded mode also drops endpoints whose address is not the pod\'s IP, whose pod is terminal or outside the node\'s pod range, or (for slices of the EndpointSlice controller) whose pod labels no longer match the Service; normal mode programs those as they are, so traffic reaches pods the Service does not select.',
    evidence:
      'Every non-terminating IPv4 endpoint of the EndpointSlices of NEG Services, checked the way the controller validates it; the pod-label check only for slices managed by endpointslice-controller.k8s.io (custom slices are exempt, as in the controller). Also EnterDegradedMode events on the Service not followed by ExitDegradedMode.',
    remediation:
      'Fix or delete the controller or tool that writes the faulty EndpointSlice (custom slices must set nodeName, a Pod targetRef and the pod\'s IP); remove virtual or foreign nodes from the endpoints; restart or relabel pods whose labels drifted from the Service selector.',
    needs: [DATA.services, DATA.endpointSlices, DATA.pods, DATA.nodes],
    explains: [
      { rule: 'neg-endpoints-out-of-sync', on: 'service', why: "While an EndpointSlice endpoint fails the sync (or degraded mode drops it), the Service's NEGs do not match its EndpointSlices." },
      { rule: 'readiness-gate-stuck', on: 'pod', why: "An endpoint the NEG controller cannot program never reaches the load balancer, so its pod's readiness gate is never set True." },
      {
        rule: 'endpointslice-degraded',
        on: 'service',
        kind: 'Service',
        reasons: [...FAILS_SYNC],
        why: "An endpoint without a pod, node or zone fails the Service's normal NEG sync, which is what sends it into degraded mode.",
      },
    ],
    defaults: {},
  },
  check(ctx) {
    const nodes = nodesByName(ctx.model);
    const pods = new Map<string, SnapshotObject>();
    for (const pod of ctx.model.kind('Pod')) pods.set(`${namespaceOf(pod)}/${nameOf(pod)}`, pod);
    const allEvents = ctx.snapshot.data[DATA.events]?.state === 'collected' ? events(ctx.model) : [];

    for (const neg of ctx.model.negServices) {
      const service = neg.service;
      for (const slice of endpointSlicesLabelled(ctx.model, service.namespace, service.name)) {
        const labels = stringMap(slice.object.metadata.labels);
        const addressType = asString(slice.object.addressType) ?? 'IPv4';
        if (addressType !== 'IPv4') continue;
        const custom = labels[MANAGED_BY_LABEL] !== ENDPOINTSLICE_CONTROLLER;
        asArray(slice.object.endpoints).forEach((raw, index) => {
          const endpoint = asRecord(raw);
          if (!endpoint) return;
          if (get(endpoint, 'conditions', 'terminating') === true) return; // ignored by the controller
          const problem = validate(endpoint, ['endpoints', index], { nodes, pods, namespace: service.namespace, neg, custom });
          if (!problem) return;
          const address = asString(asArray(endpoint.addresses)[0]) ?? '(no address)';
          ctx.report({
            object: slice,
            path: problem.path,
            message: `EndpointSlice ${nameOf(slice)}${custom ? ` (managed by ${labels[MANAGED_BY_LABEL] ?? 'no controller label'})` : ''} of NEG Service ${service.name}: endpoint ${address} ${problem.text}: ${
              FAILS_SYNC.has(problem.reason)
                ? 'this fails the NEG sync (error state, then degraded mode, which leaves the endpoint out of the NEG).'
                : 'the normal NEG sync programs it anyway and degraded mode leaves it out, so the NEG does not match the Service\'s pods.'
            }`,
            related: [service.obj],
            evidence: { reason: problem.reason, service: service.name, endpoint: address },
          });
        });
      }

      const serviceEvents = eventsAbout(allEvents, 'Service', service.namespace, service.name).filter(
        (e) => e.reason === 'EnterDegradedMode' || e.reason === 'ExitDegradedMode',
      );
      const lastEnter = serviceEvents.filter((e) => e.reason === 'EnterDegradedMode').at(-1);
      const lastExit = serviceEvents.filter((e) => e.reason === 'ExitDegradedMode').at(-1);
      if (lastEnter && (!lastExit || (lastExit.last ?? 0) < (lastEnter.last ?? 0))) {
        ctx.report({
          object: service.obj,
          path: [],
          message: `Service ${service.name} entered NEG degraded mode (event EnterDegradedMode${lastEnter.count > 1 ? `, ${lastEnter.count} times` : ''}) and has not exited it: ${truncate(lastEnter.message)}`,
          evidence: { event: nameOf(lastEnter.obj), reason: lastEnter.reason },
        });
      }
    }
  },
});

interface Lookup {
  nodes: Map<string, SnapshotObject>;
  pods: Map<string, SnapshotObject>;
  namespace: string;
  neg: NegService;
  custom: boolean;
}

/** The first check that fails, in the order the controller applies them. */
function validate(endpoint: Record<string, unknown>, base: Path, lookup: Lookup): Problem | undefined {
  const targetRef = asRecord(endpoint.targetRef);
  const kind = asString(targetRef?.kind);
  const podName = asString(targetRef?.name);
  if (!targetRef || !podName) {
    return { reason: 'EPPodMissing', path: [...base, 'targetRef'], text: 'has no targetRef to a pod' };
  }
  if (kind !== undefined && kind !== 'Pod') {
    return { reason: 'EPPodMissing', path: [...base, 'targetRef', 'kind'], text: `points at a ${kind}, not a Pod` };
  }
  const podNs = asString(targetRef.namespace) || lookup.namespace;
  const pod = lookup.pods.get(`${podNs}/${podName}`);
  if (!pod) {
    return { reason: 'EPPodNotFound', path: [...base, 'targetRef', 'name'], text: `names pod ${podName}, which does not exist` };
  }
  const nodeName = asString(endpoint.nodeName) || asString(get(endpoint, 'deprecatedTopology', HOSTNAME_LABEL));
  if (!nodeName) {
    return { reason: 'EPNodeMissing', path: [...base, 'nodeName'], text: 'has no nodeName' };
  }
  const node = lookup.nodes.get(nodeName);
  if (!node) {
    return { reason: 'EPNodeNotFound', path: [...base, 'nodeName'], text: `is on node ${nodeName}, which does not exist` };
  }
  if (!providerZone(node)) {
    const providerId = asString(get(node.object.spec, 'providerID'));
    return {
      reason: 'EPZoneMissing',
      path: [...base, 'nodeName'],
      text: `is on node ${nodeName}, whose providerID ${providerId ? `"${providerId}" carries` : 'is missing and so gives'} no zone`,
    };
  }
  const address = asString(asArray(endpoint.addresses)[0]);
  const ips = podIps(pod);
  if (!address || !ips.includes(address)) {
    return {
      reason: 'EPIPNotFromPod',
      path: [...base, 'addresses', 0],
      text: `is not an IP of pod ${podName} (${ips.length ? ips.join(', ') : 'the pod has no IP'})`,
    };
  }
  if (isTerminal(pod)) {
    return { reason: 'EPPodTerminal', path: [...base, 'targetRef', 'name'], text: `belongs to pod ${podName}, which is ${asString(get(pod.object.status, 'phase'))}` };
  }
  const cidrs = nodePodCidrs(node);
  if (cidrs.length > 0 && get(pod.object.spec, 'hostNetwork') !== true && !inAnyCidr(address, cidrs)) {
    return { reason: 'EPIPOutOfPodCIDR', path: [...base, 'addresses', 0], text: `is outside the pod ranges of node ${nodeName} (${cidrs.join(', ')})` };
  }
  const selector = lookup.neg.service.selector;
  if (!lookup.custom && selector && !selects(selector, podLabels(pod))) {
    const mismatched = Object.entries(selector)
      .filter(([k, v]) => podLabels(pod)[k] !== v)
      .map(([k, v]) => `${k}=${v}`);
    return {
      reason: 'EPPodLabelMismatch',
      path: [...base, 'targetRef', 'name'],
      text: `belongs to pod ${podName}, whose labels no longer match the Service selector (${mismatched.join(', ')})`,
    };
  }
  return undefined;
}

function inAnyCidr(address: string, cidrs: string[]): boolean {
  if (!ipaddrLib().isValid(address)) return false;
  const ip = ipaddrLib().parse(address);
  return cidrs.some((cidr) => {
    try {
      const [range, bits] = ipaddrLib().parseCIDR(cidr.trim());
      return range.kind() === ip.kind() && ip.match(range, bits);
    } catch {
      return true; // the controller swallows invalid CIDRs; do not blame the endpoint for them
    }
  });
}
