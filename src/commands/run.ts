/**
 * The part every reporting command shares: config, engine, rendering, the
 * output file, and the exit code from --fail-on.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../exit.js';
import type { CommonOptions } from './options.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { runRules, type EngineResult, type Locator } from '../engine.js';
import { atLeast } from '../findings.js';
import { render } from '../reporters/index.js';
import type { Report } from '../reporters/report.js';
import type { SourceIndex } from '../collectors/manifests/source-index.js';
import { RULES } from '../rules/index.js';
import type { Snapshot } from '../snapshot/types.js';
import { TOOL } from '../version.js';

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

export interface EvaluateOptions {
  locator?: Locator;
  now?: Date;
  /** Fingerprints already accepted: they are shown but do not fail the run. */
  baselined?: Set<string>;
  /** Parsed source files, for reporters that show fixes as text replacements (SARIF). */
  sources?: SourceIndex;
}

/** Runs every rule with the command line's --enable/--disable; a crashed rule is reported on stderr. */
export function evaluate(
  snapshot: Snapshot,
  config: Config,
  options: Pick<CommonOptions, 'enable' | 'disable'>,
  extra: Pick<EvaluateOptions, 'locator' | 'now'> = {},
): EngineResult {
  const result = runRules(snapshot, {
    rules: RULES,
    config,
    enable: options.enable,
    disable: options.disable,
    ...(extra.locator ? { locator: extra.locator } : {}),
    ...(extra.now ? { now: extra.now } : {}),
  });
  for (const crash of result.crashed) process.stderr.write(`negdoctor: internal error in rule ${crash.ruleId}: ${crash.error}\n`);
  return result;
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
  const text = await render(options.format, report, { color: options.color, quiet: options.quiet, root: process.cwd() });
  await writeOutput(text, options.output);
  const failOn = options.failOnExplicit ? options.failOn : (config.failOn ?? options.failOn);
  if (failOn === 'never') return EXIT.ok;
  const failing = result.findings.some((f) => atLeast(f.severity, failOn) && !extra.baselined?.has(f.fingerprint));
  return failing ? EXIT.findings : EXIT.ok;
}

export async function writeOutput(text: string, output: string | undefined): Promise<void> {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  try {
    await fs.mkdir(path.dirname(path.resolve(output)), { recursive: true });
    await fs.writeFile(output, text);
  } catch (error) {
    throw new CliError(`cannot write ${output}: ${(error as Error).message}`);
  }
}
