/**
 * The project's network endpoint groups, and the endpoints of the ones GKE
 * made: this cluster's, and any another cluster left behind.
 */
import { DATA } from '../../snapshot/data-keys.js';
import type { GcpNeg } from '../../snapshot/types.js';
import type { GcpReadContext } from './context.js';
import { mapNeg, mapNetworkEndpoint } from './map.js';
import { lastSegment } from '../../util/text.js';
import { OPS } from './operations.js';
import { aggregatedItems, CALL, listItems } from './session.js';

export async function readNegs({ session, clients, options, cloud }: GcpReadContext): Promise<GcpNeg[] | undefined> {
  try {
    await clients.negs.initialize();
    const items = await session.listAll(
      'negs',
      (pageToken) =>
        clients.negs.innerApiCalls.aggregatedList(
          { project: options.project, maxResults: session.pageSize, ...(pageToken ? { pageToken } : {}) },
          CALL,
        ),
      (answer) => aggregatedItems(answer, 'networkEndpointGroups'),
    );
    // Aggregated lists group by scope page by page: sort so a snapshot does not depend on page size.
    const negs = items.map(mapNeg).sort((a, b) => (a.zone ?? '').localeCompare(b.zone ?? '') || a.name.localeCompare(b.name));
    cloud.negs = negs;
    session.collected(DATA.gcpNegs);
    return negs;
  } catch (error) {
    session.fail(DATA.gcpNegs, 'negs', OPS.listNegs, `projects/${options.project}`, error);
    session.missing(DATA.gcpNegEndpoints, 'the NEG list could not be read');
    return undefined;
  }
}

/** Endpoints of the NEGs GKE made: this cluster's, and any that may be orphaned. */
export async function readNegEndpoints({ session, clients, options }: GcpReadContext, negs: GcpNeg[]): Promise<void> {
  const inspected = negs.filter((neg) => shouldInspect(neg, options.clusterUid));
  session.progress.onStart?.('neg-endpoints');
  let failed = 0;
  let total = 0;
  await Promise.all(
    inspected.map(async (neg) => {
      const zone = lastSegment(neg.zone);
      try {
        const items = await session.listAll(
          'neg-endpoints',
          (pageToken) =>
            clients.negs.listNetworkEndpoints(
              {
                project: options.project,
                zone,
                networkEndpointGroup: neg.name,
                // Health comes from getHealth, per backend service; SKIP keeps the answer small.
                networkEndpointGroupsListEndpointsRequestResource: { healthStatus: 'SKIP' },
                maxResults: session.pageSize,
                ...(pageToken ? { pageToken } : {}),
              },
              CALL,
            ),
          listItems,
          false,
        );
        neg.endpoints = items.map(mapNetworkEndpoint);
        total += items.length;
      } catch (error) {
        failed++;
        session.fail(DATA.gcpNegEndpoints, 'neg-endpoints', OPS.listNegEndpoints, `projects/${options.project}/zones/${zone}/networkEndpointGroups/${neg.name}`, error);
      }
    }),
  );
  session.progress.onDone?.('neg-endpoints', total);
  if (failed) {
    session.data[DATA.gcpNegEndpoints] = {
      state: 'error',
      reason: `endpoints of ${failed} of ${inspected.length} NEGs could not be read (see errors)`,
    };
  } else {
    session.collected(DATA.gcpNegEndpoints);
  }
}

const NEG_DESCRIPTION_KEYS = ['cluster-uid', 'namespace', 'service-name', 'port'];

/** The cluster UID in a description the GKE NEG controller wrote, if it is one. */
function describedClusterUid(description: string | undefined): string | undefined {
  if (!description?.trim().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(description) as Record<string, unknown>;
    const uid = parsed['cluster-uid'];
    return typeof uid === 'string' && uid && Object.keys(parsed).every((k) => NEG_DESCRIPTION_KEYS.includes(k)) ? uid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a NEG's endpoints are worth a call: it is this cluster's (name
 * prefix `k8s1-<uid8>` or description cluster-uid), or GKE made it for some
 * cluster (any `k8s1-` name, or a GKE description) and it may be orphaned.
 * Only zonal NEGs have endpoints to list.
 */
export function shouldInspect(neg: GcpNeg, clusterUid: string | undefined): boolean {
  if (!neg.zone) return false;
  const describedUid = describedClusterUid(neg.description);
  if (clusterUid && (neg.name.startsWith(`k8s1-${clusterUid.slice(0, 8)}-`) || describedUid === clusterUid)) return true;
  return neg.name.startsWith('k8s1-') || describedUid !== undefined;
}
