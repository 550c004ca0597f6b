/**
 * The join keys of a finding: which Service port, Service, NEG, pod, node,
 * workload, Ingress or Gateway it is about. Read from what the engine already
 * has — the object and field path, the evidence the rule attached, and the
 * model — so rule bodies need not change to be correlated.
 *
 * A key names one thing the same way whichever rule reports it:
 *   service / ingress / gateway / pod   namespace/name (a GKE Gateway policy: the Service or Gateway its targetRef names)
 *   listener                            namespace/gateway/listener (evidence.listener, or evidence.listeners of a route)
 *   service-port                        namespace/name:port (the Service port, not the container port)
 *   workload                            Kind/namespace/name (a pod's controller, through its ReplicaSet)
 *   node / neg / backend-service        name
 *   cluster                             one per snapshot
 */
import { pathToString, type Finding } from '../findings.js';
import type { Model } from '../model/index.js';
import { asArray, asRecord, asString, get, isRecord } from '../util/values.js';
import { nameOf, namespaceOf } from '../model/workloads.js';
import type { JoinKey } from '../model/rule-contract.js';
import type { SnapshotObject } from '../snapshot/types.js';
import { podsByIp } from '../model/pods.js';
import { livePods, podNodeName, SERVICE_NAME_LABEL } from '../model/pods.js';
import { ownerChain } from '../model/owners.js';
import { ingressServingPortsByContainer, servingPorts, type ServingPort } from '../model/serving-ports.js';

export type FindingKeys = Map<JoinKey, Set<string>>;

const GKE_POLICY_KINDS = new Set(['HealthCheckPolicy', 'GCPBackendPolicy', 'GCPGatewayPolicy']);
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);

export class KeyReader {
  private readonly objects = new Map<string, SnapshotObject>();

  constructor(private readonly model: Model) {
    for (const obj of model.snapshot.objects) {
      // Namespaced objects by their namespace; cluster-scoped ones (a Finding's namespace null) under ''.
      for (const key of [`${obj.object.kind}/${namespaceOf(obj)}/${nameOf(obj)}`, `${obj.object.kind}//${nameOf(obj)}`]) {
        if (!this.objects.has(key)) this.objects.set(key, obj);
      }
    }
  }

  keysOf(f: Finding): FindingKeys {
    const keys: FindingKeys = new Map();
    const add = (kind: JoinKey, value: string | undefined) => {
      if (!value) return;
      let set = keys.get(kind);
      if (!set) keys.set(kind, (set = new Set()));
      set.add(value);
    };
    // One snapshot is one cluster: a cluster setting can explain anything in it.
    add('cluster', 'cluster');
    const evidence = f.evidence ?? {};
    const obj = f.object ? this.objects.get(`${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}`) : undefined;
    const ns = f.object?.namespace ?? 'default';

    if (f.object) {
      const { kind, name } = f.object;
      if (kind === 'Service') {
        add('service', `${ns}/${name}`);
        const index = /^spec\.ports\[(\d+)\]/.exec(f.path);
        const ports = asArray(get(obj?.object.spec, 'ports'));
        if (index) add('service-port', servicePortKey(ns, name, get(ports[Number(index[1])], 'port')));
        // Findings about some ports of the whole Service say which ones.
        for (const p of asArray(evidence.ports)) if (!index && typeof p === 'number') add('service-port', `${ns}/${name}:${p}`);
        // gateway-backendconfig-ignored: the ports whose health check an ignored BackendConfig sets.
        for (const p of asArray(evidence.healthCheckPorts)) if (typeof p === 'number') add('service-port', `${ns}/${name}:${p}`);
      } else if (kind === 'Pod') {
        this.addPod(add, ns, name);
      } else if (WORKLOAD_KINDS.has(kind)) {
        add('workload', `${kind}/${ns}/${name}`);
      } else if (kind === 'Node') {
        add('node', name);
        // The node's pods: what a broken node does to the endpoints on it.
        for (const pod of this.podsOnNode().get(name) ?? []) this.addPod(add, namespaceOf(pod), nameOf(pod), false);
      } else if (kind === 'Ingress') {
        add('ingress', `${ns}/${name}`);
      } else if (kind === 'Gateway') {
        add('gateway', `${ns}/${name}`);
      } else if (GKE_POLICY_KINDS.has(kind) && f.object.apiVersion.startsWith('networking.gke.io/') && obj) {
        // A GKE Gateway policy is about the object its targetRef names, whether or not it applies to it.
        const ref = asRecord(get(obj.object.spec, 'targetRef'));
        const target = `${asString(ref?.namespace) ?? ns}/${asString(ref?.name) ?? ''}`;
        if (asString(ref?.name) && asString(ref?.kind) === 'Service') add('service', target);
        if (asString(ref?.name) && asString(ref?.kind) === 'Gateway') add('gateway', target);
      } else if (kind === 'EndpointSlice' && obj) {
        add('service', serviceOfSlice(obj));
        const index = /^endpoints\[(\d+)\]/.exec(f.path);
        const endpoint = index ? asRecord(asArray(obj.object.endpoints)[Number(index[1])]) : undefined;
        if (endpoint) {
          add('node', asString(endpoint.nodeName));
          const ref = asRecord(endpoint.targetRef);
          if (ref && (asString(ref.kind) ?? 'Pod') === 'Pod' && asString(ref.name)) add('pod', `${asString(ref.namespace) ?? ns}/${asString(ref.name)}`);
        }
      }
    }

    // Evidence the rules attach, by the names they use.
    if (typeof evidence.neg === 'string') add('neg', evidence.neg);
    if (typeof evidence.listener === 'string') add('listener', evidence.listener);
    for (const l of asArray(evidence.listeners)) if (typeof l === 'string') add('listener', l);
    for (const n of asArray(evidence.negs)) add('neg', asString(get(n, 'name')));
    for (const bs of asArray(evidence.backendServices)) if (typeof bs === 'string') add('backend-service', bs);
    // Symptom findings (request logs): the workloads behind the backend, as Kind/namespace/name.
    for (const w of asArray(evidence.workloads)) if (typeof w === 'string') add('workload', w);
    for (const u of asArray(evidence.unhealthy)) {
      const pod = asString(get(u, 'pod'));
      if (pod) add('pod', pod);
      for (const bs of asArray(get(u, 'backendServices'))) if (typeof bs === 'string') add('backend-service', bs);
    }
    // rollout-stuck: the pods the NEG readiness gate holds back (in the workload's namespace).
    for (const pod of asArray(evidence.heldPods)) if (typeof pod === 'string') add('pod', `${ns}/${pod}`);
    // neg-endpoints-out-of-sync: ready endpoints missing from the NEG, mapped to their pods by IP.
    if (Array.isArray(evidence.missing) && f.object?.kind === 'Service') {
      const pods = (this.podsByIp ??= podsByIp(this.model));
      for (const endpoint of evidence.missing) {
        if (typeof endpoint !== 'string') continue;
        const pod = pods.get(endpoint.replace(/:\d+$/, ''));
        if (pod) add('pod', `${namespaceOf(pod)}/${nameOf(pod)}`);
      }
    }
    if (obj) this.addServingPorts(f, obj, evidence, add);
    return keys;
  }

