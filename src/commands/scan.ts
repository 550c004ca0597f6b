/**
 * `negdoctor scan`: collect the live cluster (and its Google Cloud project),
 * or replay a saved snapshot with --snapshot, optionally merge manifests
 * (-f), run the rules and report. Rules take "now" from the snapshot's
 * `collectedAt`, so a replay gives the findings the live scan gave.
 */
import { CliError, EXIT } from '../exit.js';
import type { CommonOptions } from '../pipeline/options.js';
import type { Locator } from '../engine.js';
import type { ManifestCollection } from '../collectors/manifests/index.js';
import type { SourceIndex } from '../collectors/manifests/source-index.js';
import type { Snapshot } from '../snapshot/types.js';
import { briefErrors, collectLive, DEMO_HINT, mergeManifests, type LiveCollection, type LiveOptions } from '../pipeline/live.js';
import { evaluateAndReport, loadCommandConfig, reportResult } from './run.js';
import {
  checkSelectionFlags,
  collectClusters,
  evaluateClusters,
  resolveTargets,
  selectsSeveralClusters,
  type ClusterSelection,
} from '../pipeline/clusters.js';
import { notice } from '../util/notice.js';

export interface ScanOptions extends CommonOptions, LiveOptions {
  /** --snapshot FILE: replay instead of collecting. */
  snapshot?: string;
  /** -f PATH (repeatable): manifests merged into the snapshot. */
  files: string[];
  /** --contexts, --all-contexts, --fleet: several clusters, one report. */
  selection?: ClusterSelection;
}

export async function scanCommand(options: ScanOptions): Promise<number> {
  if (options.selection) checkSelectionFlags(options, options.selection, { ...(options.snapshot ? { snapshot: options.snapshot } : {}), files: options.files });
  const config = await loadCommandConfig(options);
  if (options.selection && selectsSeveralClusters(options.selection)) return scanClusters(options, options.selection, config);
  // Read the manifests first: a bad -f path is a usage error before any network call.
  const manifests = options.files.length ? await readManifests(options.files, options.quiet) : undefined;

  let snapshot: Snapshot;
  if (options.snapshot) {
    const ignored: string[] = (['kubeconfig', 'context', 'namespace', 'project', 'location', 'cluster'] as const).filter((k) => options[k] !== undefined);
    if (options.allNamespaces) ignored.push('all-namespaces');
    if (ignored.length && !options.quiet) {
      notice(`--snapshot replays a saved snapshot; ${ignored.map((k) => `--${k}`).join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored`);
    }
    snapshot = await readSnapshotFile(options.snapshot);
  } else {
    snapshot = (await collectWithProgress(options)).snapshot;
  }

  let locator: Locator | undefined;
  let sources: SourceIndex | undefined;
  if (manifests) {
    const merged = mergeManifests(snapshot, manifests, options.namespace ?? 'default');
    snapshot = merged.snapshot;
    locator = merged.locator;
    sources = manifests.sources;
    if (!options.quiet) {
      notice(
        `${manifests.objects.length} manifest ${manifests.objects.length === 1 ? 'object' : 'objects'} from -f: ${merged.replaced} replaced their live object, ${merged.added} added`,
      );
    }
  }
  const now = new Date(snapshot.collectedAt);
  return evaluateAndReport(snapshot, config, options, {
    ...(Number.isNaN(now.getTime()) ? {} : { now }),
    ...(locator ? { locator } : {}),
    ...(sources ? { sources } : {}),
  });
}

/**
 * Several clusters: collected concurrently (plain stderr lines, no progress
 * view), each evaluated on its own, one merged report. Exit 3 only when no
 * cluster could be collected.
 */
async function scanClusters(options: ScanOptions, selection: ClusterSelection, config: Awaited<ReturnType<typeof loadCommandConfig>>): Promise<number> {
  const { targets, failures } = await resolveTargets(options, selection);
  for (const failure of failures) if (!options.quiet) notice(`warning: ${failure.id}: ${failure.message}`);
  const collections = await collectClusters(targets, selection.concurrency, ({ id, collection }) => {
    if (collection.unreachable) notice(`warning: ${id}: nothing could be collected — ${collection.unreachable}`);
    else if (!options.quiet) reportCollectionErrors(collection, id);
  });
  const merged = evaluateClusters(collections, failures, config, options);
  if (!merged.anyCollected) {
    const reason = targets.length === 0 && failures.length === 0 ? `no cluster found in ${selection.fleet.map((p) => `projects/${p}`).join(', ')}` : 'no cluster could be collected (see the warnings above)';
    throw new CliError(`nothing could be collected — ${reason}\n${DEMO_HINT}`, EXIT.unreachable);
  }
  return reportResult(merged.snapshot, merged.result, config, options, { clusters: merged.clusters });
}

/** The ink view needs a real terminal with a width, and is for people reading the text report. */
interface Terminal {
  isTTY?: boolean;
  columns?: number;
}

export function wantsProgressView(
  options: Pick<CommonOptions, 'format' | 'quiet'>,
  streams: { stdout: Terminal; stderr: Terminal } = { stdout: process.stdout, stderr: process.stderr },
): boolean {
  const { stdout, stderr } = streams;
  return (
    options.format === 'text' &&
    !options.quiet &&
    Boolean(stdout.isTTY) &&
    Boolean(stderr.isTTY) &&
    (stdout.columns ?? 0) > 0 &&
    (stderr.columns ?? 0) > 0
  );
}

/**
 * Collects with the ink progress view on stderr when there is a terminal to
 * draw on; otherwise plainly, with the collection errors as brief stderr
 * lines. Either way stdout is left to the report.
 */
async function collectWithProgress(options: ScanOptions): Promise<LiveCollection> {
  if (wantsProgressView(options)) {
    const { startProgressView } = await import('../reporters/ink/index.js');
    const view = await startProgressView({ stream: process.stderr, cloud: options.cloud });
    let collection: LiveCollection | undefined;
    try {
      collection = await collectLive(options, { kube: view.sink('kube'), gcp: view.sink('gcp') });
      return collection;
    } finally {
      await view.finish(collection ? { errors: briefErrors(collection.snapshot.errors), cloudSkipped: collection.cloudSkipped } : undefined);
    }
  }
  const collection = await collectLive(options);
  reportCollectionErrors(collection);
  return collection;
}

export function reportCollectionErrors(collection: LiveCollection, cluster?: string): void {
  const lines = briefErrors(collection.snapshot.errors);
  for (const line of lines) notice(`warning: ${cluster ? `${cluster}: ` : ''}${line}`);
  if (lines.length) notice('the rules that need this data are reported as not evaluated; the rest of the report is complete');
}

async function readManifests(paths: string[], quiet: boolean): Promise<ManifestCollection> {
  const { collectManifests, InputError } = await import('../collectors/manifests/index.js');
  let collection: ManifestCollection;
  try {
    collection = await collectManifests(paths);
  } catch (error) {
    if (error instanceof InputError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  if (collection.files.length === 0) throw new CliError(`-f: no .yaml, .yml or .json files found in ${paths.join(', ')}`, EXIT.usage);
  if (!quiet) for (const n of collection.notices) notice(`${n.file}: ${n.message}`);
  return collection;
}

/** Loads and validates a snapshot file; a wrong version or shape is a usage error (exit 2). */
export async function readSnapshotFile(file: string): Promise<Snapshot> {
  const io = await import('../snapshot/io.js');
  try {
    return await io.loadSnapshot(file);
  } catch (error) {
    if (error instanceof io.SnapshotError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}
