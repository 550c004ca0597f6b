/** `negdoctor lint`: offline, no credentials, no network. */
import { CliError, EXIT } from '../exit.js';
import type { CommonOptions } from '../pipeline/options.js';
import type { Config } from '../config/config.js';
import { collectManifests, InputError, type ManifestCollection } from '../collectors/manifests/index.js';
import { manifestSnapshot } from '../collectors/manifests/snapshot.js';
import { gcloudInputs } from '../collectors/gcloud-inputs.js';
import type { Snapshot } from '../snapshot/types.js';
import { TOOL } from '../version.js';
import { evaluateAndReport, loadCommandConfig } from './run.js';
import { notice } from '../util/notice.js';

export interface LintOptions extends CommonOptions {
  now?: string;
}

export interface LintInputs {
  config: Config;
  collection: ManifestCollection;
  snapshot: Snapshot;
  now?: Date;
}

/**
 * Config, collection and snapshot: what lint, fix and baseline share.
 * `keepText`: keep the files' text, for commands that edit or show edits (fix, SARIF).
 */
export async function prepareLint(paths: string[], options: Pick<LintOptions, 'now' | 'quiet'> & CommonOptions, keepText: boolean): Promise<LintInputs> {
  const config = await loadCommandConfig(options);
  let now: Date | undefined;
  if (options.now) {
    now = new Date(options.now);
    if (Number.isNaN(now.getTime())) throw new CliError(`--now ${options.now} is not a date (use ISO 8601, e.g. 2026-01-31T12:00:00Z)`);
  }
  let collection;
  try {
    collection = await collectManifests(paths, { keepText });
  } catch (error) {
    if (error instanceof InputError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  if (collection.files.length === 0) {
    throw new CliError(`no .yaml, .yml or .json files found in ${paths.join(', ')}`, EXIT.usage);
  }
  // A gather bundle is judged as of when it was captured, as scan judges as of now.
  if (!now && collection.capturedAt) now = new Date(collection.capturedAt);
  const gcloud = gcloudInputs(collection.foreign, collection.explicit, collection.logs);
  collection.notices.push(...gcloud.notices);
  const snapshot = manifestSnapshot(collection, { tool: TOOL, ...(now ? { now } : {}), ...(gcloud.cloud ? { cloud: gcloud.cloud } : {}) });
  const skipped = gcloud.unrecognized + collection.unrecognized;
  snapshot.inputs.nonKubernetes = skipped;
  if (!options.quiet) {
    for (const n of collection.notices) notice(`${n.file}: ${n.message}`);
    if (skipped > 0) {
      notice(`skipped ${skipped} ${skipped === 1 ? 'document' : 'documents'} that negdoctor does not read (neither Kubernetes nor Google Cloud)`);
    }
  }
  return { config, collection, snapshot, ...(now ? { now } : {}) };
}

export async function lintCommand(paths: string[], options: LintOptions): Promise<number> {
  // Read the baseline first: a wrong baseline is a usage error before any work is done.
  const baselined = options.baseline ? await (await import('../baseline.js')).readBaselineOrExit(options.baseline) : undefined;
  const { config, collection, snapshot, now } = await prepareLint(paths, options, options.format === 'sarif');
  if (collection.objects.length === 0 && !snapshot.cloud && collection.problems.length === 0 && collection.explicit.length === 0) {
    // Said even under --quiet: "No problems found" alone would claim files were checked. Still exit 0 (README,
    // "Exit codes"): a pre-commit run on a commit that touches only Helm templates or empty files must pass.
    const files = collection.files.length;
    const helm = collection.skippedFiles;
    notice(
      `nothing was linted: ${files === 1 ? 'the file holds' : `the ${files} files hold`} no Kubernetes object or Google Cloud dump${helm ? ` (${helm === files ? (files === 1 ? 'it is a Helm template' : 'all are Helm templates') : `${helm} ${helm === 1 ? 'is a Helm template' : 'are Helm templates'}`}: lint \`helm template … | negdoctor lint -\` instead)` : ''}`,
    );
  }
  return evaluateAndReport(snapshot, config, options, {
    locator: collection.sources,
    sources: collection.sources,
    ...(now ? { now } : {}),
    ...(baselined ? { baselined } : {}),
  });
}
