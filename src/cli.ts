/**
 * Argument parsing and command wiring only. Commands live in src/commands and
 * are imported when they run, so `rules` never loads a cloud SDK.
 *
 * Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
 * 2 usage error / unreadable input / invalid config, 3 nothing could be
 * collected, 4 internal error (never confused with findings).
 */
import { Command, CommanderError, Option } from 'commander';
import { FORMATS } from './reporters/index.js';
import { VERSION } from './version.js';

export const EXIT = { ok: 0, findings: 1, usage: 2, unreachable: 3, internal: 4 } as const;

/** An error the user can act on: printed without a stack trace, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

export interface CommonOptions {
  format: (typeof FORMATS)[number];
  output?: string;
  failOn: 'error' | 'warning' | 'info' | 'never';
  failOnExplicit: boolean;
  config?: string;
  enable: string[];
  disable: string[];
  color: boolean;
  quiet: boolean;
  baseline?: string;
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

function addCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'never']))
    .option('-c, --config <file>', 'config file (default: .negdoctor.yaml found upward from the working directory)')
    .option('--enable <rule>', 'enable a rule (repeatable, comma-separated)', collect, [])
    .option('--disable <rule>', 'disable a rule (repeatable, comma-separated)', collect, [])
    .option('--no-color', 'no ANSI colours (also NO_COLOR=1, and always when stdout is not a terminal)')
    .option('-q, --quiet', 'print only errors and the summary');
}

export function commonOptions(raw: Record<string, unknown>): CommonOptions {
  const stdoutIsTty = Boolean(process.stdout.isTTY);
  const noColorEnv = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    format: raw.format as CommonOptions['format'],
    ...(raw.output ? { output: raw.output as string } : {}),
    failOn: (raw.failOn as CommonOptions['failOn']) ?? 'error',
    failOnExplicit: raw.failOn !== undefined,
    ...(raw.config ? { config: raw.config as string } : {}),
    enable: (raw.enable as string[]) ?? [],
    disable: (raw.disable as string[]) ?? [],
    color: raw.color !== false && !noColorEnv && stdoutIsTty && !raw.output,
    quiet: Boolean(raw.quiet),
    ...(raw.baseline ? { baseline: raw.baseline as string } : {}),
  };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('negdoctor')
    .description('Diagnose GKE container-native load balancing: Ingress → Service → NEG → Pods.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  addCommonOptions(
    program
      .command('lint')
      .description('lint manifests offline: files, directories (recursive) or - for stdin; also kubectl and gcloud JSON/YAML dumps')
      .argument('[paths...]', 'files or directories', ['.'])
      .option('--now <time>', 'judge ages in live dumps as of this ISO time (default: the newest timestamp in the inputs)')
      .option('--baseline <file>', 'findings recorded in this baseline (see `negdoctor baseline`) do not count toward the exit code'),
  ).action(async (paths: string[], raw: Record<string, unknown>) => {
    const { lintCommand } = await import('./commands/lint.js');
    setExit(await lintCommand(paths, { ...commonOptions(raw), ...(raw.now ? { now: raw.now as string } : {}) }));
  });

  program
    .command('fix')
    .description('apply the safe autofixes to YAML files in place, keeping comments and layout')
    .argument('[paths...]', 'files or directories', ['.'])
    .option('--dry-run', 'print a unified diff instead of writing')
    .option('-c, --config <file>', 'config file (default: .negdoctor.yaml found upward from the working directory)')
    .option('--enable <rule>', 'enable a rule (repeatable, comma-separated)', collect, [])
    .option('--disable <rule>', 'disable a rule (repeatable, comma-separated)', collect, [])
    .option('-q, --quiet', 'no summary line')
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const { fixCommand } = await import('./commands/fix.js');
      setExit(await fixCommand(paths, { ...commonOptions({ ...raw, format: 'text' }), dryRun: Boolean(raw.dryRun) }));
    });

  program
    .command('baseline')
    .description('record the current findings in a baseline file for `lint --baseline`')
    .argument('[paths...]', 'files or directories', ['.'])
    .requiredOption('-o, --output <file>', 'the baseline file to write')
    .option('-c, --config <file>', 'config file (default: .negdoctor.yaml found upward from the working directory)')
    .option('--enable <rule>', 'enable a rule (repeatable, comma-separated)', collect, [])
    .option('--disable <rule>', 'disable a rule (repeatable, comma-separated)', collect, [])
    .option('--now <time>', 'judge ages in live dumps as of this ISO time')
    .option('-q, --quiet', 'no summary line')
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const { baselineCommand } = await import('./commands/baseline.js');
      setExit(
        await baselineCommand(paths, {
          ...commonOptions({ ...raw, format: 'text' }),
          output: raw.output as string,
          ...(raw.now ? { now: raw.now as string } : {}),
        }),
      );
    });

  program
    .command('rules')
    .description('list the rule catalog')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .action(async (raw: { format: 'text' | 'json' | 'markdown' }) => {
      const { rulesCommand } = await import('./commands/rules.js');
      setExit(rulesCommand(raw.format));
    });

  program
    .command('explain')
    .description("explain a rule's failure mode: symptom, cause, evidence, fix")
    .argument('<rule>', 'rule id')
    .action(async (id: string) => {
      const { explainCommand } = await import('./commands/rules.js');
      setExit(explainCommand(id));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`negdoctor: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`negdoctor: internal error — please report it with this trace:\n${message}\n`);
    return EXIT.internal;
  }
}
