/**
 * `negdoctor snapshot -o FILE`: collect only and write the snapshot, for a
 * diagnosis elsewhere (`negdoctor scan --snapshot FILE`). The kube collector
 * redacts as it collects (SPEC §7): no Secrets, no ConfigMaps, no env
 * values, no managedFields, no last-applied annotation.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CliError, EXIT } from '../exit.js';
import { collectLive, DEMO_HINT, type LiveOptions } from '../pipeline/live.js';
import { reportCollectionErrors } from './scan.js';
import { checkSelectionFlags, collectClusters, resolveTargets, selectsSeveralClusters, snapshotFileName, type ClusterSelection } from '../pipeline/clusters.js';
import { notice } from '../util/notice.js';

export interface SnapshotOptions extends LiveOptions {
  output: string;
  quiet: boolean;
  /** --contexts, --all-contexts, --fleet: one snapshot file per cluster, in the directory --output names. */
  selection?: ClusterSelection;
}

export async function snapshotCommand(options: SnapshotOptions): Promise<number> {
  if (options.selection) checkSelectionFlags(options, options.selection);
  if (options.selection && selectsSeveralClusters(options.selection)) return snapshotClusters(options, options.selection);
  const collection = await collectLive(options);
  reportCollectionErrors(collection);
  const { snapshot } = collection;
  const io = await import('../snapshot/io.js');
  try {
    await io.saveSnapshot(snapshot, options.output);
  } catch (error) {
    if (error instanceof io.SnapshotError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  if (!options.quiet) {
    const errors = snapshot.errors.length;
    notice(
      `wrote ${options.output}: ${snapshot.objects.length} objects${snapshot.cloud ? ' and Google Cloud state' : ''}, ${errors} collection ${errors === 1 ? 'error' : 'errors'}` +
        `${collection.cloudSkipped ? ` (${collection.cloudSkipped})` : ''}; diagnose it with: negdoctor scan --snapshot ${options.output}`,
    );
  }
  return EXIT.ok;
}

/**
 * One snapshot file per cluster, named after it, in the directory --output
 * names (created if needed). An unreachable cluster gets no file; exit 3
 * only when no cluster was collected.
 */
async function snapshotClusters(options: SnapshotOptions, selection: ClusterSelection): Promise<number> {
  if (options.output === '-') throw new CliError('several clusters give several snapshots: --output must name a directory, not -', EXIT.usage);
  try {
    await mkdir(options.output, { recursive: true });
  } catch (error) {
    throw new CliError(`cannot create the snapshot directory ${options.output}: ${(error as Error).message}`, EXIT.usage);
  }
  const { targets, failures } = await resolveTargets(options, selection);
  for (const failure of failures) notice(`warning: ${failure.id}: ${failure.message}`);
  const collections = await collectClusters(targets, selection.concurrency);
  const io = await import('../snapshot/io.js');
  const taken = new Set<string>();
  let written = 0;
  for (const { id, collection } of collections) {
    if (collection.unreachable) {
      notice(`warning: ${id}: nothing could be collected — ${collection.unreachable}`);
      continue;
    }
    reportCollectionErrors(collection, id);
    const file = path.join(options.output, snapshotFileName(id, taken));
    try {
      await io.saveSnapshot(collection.snapshot, file);
    } catch (error) {
      if (error instanceof io.SnapshotError) throw new CliError(error.message, EXIT.usage);
      throw error;
    }
    written++;
    if (!options.quiet) {
      notice(`${id}: wrote ${file}: ${collection.snapshot.objects.length} objects${collection.snapshot.cloud ? ' and Google Cloud state' : ''}, ${collection.snapshot.errors.length} collection errors`);
    }
  }
  if (written === 0) throw new CliError(`nothing could be collected — no cluster could be collected (see the warnings above)\n${DEMO_HINT}`, EXIT.unreachable);
  return EXIT.ok;
}
