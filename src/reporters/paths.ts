/**
 * The load-balancing path of each Ingress and Gateway, as boxes the pictures
 * (html, markdown) draw: Ingress/Gateway → Service:port → NEG per zone →
 * endpoints → pods. Each box carries the findings about it (matched on the
 * correlation's join keys) and, for endpoints, the health Google Cloud reports.
 * Without cloud data the endpoints come from the EndpointSlices; without live
 * state (lint) the Service leads to the workloads it selects.
 */
import { NEG_STATUS_ANNOTATION, parseNegStatusAnnotation } from '../analysis/annotations.js';
import { defaultSettings } from '../model/settings.js';
import type { FindingKeys } from '../correlate/index.js';
import { KeyReader } from '../correlate/keys.js';
import { SEVERITY_ORDER, type Finding, type Severity } from '../findings.js';
import { matchServicePort, type ServiceInfo, type ServicePort } from '../model/services.js';
import { modelOf, type Model } from '../model/index.js';
import { asArray, asRecord, asString, get } from '../util/values.js';
import { nameOf, namespaceOf } from '../model/workloads.js';
import type { JoinKey } from '../model/rule-contract.js';
import { clusterIdentity } from '../model/cluster-identity.js';
import { lastSegment } from '../util/text.js';
import { negKeyOfGroup, negsOfServicePort } from '../model/neg-index.js';
import { podsByIp } from '../model/pods.js';
import { endpointSlicesLabelled } from '../model/pods.js';
import { ownerChain } from '../model/owners.js';
import type { Report } from './report.js';
import { healthState } from './escape.js';

export type BoxKind = 'ingress' | 'gateway' | 'service-port' | 'neg' | 'endpoint' | 'pod' | 'workload';

export interface Box {
  id: string;
  kind: BoxKind;
  /** First line: what it is. */
  label: string;
  /** Second line: counts or state. */
  detail?: string;
  /** The label without its kind (the picture's column says it): `default/web:80`, `us-central1-a`, a pod name. */
  short: string;
  /** The worst severity of the findings about it. */
  severity?: Severity;
  /** Endpoint health as Google Cloud reports it (HEALTHY, UNHEALTHY, …), or for a NEG the worst of its endpoints. */
  health?: string;
  /** Fingerprints of the findings about it. */
  findings: string[];
  column: number;
}

export interface PathGraph {
  id: string;
  title: string;
  boxes: Box[];
  edges: Array<[string, string]>;
  /** Worst severity on the path. */
  severity?: Severity;
}

/** How many endpoints per NEG zone a picture draws before "+N more". */
const MAX_ENDPOINTS = 6;

