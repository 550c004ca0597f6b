/** The backend services (global, and the regional ones of internal Ingress) and the health of their NEG backends. */
import { DATA } from '../../snapshot/data-keys.js';
import type { GcpBackendHealth, GcpBackendService, GcpNeg } from '../../snapshot/types.js';
import type { GcpReadContext } from './context.js';
import { mapBackendHealth, mapBackendService } from './map.js';
import { lastSegment } from '../../util/text.js';
import { regionOf } from './names.js';
import { shouldInspect } from './negs.js';
import { OPS } from './operations.js';
import { CALL, listItems } from './session.js';

/** Global backend services, and the regional ones of the cluster's region (internal Ingress). */
export async function readBackendServices({ session, clients, options, cloud }: GcpReadContext): Promise<GcpBackendService[] | undefined> {
  const region = regionOf(options.location);
  session.progress.onStart?.('backend-services');
  const lists = await Promise.all([
    session
      .listAll(
        'backend-services',
        (pageToken) =>
          clients.backendServices.list({ project: options.project, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}) }, CALL),
        listItems,
        false,
      )
      .catch((error: unknown) => {
        session.fail(DATA.gcpBackendServices, 'backend-services', OPS.listBackendServices, `projects/${options.project}`, error);
        return undefined;
      }),
    session
      .listAll(
        'backend-services',
        (pageToken) =>
          clients.regionBackendServices.list(
            { project: options.project, region, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}) },
            CALL,
          ),
        listItems,
        false,
      )
      .catch((error: unknown) => {
        session.fail(DATA.gcpBackendServices, 'backend-services', OPS.listRegionBackendServices, `projects/${options.project}/regions/${region}`, error);
        return undefined;
      }),
  ]);
  const services = lists.flatMap((list) => list ?? []).map(mapBackendService);
  session.progress.onDone?.('backend-services', services.length);
  if (lists.every((list) => list === undefined)) {
    session.missing(DATA.gcpBackendHealth, 'the backend services could not be read');
    return undefined;
  }
  cloud.backendServices = services;
  session.collected(DATA.gcpBackendServices);
  return services;
}

/**
 * getHealth once per (backend service, NEG backend) pair — the API has no
 * list form. Only NEGs worth inspecting are asked about (see shouldInspect);
 * every NEG backend when the NEG list is unknown.
 */
export async function readBackendHealth({ session, clients, options, cloud }: GcpReadContext, services: GcpBackendService[], negs: GcpNeg[] | undefined): Promise<void> {
  const wanted = negs ? new Set(negs.filter((n) => shouldInspect(n, options.clusterUid)).map((n) => `${lastSegment(n.zone)}/${n.name}`)) : undefined;
  const pairs: Array<{ service: GcpBackendService; group: string }> = [];
  for (const service of services) {
    for (const backend of service.backends ?? []) {
      const key = negKeyOf(backend.group);
      if (key && (!wanted || wanted.has(key))) pairs.push({ service, group: backend.group });
    }
  }
  session.progress.onStart?.('backend-health');
  const health: GcpBackendHealth[] = [];
  let failed = 0;
  await Promise.all(
    pairs.map(async ({ service, group }) => {
      const region = service.region ? lastSegment(service.region) : undefined;
      try {
        const [raw] = await session.call('backend-health', () =>
          region
            ? clients.regionBackendServices.getHealth(
                { project: options.project, region, backendService: service.name, resourceGroupReferenceResource: { group } },
                CALL,
              )
            : clients.backendServices.getHealth(
                { project: options.project, backendService: service.name, resourceGroupReferenceResource: { group } },
                CALL,
              ),
        );
        health.push(mapBackendHealth(service.selfLink ?? service.name, group, raw));
        session.progress.onPage?.('backend-health', 1);
      } catch (error) {
        failed++;
        const target = `projects/${options.project}/${region ? `regions/${region}` : 'global'}/backendServices/${service.name}`;
        session.fail(DATA.gcpBackendHealth, 'backend-health', region ? OPS.getRegionHealth : OPS.getHealth, target, error);
      }
    }),
  );
  // Stable order whatever order the answers came in.
  health.sort((a, b) => a.backendService.localeCompare(b.backendService) || a.group.localeCompare(b.group));
  cloud.backendHealth = health;
  session.progress.onDone?.('backend-health', health.length);
  if (failed) {
    session.data[DATA.gcpBackendHealth] = { state: 'error', reason: `health of ${failed} of ${pairs.length} NEG backends could not be read (see errors)` };
  } else {
    session.collected(DATA.gcpBackendHealth);
  }
}

function negKeyOf(url: string): string | undefined {
  const match = /zones\/([^/]+)\/networkEndpointGroups\/([^/?]+)/.exec(url);
  return match ? `${match[1]}/${match[2]}` : undefined;
}
