/**
 * ServiceImport backends of Gateway routes (Multi-cluster Services,
 * `net.gke.io`): what GKE's multi-cluster GatewayClasses route to.
 */
import { DATA } from '../snapshot/data-keys.js';
import type { SnapshotObject } from '../snapshot/types.js';
import type { GkeGatewayClass } from './gateway-classes.js';
import { nearest, type ObjectIndex } from './objects.js';

interface ImportBackend {
  namespace: string;
  name: string;
  problem?: { kind: 'unsupported-kind' | 'import-missing'; message: string } | { kind: string; message: string };
  unverified?: string;
}

interface ImportGateway {
  namespace: string;
  name: string;
  gkeClass?: GkeGatewayClass;
}

/**
 * A ServiceImport backend: single-cluster GatewayClasses do not serve it; on
 * multi-cluster (-mc) classes it resolves to a ServiceImport, or to a
 * ServiceExport of that name (the fleet's controller imports it), when the
 * inputs hold Multi-cluster Services objects; otherwise `unverified` says why not.
 */
export function resolveImport(model: ObjectIndex, route: SnapshotObject, backend: ImportBackend, gateways: ImportGateway[]): void {
  const single = gateways.filter((g) => !g.gkeClass!.multiCluster);
  if (gateways.length > 0 && single.length === gateways.length) {
    backend.problem = {
      kind: 'unsupported-kind',
      message: `ServiceImport backends are served only by multi-cluster GatewayClasses (-mc), and Gateway ${single[0]!.namespace}/${single[0]!.name} uses the single-cluster class ${single[0]!.gkeClass!.name}; route to a Service instead`,
    };
    return;
  }
  if (model.snapshot.data[DATA.serviceImports]?.state !== 'collected') {
    backend.unverified = 'the inputs hold no ServiceImports or ServiceExports (net.gke.io) to resolve it against';
    return;
  }
  const found = [...model.find('ServiceImport', backend.namespace, backend.name), ...model.find('ServiceExport', backend.namespace, backend.name)];
  if (nearest(route, found, (o) => o).length > 0) return;
  backend.problem = { kind: 'import-missing', message: `neither a ServiceImport nor a ServiceExport ${backend.namespace}/${backend.name} exists` };
}

