/**
 * `negdoctor fix [PATH...] [--dry-run]`: applies the safe autofixes that
 * findings carry to the YAML files in place, keeping comments and layout;
 * `--dry-run` prints a unified diff instead. A file that is a symlink,
 * read-only, has a syntax error or changed since it was read is left
 * untouched, and an edit that cannot be made safely is reported, not guessed.
 *
 * Exit codes: 0 every fixable finding was fixed (or would be), 1 some could
 * not be, 2 usage errors.
 */
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../pipeline/options.js';
import type { Finding } from '../findings.js';
import { fixText, planFixes, refusalFor, writeIfUnchanged, type NotFixed, type PlannedFix } from '../fix/index.js';
import { prepareLint } from './lint.js';
import { evaluate } from '../pipeline/evaluate.js';
import { noticeLine } from '../util/notice.js';
import { visibleControls } from '../util/control-chars.js';

export interface FixOptions extends CommonOptions {
  dryRun: boolean;
  now?: string;
}

export interface FixHooks {
  /** Called after the fixes are computed and before a file is written (tests use it to race the write). */
  beforeWrite?: (absolute: string) => Promise<void>;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export async function fixCommand(paths: string[], options: FixOptions, hooks: FixHooks = {}): Promise<number> {
  const out = hooks.out ?? ((text: string) => process.stdout.write(text));
  const err = hooks.err ?? ((text: string) => process.stderr.write(text));
  const { config, collection, snapshot, now } = await prepareLint(paths, options, true);
  const result = evaluate(snapshot, config, options, { locator: collection.sources, ...(now ? { now } : {}) });
  const fixable = result.findings.filter((f) => f.fix);
  const plan = planFixes(snapshot, fixable);
  const notFixed: NotFixed[] = [...plan.notFixed];
  const reported = new Set<NotFixed>();
  let applied = 0;
  let changedFiles = 0;
  const cwd = process.cwd();

  for (const [file, fixes] of [...plan.byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const refuse = (reason: string) => {
      for (const p of fixes) {
        const entry = { finding: p.finding, file, reason };
        notFixed.push(entry);
        reported.add(entry);
      }
      err(noticeLine(`not fixing ${file}: ${reason}`));
    };
    const absolute = path.resolve(cwd, file);
    const source = collection.sources.files.get(file);
    if (source?.text === undefined) {
      refuse('it was not read as YAML');
      continue;
    }
    if (source.notEditable) {
      refuse(source.notEditable);
      continue;
    }
    if (source.syntaxError) {
      refuse('it has a YAML syntax error; fix that first (`negdoctor lint` shows where)');
      continue;
    }
    const refusal = await refusalFor(absolute, { writing: !options.dryRun });
    if (refusal) {
      refuse(refusal);
      continue;
    }
    const fileResult = fixText(file, source.text, fixes);
    notFixed.push(...fileResult.notFixed);
    if (fileResult.after === fileResult.before) continue;
    if (options.dryRun) {
      const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, fileResult.before, fileResult.after, undefined, undefined, { context: 3 });
      out(patch.replace(/^=+\n/, ''));
    } else {
      await hooks.beforeWrite?.(absolute);
      const failure = await writeIfUnchanged(absolute, fileResult.before, fileResult.after);
      if (failure) {
        refuse(failure);
        continue;
      }
      for (const p of fileResult.applied) out(`${visibleControls(`fixed ${file}: ${p.fix.description} (${p.finding.ruleId}, ${objectLabel(p)})`)}\n`);
    }
    applied += fileResult.applied.length;
    changedFiles++;
  }

  for (const n of notFixed) {
    if (reported.has(n)) continue;
    err(noticeLine(`not fixed: ${n.file ?? '(no file)'}: ${n.finding.ruleId} (${findingLabel(n.finding)}): ${n.reason}`));
  }
  if (!options.quiet) {
    const verb = options.dryRun ? 'would apply' : 'applied';
    const tail = notFixed.length ? `; ${notFixed.length} could not be applied` : '';
    err(noticeLine(`${verb} ${applied} ${applied === 1 ? 'fix' : 'fixes'} in ${changedFiles} ${changedFiles === 1 ? 'file' : 'files'}${tail}`));
  }
  return notFixed.length > 0 ? EXIT.findings : EXIT.ok;
}

function objectLabel(p: PlannedFix): string {
  return findingLabel(p.finding);
}

function findingLabel(f: Finding): string {
  return f.object ? `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}` : (f.location?.file ?? 'input');
}
