/**
 * Scoping shared by the rules (SPEC §4): termination, rollout and probe rules
 * look only at workloads whose pods are NEG endpoints, never at every
 * Deployment in the input.
 */
import type { Model, NegBackedWorkload } from './index.js';
import type { SnapshotObject } from '../snapshot/types.js';

/** Kinds whose pods never serve a NEG steadily: run-to-completion workloads. */
const BATCH_KINDS = new Set(['Job', 'CronJob']);

export interface ScopeOptions {
  /** Only workloads a controller rolls (Deployment, StatefulSet, DaemonSet, Argo Rollout). */
  rolledOnly?: boolean;
}

export function negBackedWorkloads(model: Model, options: ScopeOptions = {}): NegBackedWorkload[] {
  return model.negBacked.filter(
    (entry) => !BATCH_KINDS.has(entry.workload.kind) && (!options.rolledOnly || entry.workload.rolled),
  );
}

/** "Service shop/web (port 80)" — the Services that put this workload behind NEGs, for messages. */
export function backingServices(entry: NegBackedWorkload): string {
  // Same-named Services from several input folders would otherwise read "foo:80 and foo:80".
  const names = [
    ...new Set(
      entry.services.map(({ neg }) => {
        const ports = neg.ports.map((p) => p.servicePort.port).join(', ');
        return `${neg.service.name}:${ports}`;
      }),
    ),
  ];
  return names.length === 1 ? `NEG Service ${names[0]}` : `NEG Services ${names.join(' and ')}`;
}

/** The Services whose `negdoctor.dev/ignore` annotation also silences a workload finding. */
export function relatedServices(entry: NegBackedWorkload): SnapshotObject[] {
  return entry.services.map(({ neg }) => neg.service.obj);
}

export function workloadLabel(entry: NegBackedWorkload): string {
  return `${entry.workload.kind} ${entry.workload.name}`;
}
