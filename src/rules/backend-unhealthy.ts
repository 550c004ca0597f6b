import { isGkeNegName, parseNegDescription } from '../analysis/neg-name.js';
import { nameOf, namespaceOf } from '../model/workloads.js';
import { DATA } from '../snapshot/data-keys.js';
import type { GcpBackendHealth, GcpNeg } from '../snapshot/types.js';
import { joinByEndpoint } from '../model/health-join.js';
import { clusterIdentity } from '../model/cluster-identity.js';
import { describedService, isGkeNeg, negKeyOfGroup, negOwnership } from '../model/neg-index.js';
import { negStatusNames } from '../model/neg-status.js';
import { lastSegment, plural, sample } from '../util/text.js';
import { podsByIp } from '../model/pods.js';
import { defineRule } from './define-rule.js';

interface EndpointHealth {
  ip: string;
  port?: number;
  zone: string;
  state: string;
  backendServices: Set<string>;
}

const UNHEALTHY = 'UNHEALTHY';

export default defineRule({
  meta: {
    id: 'backend-unhealthy',
    title: 'The load balancer reports NEG endpoints as unhealthy',
    severity: 'error',
    category: 'cloud',
    symptom: 'The Ingress answers 502 ("failed_to_pick_backend") when every endpoint is unhealthy, or traffic concentrates on fewer pods when some are; pods with the NEG readiness gate stay unready.',
    cause:
      'The backend service\'s health check fails against the pod IP and port: the path returns something other than 200 (the default health check is `GET /`), the app listens on another port, the health-check ranges are blocked by a firewall rule or a NetworkPolicy, or the probe times out.',
    evidence:
      'Backend service health (`gcloud compute backend-services get-health`) of the NEG backends of this cluster, merged across backend services and zones per NEG (an endpoint counts as UNHEALTHY when any backend service reports it so). Every endpoint is mapped back to its pod by IP when pods are in the snapshot. All UNHEALTHY: error; some: warning.',
    remediation:
      'Compare the health check (`gcloud compute health-checks describe`) with what the pod serves: set a readinessProbe GKE can copy or a BackendConfig healthCheck with the right path and port, and check the firewall-health-check-blocked and network-policy-blocks-health-checks findings.',
    needs: [DATA.gcpBackendHealth],
    explains: [
      { rule: 'lb-no-healthy-backend', on: 'service-port', why: 'With every endpoint of the backend UNHEALTHY the load balancer has none to pick.' },
      { rule: 'readiness-gate-stuck', on: 'pod', why: "The NEG controller sets a pod's readiness gate True only once its endpoint passes the health check, so an UNHEALTHY endpoint keeps that pod's gate False." },
    ],
    defaults: {},
  },
  check(ctx) {
    const cloud = ctx.snapshot.cloud ?? {};
    const negsByKey = new Map<string, GcpNeg>();
    for (const neg of cloud.negs ?? []) negsByKey.set(`${lastSegment(neg.zone)}/${neg.name}`, neg);
    const identity = clusterIdentity(ctx.snapshot, ctx.model);
    const statusNames = negStatusNames(ctx.model);
    const pods = podsByIp(ctx.model);

    // NEG name → endpoints (the NEGs of one Service port share the name across zones).
    const byNeg = new Map<string, { negs: GcpNeg[]; endpoints: Map<string, EndpointHealth> }>();
    // Health that names no group (a REST getHealth answer, a trimmed paste) is joined to its NEG by endpoint.
    const healths: Array<{ key: string; health: GcpBackendHealth }> = [];
    let unjoined = 0;
    for (const health of cloud.backendHealth ?? []) {
      const key = negKeyOfGroup(health.group);
      if (key || health.group) {
        // A group that is no zonal NEG (an instance group, a serverless or internet NEG) is not this rule's.
        if (key) healths.push({ key, health });
        continue;
      }
      const join = joinByEndpoint(ctx.model, cloud.negs ?? [], health);
      unjoined += join.unjoined;
      for (const j of join.joined) healths.push({ key: j.key, health: { ...health, healthStatus: [j.status] } });
    }
    if (unjoined > 0 && healths.length === 0) {
      ctx.skip(`the backend health names no NEG group and its ${plural(unjoined, 'endpoint')} match no NEG endpoint list and no pod of a NEG Service (give \`gcloud compute backend-services get-health\` output, which names the group, or the pods / \`list-network-endpoints\` of the NEGs)`);
      return;
    }
    for (const { key, health } of healths) {
      const [zone, name] = key.split('/') as [string, string];
      const neg = negsByKey.get(key);
      if (neg && negOwnership(neg, identity) === 'other') continue;
      // Pod NEGs only: GKE's L4 passthrough NEGs (GCE_VM_IP) hold nodes, which fail the
      // health check by design under externalTrafficPolicy: Local; and a NEG neither named
      // by a neg-status nor made by the GKE NEG controller belongs to another load balancer.
      if (neg?.networkEndpointType !== undefined && neg.networkEndpointType !== 'GCE_VM_IP_PORT') continue;
      if (!statusNames.has(name) && !(neg ? isGkeNeg(neg) : isGkeNegName(name))) continue;
      let entry = byNeg.get(name);
      if (!entry) byNeg.set(name, (entry = { negs: [], endpoints: new Map() }));
      if (neg && !entry.negs.includes(neg)) entry.negs.push(neg);
      for (const status of health.healthStatus) {
        const ip = status.ipAddress;
        if (!ip) continue;
        const id = `${ip}:${status.port ?? ''}`;
        const state = (status.healthState ?? 'UNKNOWN').toUpperCase();
        const existing = entry.endpoints.get(id);
        const service = lastSegment(health.backendService);
        if (existing) {
          if (state === UNHEALTHY) existing.state = UNHEALTHY;
          if (service) existing.backendServices.add(service);
        } else {
          entry.endpoints.set(id, { ip, ...(status.port !== undefined ? { port: status.port } : {}), zone, state, backendServices: new Set(service ? [service] : []) });
        }
      }
    }

    for (const [name, { negs, endpoints }] of byNeg) {
      const all = [...endpoints.values()];
      const unhealthy = all.filter((e) => e.state === UNHEALTHY);
      if (unhealthy.length === 0) continue;
      const everyOne = unhealthy.length === all.length;
      const neg = negs[0];
      const description = parseNegDescription(neg?.description);
      const service = neg ? describedService(ctx.model, neg) : statusNames.get(name)?.service;
      const servicePort = description?.port ?? statusNames.get(name)?.port;
      const portIndex = service?.ports.findIndex((p) => String(p.port) === servicePort) ?? -1;
      const mapped = unhealthy.map((e) => {
        const pod = pods.get(e.ip);
        return {
          endpoint: `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}`,
          zone: e.zone,
          ...(pod ? { pod: `${namespaceOf(pod)}/${nameOf(pod)}` } : {}),
          backendServices: [...e.backendServices],
        };
      });
      const described = mapped.map((m) => (m.pod ? `${m.endpoint} (pod ${m.pod})` : m.endpoint));
      const owner = service
        ? `Service ${service.namespace}/${service.name}${servicePort ? ` port ${servicePort}` : ''}`
        : description
          ? `Service ${description.namespace}/${description.serviceName} port ${description.port}`
          : undefined;
      const backendServices = [...new Set(unhealthy.flatMap((e) => [...e.backendServices]))];
      const zones = [...new Set(all.map((e) => e.zone))].sort();
      const message = everyOne
        ? `All ${plural(all.length, 'endpoint')} of NEG ${name}${owner ? ` (${owner})` : ''} are UNHEALTHY${backendServices.length ? ` in backend service ${backendServices.join(', ')}` : ''}: ${sample(described)}; the load balancer has no healthy backend and answers 502.`
        : `${unhealthy.length} of ${plural(all.length, 'endpoint')} of NEG ${name}${owner ? ` (${owner})` : ''} are UNHEALTHY${backendServices.length ? ` in backend service ${backendServices.join(', ')}` : ''}: ${sample(described)}; they get no traffic and their pods' NEG readiness gate stays False.`;
      const evidence = {
        resource: `compute/networkEndpointGroups/${name}`,
        neg: name,
        zones,
        unhealthy: mapped,
        healthy: all.filter((e) => e.state === 'HEALTHY').length,
        total: all.length,
        ...(neg?.selfLink ? { selfLink: neg.selfLink } : {}),
      };
      if (service) {
        ctx.report({
          object: service.obj,
          path: portIndex >= 0 ? service.ports[portIndex]!.path : ['spec', 'ports'],
          severity: everyOne ? 'error' : 'warning',
          message,
          evidence,
        });
      } else {
        ctx.report({ path: [], resource: `compute/networkEndpointGroups/${name}`, severity: everyOne ? 'error' : 'warning', message, evidence });
      }
    }
  },
});
