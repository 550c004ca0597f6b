/**
 * Backend health that names no NEG group — the REST `backendServices.getHealth`
 * answer (`{"kind": "compute#backendServiceGroupHealth", "healthStatus": […]}`,
 * what the Console's "Equivalent REST" gives) or a paste trimmed to
 * `healthStatus[{ipAddress, port, healthState}]` — joined to its NEG by
 * endpoint: first by the NEGs' endpoint lists (IP and port), then by the pod
 * with that IP and the NEG Service that selects it (neg-status names the NEG).
 */
import type { GcpBackendHealth, GcpNeg } from '../snapshot/types.js';
import type { Model } from './index.js';
import { negStatusNames } from './neg-status.js';
import { podLabels, podsByIp } from './pods.js';
import { selects } from './services.js';
import { namespaceOf } from './workloads.js';
import { lastSegment } from '../util/text.js';

export interface JoinedHealth {
  /** `zone/name`; the zone is `?` when only the name is known (from a neg-status). */
  key: string;
  status: GcpBackendHealth['healthStatus'][number];
  /** How it was joined, for the finding's evidence. */
  by: 'NEG endpoint list' | 'pod IP';
}

/** The NEG each status of a group-less health answer belongs to; the statuses that join none are counted. */
export function joinByEndpoint(model: Model, negs: readonly GcpNeg[], health: GcpBackendHealth): { joined: JoinedHealth[]; unjoined: number } {
  const joined: JoinedHealth[] = [];
  let unjoined = 0;
  const pods = podsByIp(model);
  const names = negStatusNames(model);
  for (const status of health.healthStatus) {
    const ip = status.ipAddress;
    if (!ip) {
      unjoined++;
      continue;
    }
    const listed = negs.find((neg) => (neg.endpoints ?? []).some((e) => e.ipAddress === ip && (status.port === undefined || e.port === undefined || e.port === status.port)));
    if (listed) {
      joined.push({ key: `${lastSegment(listed.zone)}/${listed.name}`, status, by: 'NEG endpoint list' });
      continue;
    }
    const pod = pods.get(ip);
    const candidates = pod
      ? [...names].filter(([, { service, port }]) => {
          if (service.namespace !== namespaceOf(pod) || !service.selector || !selects(service.selector, podLabels(pod))) return false;
          const servicePort = service.ports.find((p) => String(p.port) === port);
          // A numeric targetPort must be the probed port; a named one cannot be told apart here.
          return !servicePort || status.port === undefined || typeof servicePort.targetPort !== 'number' || servicePort.targetPort === status.port;
        })
      : [];
    if (candidates.length !== 1) {
      unjoined++;
      continue;
    }
    const name = candidates[0]![0];
    const neg = negs.find((n) => n.name === name);
    joined.push({ key: `${neg ? lastSegment(neg.zone) : '?'}/${name}`, status, by: 'pod IP' });
  }
  return { joined, unjoined };
}

/** UNHEALTHY endpoints (`ip:port`) the backend health reports for the NEGs named `names`, by group or joined by endpoint. */
export function unhealthyEndpointsOf(model: Model, negs: readonly GcpNeg[], health: readonly GcpBackendHealth[], names: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  const add = (name: string, status: GcpBackendHealth['healthStatus'][number]) => {
    if (names.has(name) && (status.healthState ?? '').toUpperCase() === 'UNHEALTHY' && status.ipAddress) out.add(`${status.ipAddress}${status.port !== undefined ? `:${status.port}` : ''}`);
  };
  for (const entry of health) {
    if (entry.group) {
      const name = /networkEndpointGroups\/([^/?]+)/.exec(entry.group)?.[1];
      if (name) for (const status of entry.healthStatus) add(name, status);
      continue;
    }
    for (const j of joinByEndpoint(model, negs, entry).joined) add(j.key.split('/')[1]!, j.status);
  }
  return [...out].sort();
}