export function buildPaths(report: Report): PathGraph[] {
  const model = report.result.model ?? modelOf(report.snapshot, defaultSettings());
  const keys = keysOfFindings(report.result.findings, model);
  const index = new Map<string, string[]>();
  for (const f of report.result.findings) {
    for (const [kind, values] of keys.get(f.fingerprint) ?? []) {
      if (kind === 'cluster') continue;
      for (const v of values) push(index, `${kind}\0${v}`, f.fingerprint);
    }
  }
  const severityOf = new Map(report.result.findings.map((f) => [f.fingerprint, f.severity]));
  const builder = new Builder(model, report, index, severityOf, keys);
  const paths: PathGraph[] = [];
  for (const ingress of model.ingresses) {
    if (ingress.ingressClass === 'other') continue;
    const graph = builder.start(`ingress-${ingress.namespace}-${ingress.name}`, `Ingress ${ingress.namespace}/${ingress.name}`);
    const root = builder.box(graph, 'ingress', `ingress:${ingress.namespace}/${ingress.name}`, `Ingress ${ingress.namespace}/${ingress.name}`, 0, [['ingress', `${ingress.namespace}/${ingress.name}`]], ingress.ingressClass === 'gce-internal' ? 'internal' : undefined);
    const seen = new Set<string>();
    for (const backend of ingress.backends) {
      const service = model.servicesNamed(ingress.namespace, backend.serviceName, ingress.obj)[0];
      const key = `${backend.serviceName}:${String(backend.port ?? '')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      builder.service(graph, root, ingress.namespace, backend.serviceName, service, service ? matchServicePort(service, backend.port) : undefined, backend.port);
    }
    paths.push(builder.finish(graph));
  }
  for (const gateway of model.kind('Gateway')) {
    const ns = namespaceOf(gateway);
    const name = nameOf(gateway);
    const graph = builder.start(`gateway-${ns}-${name}`, `Gateway ${ns}/${name}`);
    const root = builder.box(graph, 'gateway', `gateway:${ns}/${name}`, `Gateway ${ns}/${name}`, 0, [['gateway', `${ns}/${name}`]], asString(get(gateway.object.spec, 'gatewayClassName')));
    const seen = new Set<string>();
    for (const route of [...model.kind('HTTPRoute'), ...model.kind('GRPCRoute')]) {
      const routeNs = namespaceOf(route);
      const attached = asArray(get(route.object.spec, 'parentRefs')).some((p) => {
        const ref = asRecord(p);
        return ref && (asString(ref.kind) ?? 'Gateway') === 'Gateway' && asString(ref.name) === name && (asString(ref.namespace) ?? routeNs) === ns;
      });
      if (!attached) continue;
      for (const rule of asArray(get(route.object.spec, 'rules'))) {
        for (const b of asArray(get(rule, 'backendRefs'))) {
          const ref = asRecord(b);
          if (!ref || (asString(ref.kind) ?? 'Service') !== 'Service' || !asString(ref.name)) continue;
          const serviceNs = asString(ref.namespace) ?? routeNs;
          const port = typeof ref.port === 'number' ? ref.port : undefined;
          const key = `${serviceNs}/${String(ref.name)}:${String(port ?? '')}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const service = model.servicesNamed(serviceNs, String(ref.name))[0];
          builder.service(graph, root, serviceNs, String(ref.name), service, service ? matchServicePort(service, port) : undefined, port);
        }
      }
    }
    paths.push(builder.finish(graph));
  }
  return paths;
}

function keysOfFindings(findings: readonly Finding[], model: Model): Map<string, FindingKeys> {
  const reader = new KeyReader(model);
  return new Map(findings.map((f) => [f.fingerprint, reader.keysOf(f)]));
}

class Builder {
  private readonly identity;
  private readonly pods;
  /** NEG `zone/name` → endpoint `ip:port` → health state. */
  private readonly health = new Map<string, Map<string, string>>();
  private readonly boxIds = new Map<PathGraph, Map<string, Box>>();

  constructor(
    private readonly model: Model,
    private readonly report: Report,
    private readonly index: Map<string, string[]>,
    private readonly severityOf: Map<string, Severity>,
    private readonly keys: Map<string, FindingKeys>,
  ) {
    this.identity = clusterIdentity(report.snapshot, model);
    this.pods = podsByIp(model);
    // Endpoint health by NEG zone/name and ip:port; UNHEALTHY wins across backend services.
    for (const h of report.snapshot.cloud?.backendHealth ?? []) {
      const group = negKeyOfGroup(h.group);
      if (!group) continue;
      let endpoints = this.health.get(group);
      if (!endpoints) this.health.set(group, (endpoints = new Map()));
      for (const s of h.healthStatus) {
        if (!s.ipAddress) continue;
        const id = `${s.ipAddress}:${s.port ?? ''}`;
        const state = healthState(s.healthState);
        if (endpoints.get(id) !== 'UNHEALTHY') endpoints.set(id, state);
      }
    }
  }

  start(id: string, title: string): PathGraph {
    return { id, title, boxes: [], edges: [] };
  }

  finish(graph: PathGraph): PathGraph {
    const worst = worstOf(graph.boxes.map((b) => b.severity));
    return worst ? { ...graph, severity: worst } : graph;
  }

