/**
 * `negdoctor baseline -o FILE [PATH...]`: records today's findings so that
 * `negdoctor lint --baseline FILE` fails only on new ones.
 */
import { buildBaseline, serializeBaseline } from '../baseline.js';
import { EXIT, type CommonOptions } from '../cli.js';
import { runRules } from '../engine.js';
import { RULES } from '../rules/index.js';
import { TOOL } from '../version.js';
import { prepareLint } from './lint.js';
import { writeOutput } from './run.js';

export interface BaselineOptions extends CommonOptions {
  output: string;
  now?: string;
}

export async function baselineCommand(paths: string[], options: BaselineOptions): Promise<number> {
  const { config, collection, snapshot, now } = await prepareLint(paths, options);
  const result = runRules(snapshot, {
    rules: RULES,
    config,
    enable: options.enable,
    disable: options.disable,
    locator: collection.sources,
    ...(now ? { now } : {}),
  });
  const baseline = buildBaseline(result.findings, TOOL);
  await writeOutput(serializeBaseline(baseline), options.output);
  if (!options.quiet) {
    const n = baseline.findings.length;
    process.stderr.write(`negdoctor: wrote ${n} ${n === 1 ? 'finding' : 'findings'} to ${options.output}\n`);
  }
  return EXIT.ok;
}
