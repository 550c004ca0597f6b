/** `negdoctor lint`: offline, no credentials, no network. */
import { CliError, EXIT, type CommonOptions } from '../cli.js';
import { collectManifests, InputError } from '../collectors/manifests/index.js';
import { manifestSnapshot } from '../collectors/manifests/snapshot.js';
import { TOOL } from '../version.js';
import { evaluateAndReport, loadCommandConfig } from './run.js';

export interface LintOptions extends CommonOptions {
  now?: string;
}

export async function lintCommand(paths: string[], options: LintOptions): Promise<number> {
  const config = await loadCommandConfig(options);
  let now: Date | undefined;
  if (options.now) {
    now = new Date(options.now);
    if (Number.isNaN(now.getTime())) throw new CliError(`--now ${options.now} is not a date (use ISO 8601, e.g. 2026-01-31T12:00:00Z)`);
  }
  let collection;
  try {
    collection = await collectManifests(paths);
  } catch (error) {
    if (error instanceof InputError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  if (collection.files.length === 0) {
    throw new CliError(`no .yaml, .yml or .json files found in ${paths.join(', ')}`, EXIT.usage);
  }
  const snapshot = manifestSnapshot(collection, { tool: TOOL, ...(now ? { now } : {}) });
  snapshot.inputs.nonKubernetes = collection.foreign.length;
  if (!options.quiet) {
    for (const notice of collection.notices) process.stderr.write(`negdoctor: ${notice.file}: ${notice.message}\n`);
    if (collection.foreign.length > 0) {
      process.stderr.write(`negdoctor: skipped ${collection.foreign.length} non-Kubernetes ${collection.foreign.length === 1 ? 'document' : 'documents'}\n`);
    }
  }
  return evaluateAndReport(snapshot, config, options, { locator: collection.sources, ...(now ? { now } : {}) });
}