  box(graph: PathGraph, kind: BoxKind, id: string, label: string, column: number, keys: Array<[JoinKey, string]>, detail?: string, health?: string, short?: string): Box {
    const boxId = `${graph.id}--${id}`.replace(/[^A-Za-z0-9_-]+/g, '-');
    let ids = this.boxIds.get(graph);
    if (!ids) this.boxIds.set(graph, (ids = new Map()));
    const existing = ids.get(boxId);
    if (existing) return existing;
    const findings = [...new Set(keys.flatMap(([k, v]) => this.index.get(`${k}\0${v}`) ?? []))];
    const severity = worstOf(findings.map((f) => this.severityOf.get(f)));
    const box: Box = { id: boxId, kind, label, short: short ?? label.replace(/^(Ingress|Gateway|Service|Pod|NEG) /, ''), column, findings, ...(detail ? { detail } : {}), ...(severity ? { severity } : {}), ...(health ? { health } : {}) };
    graph.boxes.push(box);
    ids.set(boxId, box);
    return box;
  }

  edge(graph: PathGraph, from: Box, to: Box): void {
    if (!graph.edges.some(([a, b]) => a === from.id && b === to.id)) graph.edges.push([from.id, to.id]);
  }

  service(graph: PathGraph, root: Box, ns: string, name: string, service: ServiceInfo | undefined, port: ServicePort | undefined, wanted: number | string | undefined): void {
    const portText = port ? String(port.port) : String(wanted ?? '?');
    const keys: Array<[JoinKey, string]> = [['service-port', `${ns}/${name}:${portText}`]];
    // Findings about the whole Service (not one port of it) belong to its box too.
    const serviceWide = (this.index.get(`service\0${ns}/${name}`) ?? []).filter((fp) => !(this.keys.get(fp)?.has('service-port') ?? false));
    const box = this.box(graph, 'service-port', `svc:${ns}/${name}:${portText}`, `Service ${ns}/${name}:${portText}`, 1, keys, !service ? 'missing' : !port ? 'no such port' : undefined);
    for (const fp of serviceWide) if (!box.findings.includes(fp)) box.findings.push(fp);
    box.severity = worstOf(box.findings.map((f) => this.severityOf.get(f)));
    if (!box.severity) delete box.severity;
    this.edge(graph, root, box);
    if (!service || !port) return;

    const negs = negsOfServicePort(this.report.snapshot.cloud?.negs ?? [], service, port.port, this.identity);
    if (negs.length > 0) {
      for (const neg of negs) {
        const zone = lastSegment(neg.zone);
        const endpoints = this.endpointsOf(`${zone}/${neg.name}`, neg.endpoints);
        const states = endpoints.map((e) => e.health ?? 'UNKNOWN');
        const unhealthy = states.filter((s) => s === 'UNHEALTHY').length;
        const negHealth = endpoints.length === 0 ? undefined : unhealthy > 0 ? 'UNHEALTHY' : states.every((s) => s === 'HEALTHY') ? 'HEALTHY' : 'UNKNOWN';
        const detail = `${zone} · ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}${unhealthy ? `, ${unhealthy} unhealthy` : ''}`;
        const negBox = this.box(graph, 'neg', `neg:${zone}/${neg.name}`, `NEG ${neg.name}`, 2, [['neg', neg.name]], detail, negHealth, zone);
        this.edge(graph, box, negBox);
        this.endpoints(graph, negBox, endpoints);
      }
      return;
    }
    // No NEG in the cloud data: the neg-status annotation names them, the EndpointSlices hold the endpoints.
    const status = parseNegStatusAnnotation(service.obj.object.metadata.annotations?.[NEG_STATUS_ANNOTATION]);
    const negName = status.ok ? status.value.network_endpoint_groups?.[String(port.port)] : undefined;
    const sliceEndpoints = this.sliceEndpoints(service);
    if (negName) {
      const zones = status.ok ? (status.value.zones ?? []) : [];
      for (const zone of zones.length ? zones : ['(zones unknown)']) {
        const negBox = this.box(graph, 'neg', `neg:${zone}/${negName}`, `NEG ${negName}`, 2, [['neg', negName]], zone, undefined, zone);
        this.edge(graph, box, negBox);
        this.endpoints(graph, negBox, sliceEndpoints.filter((e) => !e.zone || e.zone === zone || zone === '(zones unknown)'));
      }
      return;
    }
    if (sliceEndpoints.length > 0) {
      this.endpoints(graph, box, sliceEndpoints);
      return;
    }
    // Manifests only: the workloads the Service selects.
    for (const w of this.model.workloadsSelectedBy(service)) {
      const workloadBox = this.box(graph, 'workload', `wl:${w.kind}/${w.namespace}/${w.name}`, `${w.kind} ${w.namespace}/${w.name}`, 4, [['workload', `${w.kind}/${w.namespace}/${w.name}`]], 'pod template');
      this.edge(graph, box, workloadBox);
    }
  }

