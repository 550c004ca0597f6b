/** Running every rule on a snapshot with the command line's --enable/--disable: what lint, scan, fix, baseline and serve share. */
import type { CommonOptions } from './options.js';
import { type Config } from '../config/config.js';
import { runRules, type EngineResult, type Locator } from '../engine.js';
import type { SourceIndex } from '../collectors/manifests/source-index.js';
import { RULES } from '../rules/index.js';
import type { Snapshot } from '../snapshot/types.js';
import { notice } from '../util/notice.js';

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
  for (const crash of result.crashed) notice(`internal error in rule ${crash.ruleId}: ${crash.error}`);
  return result;
}