  private podsByNode: Map<string, SnapshotObject[]> | undefined;
  private podsByIp: ReadonlyMap<string, SnapshotObject> | undefined;
  private servingByContainer: Map<string, ServingPort[]> | undefined;

  private podsOnNode(): Map<string, SnapshotObject[]> {
    if (!this.podsByNode) {
      this.podsByNode = new Map();
      for (const pod of livePods(this.model)) {
        const node = podNodeName(pod);
        if (!node) continue;
        const list = this.podsByNode.get(node);
        if (list) list.push(pod);
        else this.podsByNode.set(node, [pod]);
      }
    }
    return this.podsByNode;
  }

  private addPod(add: (kind: JoinKey, value: string | undefined) => void, ns: string, name: string, withNode = true): void {
    add('pod', `${ns}/${name}`);
    const pod = this.objects.get(`Pod/${ns}/${name}`);
    if (!pod) return;
    const owner = ownerChain(this.model, pod);
    if (owner.kind !== 'Pod') add('workload', `${owner.kind}/${ns}/${owner.name}`);
    if (withNode) add('node', podNodeName(pod));
  }

  /**
   * Workload findings about a container's health check (readiness-probe-missing,
   * health-check-not-inferred) or about the health-check port a NetworkPolicy
   * blocks: the Service ports whose load balancer health check they decide.
   */
  private addServingPorts(f: Finding, obj: SnapshotObject, evidence: Record<string, unknown>, add: (kind: JoinKey, value: string | undefined) => void): void {
    const container = /^(.*containers\[\d+\])\.readinessProbe$/.exec(f.path);
    if (container && WORKLOAD_KINDS.has(obj.object.kind)) {
      if (!this.servingByContainer) {
        this.servingByContainer = new Map();
        for (const group of ingressServingPortsByContainer(this.model)) {
          const first = group[0]!;
          this.servingByContainer.set(`${first.entry.workload.obj.id}\0${pathToString(first.serving.container.path)}`, group);
        }
      }
      for (const group of [this.servingByContainer.get(`${obj.id}\0${container[1]}`) ?? []]) {
        for (const p of group) {
          // A BackendConfig health check replaces the probe for its port: the probe decides nothing there.
          if (p.backendConfigHealthCheck !== undefined) continue;
          add('service-port', `${p.neg.service.namespace}/${p.neg.service.name}:${p.negPort.servicePort.port}`);
        }
      }
    }
    const workload = typeof evidence.workload === 'string' ? evidence.workload : undefined;
    if (workload && typeof evidence.port === 'number') {
      for (const sp of servingPorts(this.model)) {
        const w = sp.entry.workload;
        if (`${w.kind}/${w.namespace}/${w.name}` !== workload || sp.healthCheck.port !== evidence.port) continue;
        add('workload', workload);
        add('service-port', `${sp.neg.service.namespace}/${sp.neg.service.name}:${sp.negPort.servicePort.port}`);
      }
    }
  }
}

function servicePortKey(ns: string, name: string, port: unknown): string | undefined {
  return typeof port === 'number' ? `${ns}/${name}:${port}` : undefined;
}

function serviceOfSlice(slice: SnapshotObject): string | undefined {
  const labels = slice.object.metadata.labels;
  const service = isRecord(labels) ? asString(labels[SERVICE_NAME_LABEL]) : undefined;
  return service ? `${namespaceOf(slice)}/${service}` : undefined;
}
