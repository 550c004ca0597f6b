/** A manifests snapshot of plain objects, for tests that build a Model directly. */
import type { KubeObject, Snapshot } from '../src/snapshot/types.js';

export function snapshotOf(objects: KubeObject[], collectedAt = '2026-01-01T00:00:00Z'): Snapshot {
  return {
    apiVersion: 'negdoctor.dev/v1',
    kind: 'Snapshot',
    collectedAt,
    source: 'manifests',
    tool: { name: 'negdoctor', version: 'test' },
    objects: objects.map((object, id) => ({ id, object })),
    data: {},
    errors: [],
    inputs: { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] },
  };
}
