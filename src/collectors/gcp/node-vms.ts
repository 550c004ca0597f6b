/**
 * The cluster's node VMs: its instances (instances.aggregatedList filtered
 * by GKE's label `goog-k8s-cluster-name`) and its node pools' instance
 * templates (instanceTemplates.list, names `gke-<cluster>-…`). Their network
 * tags and service accounts are what firewall rules really target
 * (src/model/node-vms.ts). Either answer alone is evidence; the key is
 * collected when one was read, an error when both failed.
 */
import { DATA } from '../../snapshot/data-keys.js';
import type { GcpNodeVm } from '../../snapshot/types.js';
import type { GcpReadContext } from './context.js';
import { mapNodeVm } from './map-node-vms.js';
import { OPS } from './operations.js';
import { aggregatedItems, CALL, listItems } from './session.js';

/** RE2 metacharacters escaped: a cluster name is [a-z0-9-], but the filter must not trust it. */
const re2 = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function readNodeVms({ session, clients, options, cloud }: GcpReadContext): Promise<void> {
  const project = options.project;
  const cluster = options.cluster;
  const vms: GcpNodeVm[] = [];
  let read = 0;
  const errors: unknown[] = [];
  session.progress.onStart?.('node-vms');
  await Promise.all([
    (async () => {
      try {
        await clients.instances.initialize();
        const items = await session.listAll(
          'node-vms',
          (pageToken) =>
            clients.instances.innerApiCalls.aggregatedList(
              { project, maxResults: session.pageSize, filter: `labels.goog-k8s-cluster-name = "${cluster}"`, ...(pageToken ? { pageToken } : {}) },
              CALL,
            ),
          (answer) => aggregatedItems(answer, 'instances'),
          false,
        );
        vms.push(...items.map((raw) => mapNodeVm('instance', raw)));
        read++;
      } catch (error) {
        errors.push(error);
        session.fail(DATA.gcpNodeVms, 'node-vms', OPS.listInstances, `projects/${project}`, error);
      }
    })(),
    (async () => {
      try {
        const items = await session.listAll(
          'node-vms',
          (pageToken) =>
            clients.instanceTemplates.list({ project, maxResults: session.pageSize, filter: `name eq "gke-${re2(cluster)}-.*"`, ...(pageToken ? { pageToken } : {}) }, CALL),
          listItems,
          false,
        );
        vms.push(...items.map((raw) => mapNodeVm('instanceTemplate', raw)));
        read++;
      } catch (error) {
        errors.push(error);
        session.fail(DATA.gcpNodeVms, 'node-vms', OPS.listInstanceTemplates, `projects/${project}/global/instanceTemplates`, error);
      }
    })(),
  ]);
  session.progress.onDone?.('node-vms', vms.length);
  if (read === 0) return;
  // Sorted: a snapshot must not depend on page size or answer order.
  cloud.nodeVms = vms.sort((a, b) => a.kind.localeCompare(b.kind) || (a.zone ?? '').localeCompare(b.zone ?? '') || a.name.localeCompare(b.name));
  // One answer read is evidence (instances and templates each say what the nodes carry): collected, with the gap said.
  session.data[DATA.gcpNodeVms] = errors.length
    ? { state: 'collected', reason: `only part of the node VMs was read (see errors); pools without any are judged from the cluster describe` }
    : { state: 'collected' };
}
