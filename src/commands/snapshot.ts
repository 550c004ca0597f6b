/**
 * `negdoctor snapshot -o FILE`: collect only and write the snapshot, for a
 * diagnosis elsewhere (`negdoctor scan --snapshot FILE`). The kube collector
 * redacts as it collects (SPEC §7): no Secrets, no ConfigMaps, no env
 * values, no managedFields, no last-applied annotation.
 */
import { CliError, EXIT } from '../exit.js';
import { collectLive, type LiveOptions } from './live.js';
import { reportCollectionErrors } from './scan.js';

export interface SnapshotOptions extends LiveOptions {
  output: string;
  quiet: boolean;
}

export async function snapshotCommand(options: SnapshotOptions): Promise<number> {
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
    process.stderr.write(
      `negdoctor: wrote ${options.output}: ${snapshot.objects.length} objects${snapshot.cloud ? ' and Google Cloud state' : ''}, ${errors} collection ${errors === 1 ? 'error' : 'errors'}` +
        `${collection.cloudSkipped ? ` (${collection.cloudSkipped})` : ''}; diagnose it with: negdoctor scan --snapshot ${options.output}\n`,
    );
  }
  return EXIT.ok;
}
