import { get } from '../util/values.js';
import { nameOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { defineRule } from './define-rule.js';
import type { Path } from '../model/rule-contract.js';
import { BATCH_KINDS, ownerChain } from '../model/owners.js';
import { isDeleting, isPodReady, livePods, negServicesOfPod, podNodeName } from '../model/pods.js';
import { nodeZone, nodesByName } from '../model/nodes.js';
import { serviceList } from '../model/labels.js';
import type { ServiceInfo } from '../model/services.js';

export default defineRule({
  meta: {
    id: 'pods-single-zone',
    title: 'All serving pods run in one zone',
    severity: 'info',
    category: 'live',
    symptom: 'A zonal outage or a node-pool upgrade in one zone takes the whole backend down although the cluster has nodes in other zones.',
    cause:
      'The load balancer spreads traffic over the zonal NEGs that have healthy endpoints. When the scheduler has put every ready pod in one zone, that zone is a single point of failure; nothing in the pod template asks for zone spreading.',
    evidence:
      'For each NEG-backed workload (not Jobs), its ready pods with at least two of them, all on nodes of one zone, while the cluster\'s schedulable nodes span two or more zones. A single-zone cluster is never reported.',
    remediation:
      'Add a topologySpreadConstraint on topology.kubernetes.io/zone (maxSkew 1, whenUnsatisfiable ScheduleAnyway) or a preferred pod anti-affinity on the zone, then let a rollout reschedule the pods.',
    needs: [DATA.pods, DATA.nodes, DATA.services],
    defaults: {},
  },
  check(ctx) {
    const nodes = nodesByName(ctx.model);
    const clusterZones = new Set<string>();
    for (const node of nodes.values()) {
      if (get(node.object.spec, 'unschedulable') === true) continue;
      const zone = nodeZone(node);
      if (zone) clusterZones.add(zone);
    }
    if (clusterZones.size < 2) return;

    const groups = new Map<string, { target: SnapshotObject; path: Path; label: string; services: ServiceInfo[]; zones: Map<string, string[]> }>();
    for (const pod of livePods(ctx.model)) {
      if (isDeleting(pod) || !isPodReady(pod)) continue;
      const negs = negServicesOfPod(ctx.model, pod);
      if (negs.length === 0) continue;
      const owner = ownerChain(ctx.model, pod);
      if (BATCH_KINDS.has(owner.kind)) continue;
      const nodeName = podNodeName(pod);
      const node = nodeName ? nodes.get(nodeName) : undefined;
      const zone = node ? nodeZone(node) : undefined;
      if (!zone) continue;
      const service = negs[0]!.service;
      const key = owner.workload ? `w/${owner.kind}/${owner.name}` : `s/${service.name}`;
      let group = groups.get(key);
      if (!group) {
        const target = owner.workload ? owner.workload.obj : service.obj;
        const path: Path = owner.workload ? [...owner.workload.podSpecPath, 'topologySpreadConstraints'] : ['spec', 'selector'];
        const label = owner.workload ? `${owner.kind} ${owner.name} behind ${serviceList(negs.map((n) => n.service))}` : `Service ${service.name}`;
        groups.set(key, (group = { target, path, label, services: negs.map((n) => n.service), zones: new Map() }));
      }
      const list = group.zones.get(zone);
      if (list) list.push(nameOf(pod));
      else group.zones.set(zone, [nameOf(pod)]);
    }

    for (const group of groups.values()) {
      if (group.zones.size !== 1) continue;
      const [zone, pods] = [...group.zones][0]!;
      if (pods.length < 2) continue;
      const spread = group.path.at(-1) === 'topologySpreadConstraints' ? get(group.target.object, ...group.path) : undefined;
      ctx.report({
        object: group.target,
        path: group.path,
        message: `${group.label} has all ${pods.length} ready pods in zone ${zone} while the cluster has nodes in ${clusterZones.size} zones (${[...clusterZones].sort().join(', ')}): one zone failing takes the backend down.${spread !== undefined ? ' Its topologySpreadConstraints did not spread them.' : ''}`,
        evidence: { zone, pods, clusterZones: [...clusterZones].sort() },
      });
    }
  },
});
