/**
 * `negdoctor baseline -o FILE [PATH...]`: records today's findings so that
 * `negdoctor lint --baseline FILE` fails only on new ones.
 */
import { buildBaseline, serializeBaseline } from '../baseline.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../pipeline/options.js';
import { TOOL } from '../version.js';
import { prepareLint } from './lint.js';
import { evaluate } from '../pipeline/evaluate.js';
import { writeOutput } from './run.js';
import { notice } from '../util/notice.js';

export interface BaselineOptions extends CommonOptions {
  output: string;
  now?: string;
}

export async function baselineCommand(paths: string[], options: BaselineOptions): Promise<number> {
  const { config, collection, snapshot, now } = await prepareLint(paths, options, false);
  const result = evaluate(snapshot, config, options, { locator: collection.sources, ...(now ? { now } : {}) });
  const baseline = buildBaseline(result.findings, TOOL);
  await writeOutput(serializeBaseline(baseline), options.output);
  if (!options.quiet) {
    const n = baseline.findings.length;
    notice(`wrote ${n} ${n === 1 ? 'finding' : 'findings'} to ${options.output}`);
  }
  return EXIT.ok;
}
