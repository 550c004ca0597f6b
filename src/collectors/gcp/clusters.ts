/** The GKE cluster scanned, and the project's other clusters (an orphaned NEG is told from a sibling cluster's by them). */
import { DATA } from '../../snapshot/data-keys.js';
import type { GkeCluster } from '../../snapshot/types.js';
import type { GcpReadContext } from './context.js';
import { mapCluster } from './map.js';
import { lastSegment } from '../../util/text.js';
import { OPS } from './operations.js';
import { CALL } from './session.js';

/** The cluster scanned, in full (node pools, network config); undefined when it could not be read. */
export async function readCluster({ session, clients, options }: GcpReadContext): Promise<GkeCluster | undefined> {
  const name = `projects/${options.project}/locations/${options.location}/clusters/${options.cluster}`;
  session.progress.onStart?.('cluster');
  try {
    const [raw] = await session.call('cluster', () => clients.clusters.getCluster({ name }, CALL));
    const cluster = mapCluster(raw, options.location);
    if (options.clusterUid) cluster.clusterUid = options.clusterUid;
    session.collected(DATA.gcpCluster);
    session.progress.onDone?.('cluster', 1);
    return cluster;
  } catch (error) {
    session.fail(DATA.gcpCluster, 'cluster', OPS.getCluster, name, error);
    return undefined;
  }
}

/** Every cluster of the project, in every location; undefined when the list could not be read. */
export async function readProjectClusters({ session, clients, options }: GcpReadContext): Promise<GkeCluster[] | undefined> {
  const parent = `projects/${options.project}/locations/-`;
  session.progress.onStart?.('clusters');
  try {
    const [raw] = await session.call('clusters', () => clients.clusters.listClusters({ parent }, CALL));
    const clusters = Array.isArray(raw.clusters) ? raw.clusters : [];
    const mapped = clusters.map((c) => mapCluster(c));
    session.progress.onPage?.('clusters', clusters.length);
    session.progress.onDone?.('clusters', clusters.length);
    const missingZones = Array.isArray(raw.missingZones) ? raw.missingZones.filter((z) => typeof z === 'string' && z) : [];
    if (missingZones.length) {
      // An unreachable zone may hide a live cluster: its NEGs would look orphaned.
      const message = `listing the project's GKE clusters: zones did not answer (${missingZones.join(', ')}); clusters there are not listed`;
      session.errors.push({ source: 'gcp', data: DATA.gcpClusters, message });
      session.data[DATA.gcpClusters] = { state: 'error', reason: message };
      session.progress.onError?.('clusters', message);
    } else {
      session.collected(DATA.gcpClusters);
    }
    return mapped;
  } catch (error) {
    session.fail(DATA.gcpClusters, 'clusters', OPS.listClusters, parent, error);
    return undefined;
  }
}

/** The project's clusters, the scanned one in its full form (the list gives less of it). */
export function assembleClusters(detail: GkeCluster | undefined, list: GkeCluster[] | undefined): GkeCluster[] | undefined {
  if (!list) return detail ? [detail] : undefined;
  const clusters = list.map((c) => (detail && c.name === detail.name && c.location === detail.location ? detail : c));
  if (detail && !clusters.includes(detail)) clusters.push(detail);
  return clusters;
}

/** The project and name of the cluster's network; with Shared VPC it lives in the host project. */
export function networkOf(cluster: GkeCluster, project: string): { project: string; name: string } | undefined {
  const config = cluster.networkConfig as { network?: string } | undefined;
  const match = config?.network ? /projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(config.network) : null;
  if (match) return { project: match[1]!, name: match[2]! };
  return cluster.network ? { project, name: lastSegment(cluster.network) } : undefined;
}
