/**
 * The part every reporting command shares: config, engine, rendering, the
 * output file, and the exit code from --fail-on.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../exit.js';
import type { CommonOptions } from '../pipeline/options.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { type EngineResult } from '../engine.js';
import { atLeast } from '../findings.js';
import { renderPieces } from '../reporters/index.js';
import type { Report } from '../reporters/report.js';
import { RULES } from '../rules/index.js';
import type { Snapshot } from '../snapshot/types.js';
import { TOOL } from '../version.js';
import { type EvaluateOptions, evaluate } from '../pipeline/evaluate.js';

export async function loadCommandConfig(options: CommonOptions): Promise<Config> {
  for (const id of [...options.enable, ...options.disable]) {
    if (!RULES.some((r) => r.meta.id === id)) throw new CliError(`unknown rule ${id} (see \`negdoctor rules\`)`);
  }
  try {
    return await loadConfig(RULES, options.config, process.cwd());
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

export async function evaluateAndReport(snapshot: Snapshot, config: Config, options: CommonOptions, extra: EvaluateOptions = {}): Promise<number> {
  return reportResult(snapshot, evaluate(snapshot, config, options, extra), config, options, extra);
}

/** Renders an engine result (one cluster's, or several merged), writes it, and gives the exit code from --fail-on. */
export async function reportResult(
  snapshot: Snapshot,
  result: EngineResult,
  config: Config,
  options: CommonOptions,
  extra: Pick<EvaluateOptions, 'baselined' | 'sources'> & Pick<Report, 'clusters'> = {},
): Promise<number> {
  const report: Report = {
    tool: TOOL,
    snapshot,
    result,
    rules: RULES,
    ...(extra.baselined ? { baselined: extra.baselined } : {}),
    ...(extra.sources ? { sources: extra.sources } : {}),
    ...(extra.clusters ? { clusters: extra.clusters } : {}),
  };
  const pieces = await renderPieces(options.format, report, { color: options.color, quiet: options.quiet, root: process.cwd() });
  await writeOutput(pieces, options.output);
  const failOn = options.failOnExplicit ? options.failOn : (config.failOn ?? options.failOn);
  if (failOn === 'never') return EXIT.ok;
  const failing = result.findings.some((f) => atLeast(f.severity, failOn) && !extra.baselined?.has(f.fingerprint));
  return failing ? EXIT.findings : EXIT.ok;
}

/** Pieces are written in batches of about this many characters: few system calls, no whole-report string. */
const WRITE_BATCH = 1 << 20;

/** Writes the text, or its pieces in order, to the output file or stdout. */
export async function writeOutput(text: string | Iterable<string>, output: string | undefined): Promise<void> {
  if (!output) {
    await writeStdout(text);
    return;
  }
  let handle: fs.FileHandle | undefined;
  try {
    await fs.mkdir(path.dirname(path.resolve(output)), { recursive: true });
    handle = await fs.open(output, 'w');
    for (const batch of batches(text)) await handle.writeFile(batch);
    await handle.close();
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw new CliError(`cannot write ${output}: ${(error as Error).message}`);
  }
}

/**
 * Writes to stdout. A reader that stops early (`negdoctor lint … | head`)
 * closes the pipe: that EPIPE ends the writing quietly, as for other
 * command-line tools, instead of a stack trace; any other error is a CliError.
 */
async function writeStdout(text: string | Iterable<string>): Promise<void> {
  const stdout = process.stdout;
  let failure: NodeJS.ErrnoException | undefined;
  const onError = (error: NodeJS.ErrnoException) => {
    failure ??= error;
  };
  // Kept for the process's life: a write after the pipe closed (the exit's flush) must not throw either.
  stdout.on('error', onError);
  for (const batch of batches(text)) {
    if (failure || stdout.destroyed) break;
    if (!stdout.write(batch)) await drainedOrGone(stdout);
  }
  if (!failure && !stdout.destroyed) await new Promise<void>((resolve) => stdout.write('', () => resolve()));
  if (failure && failure.code !== 'EPIPE') throw new CliError(`cannot write the report to standard output: ${failure.message}`);
}

/** Resolves once the stream can take more, or has failed or closed (events.once would reject on 'error'). */
function drainedOrGone(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('error', done).on('close', done);
  });
}

function* batches(text: string | Iterable<string>): Generator<string> {
  if (typeof text === 'string') {
    yield text;
    return;
  }
  let batch = '';
  for (const piece of text) {
    batch += piece;
    if (batch.length >= WRITE_BATCH) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}