  private endpointsOf(group: string, listed: Array<{ ipAddress?: string; port?: number }> | undefined): Array<{ ip: string; port?: number; health?: string; zone?: string }> {
    const out = new Map<string, { ip: string; port?: number; health?: string }>();
    for (const e of listed ?? []) if (e.ipAddress) out.set(`${e.ipAddress}:${e.port ?? ''}`, { ip: e.ipAddress, ...(e.port !== undefined ? { port: e.port } : {}) });
    for (const [endpoint, state] of this.health.get(group) ?? []) {
      const [ip, port] = endpoint.split(':') as [string, string];
      const entry = out.get(endpoint) ?? { ip, ...(port ? { port: Number(port) } : {}) };
      out.set(endpoint, { ...entry, health: state });
    }
    return [...out.values()];
  }

  private sliceEndpoints(service: ServiceInfo): Array<{ ip: string; port?: number; zone?: string; pod?: string }> {
    const out: Array<{ ip: string; port?: number; zone?: string; pod?: string }> = [];
    for (const slice of endpointSlicesLabelled(this.model, service.namespace, service.name)) {
      for (const e of asArray(slice.object.endpoints)) {
        const zone = asString(get(e, 'zone'));
        const podName = asString(get(e, 'targetRef', 'name'));
        const pod = podName ? `${asString(get(e, 'targetRef', 'namespace')) ?? service.namespace}/${podName}` : undefined;
        for (const ip of asArray(get(e, 'addresses'))) if (typeof ip === 'string') out.push({ ip, ...(zone ? { zone } : {}), ...(pod ? { pod } : {}) });
      }
    }
    return out;
  }

  private endpoints(graph: PathGraph, parent: Box, endpoints: Array<{ ip: string; port?: number; health?: string; pod?: string }>): void {
    const ordered = [...endpoints].sort((a, b) => rankHealth(a.health) - rankHealth(b.health) || a.ip.localeCompare(b.ip));
    for (const e of ordered.slice(0, MAX_ENDPOINTS)) {
      const pod = this.pods.get(e.ip);
      const podKey = pod ? `${namespaceOf(pod)}/${nameOf(pod)}` : e.pod;
      const address = `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}`;
      const endpointBox = this.box(graph, 'endpoint', `ep:${parent.id}/${address}`, address, 3, podKey ? [['pod', podKey]] : [], e.health ?? undefined, e.health);
      this.edge(graph, parent, endpointBox);
      if (pod) {
        const owner = ownerChain(this.model, pod);
        const podBox = this.box(graph, 'pod', `pod:${podKey}`, `Pod ${nameOf(pod)}`, 4, [['pod', podKey!]], owner.kind !== 'Pod' ? `${owner.kind} ${owner.name}` : undefined);
        this.edge(graph, endpointBox, podBox);
      } else if (e.pod) {
        const podBox = this.box(graph, 'pod', `pod:${e.pod}`, `Pod ${e.pod.slice(e.pod.indexOf('/') + 1)}`, 4, [['pod', e.pod]], 'not in the snapshot');
        this.edge(graph, endpointBox, podBox);
      }
    }
    if (ordered.length > MAX_ENDPOINTS) {
      const more = this.box(graph, 'endpoint', `more:${parent.id}`, `+${ordered.length - MAX_ENDPOINTS} more endpoints`, 3, []);
      this.edge(graph, parent, more);
    }
  }
}

function rankHealth(state: string | undefined): number {
  return state === 'UNHEALTHY' ? 0 : state === 'HEALTHY' ? 2 : 1;
}

export function worstOf(severities: Array<Severity | undefined>): Severity | undefined {
  let worst: Severity | undefined;
  for (const s of severities) if (s && (!worst || SEVERITY_ORDER[s] > SEVERITY_ORDER[worst])) worst = s;
  return worst;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}
