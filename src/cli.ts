/**
 * Argument parsing and command wiring only. Commands live in src/commands and
 * are imported when they run, so `rules` never loads a cloud SDK.
 *
 * Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
 * 2 usage error / unreadable input / invalid config, 3 nothing could be
 * collected, 4 internal error (never confused with findings).
 */
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FORMATS } from './reporters/index.js';
import { CliError, EXIT } from './exit.js';
import { commonOptions, DEFAULT_CLUSTER_CONCURRENCY } from './pipeline/options.js';
import { VERSION } from './version.js';
import { notice } from './util/notice.js';
import { visibleControls } from './util/control-chars.js';

/** Repeatable, comma-separated. No default value, so that --help shows none ("[]"); commands read an absent list as empty. */
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** `format`: the --format option, when a command needs its own (scan's explains an old -f). */
function addCommonOptions(command: Command, format = new Option('-f, --format <format>', 'output format').choices([...FORMATS])): Command {
  return command
    .addOption(format.default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'never']))
    .option('-c, --config <file>', 'config file (default: .negdoctor.yaml found upward from the working directory)')
    .option('--enable <rule>', 'enable a rule (repeatable, comma-separated)', collect)
    .option('--disable <rule>', 'disable a rule (repeatable, comma-separated)', collect)
    .option('--no-color', 'no ANSI colours (also NO_COLOR=1, and always when stdout is not a terminal)')
    .option('-q, --quiet', 'print only errors and the summary');
}

/** Flags of the live collection (scan, snapshot, serve; gather prints or runs the commands instead). */
function addLiveOptions(command: Command, gather = false): Command {
  command
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config, as kubectl finds it)')
    .option('--context <name>', 'kube context (default: the current context)')
    .addOption(new Option('-n, --namespace <namespace>', "namespace to scan (default: the context's, else default)").conflicts('allNamespaces'))
    .option('-A, --all-namespaces', 'scan every namespace')
    .option('--project <project>', 'Google Cloud project (default: from a gke_PROJECT_LOCATION_CLUSTER context name)')
    .option('--location <location>', 'region or zone of the GKE cluster (default: from the context name)')
    .option('--cluster <name>', 'GKE cluster name (default: from the context name)')
    .option('--no-cloud', gather ? 'no gcloud commands: Kubernetes only' : 'do not read Google Cloud; its rules are reported as not evaluated')
    .addOption(new Option('--timeout <seconds>', 'time budget for the whole collection, in seconds').argParser(parseSeconds).default(120, '120s'))
    .option('--logs <duration>', "also read the load balancer's request logs (5xx) and health-check logs of the last DURATION (e.g. 1h, 30m, 2d) for the symptom rules; off by default", parseDuration)
    .option('--logs-max <n>', 'with --logs: at most this many entries of each kind, newest first', parseCount, 20_000);
  // gather captures one cluster: the several-cluster flags are scan's, snapshot's and serve's.
  if (gather) return command;
  return command
    .option('--contexts <names>', 'several kube contexts, comma-separated (repeatable): one report, findings tagged with their cluster', collect)
    .option('--all-contexts', "every context of the kubeconfig")
    .option('--fleet <projects>', 'every GKE cluster of these Google Cloud projects (comma-separated), found through the Container API; no kubeconfig needed', collect)
    .option('--internal-ip', "with --fleet: connect to each cluster's private endpoint")
    .option('--concurrency <n>', 'clusters collected at once', parseCount, DEFAULT_CLUSTER_CONCURRENCY);
}

/**
 * scan's -f/--format. -f used to mean --file in scan, and --format in lint:
 * it now means --format everywhere, and a value that is no format (a path,
 * most likely) gets a one-line pointer to --file instead of a bare "invalid choice".
 */
function scanFormatOption(): Option {
  const formats = [...FORMATS] as string[];
  return new Option('-f, --format <format>', `output format (choices: ${formats.map((f) => `"${f}"`).join(', ')})`).argParser((value: string) => {
    if (formats.includes(value)) return value;
    throw new InvalidArgumentError(`expected one of ${formats.join(', ')}. -f means --format in scan, as in lint (it used to mean --file): give manifests with --file ${value}`);
  });
}

/** "300", "300s", "5m", "1h", "1500ms" → seconds. */
function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'] : NaN;
  if (!(seconds > 0)) throw new InvalidArgumentError('expected a duration such as 30s, 5m or 1h');
  return seconds;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function clusterSelection(raw: Record<string, unknown>) {
  return {
    contexts: (raw.contexts as string[]) ?? [],
    allContexts: Boolean(raw.allContexts),
    fleet: (raw.fleet as string[]) ?? [],
    internalIp: Boolean(raw.internalIp),
    concurrency: (raw.concurrency as number) ?? DEFAULT_CLUSTER_CONCURRENCY,
  };
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return seconds;
}

function liveOptions(raw: Record<string, unknown>) {
  return {
    ...(raw.kubeconfig ? { kubeconfig: raw.kubeconfig as string } : {}),
    ...(raw.context ? { context: raw.context as string } : {}),
    ...(raw.namespace ? { namespace: raw.namespace as string } : {}),
    allNamespaces: Boolean(raw.allNamespaces),
    ...(raw.project ? { project: raw.project as string } : {}),
    ...(raw.location ? { location: raw.location as string } : {}),
    ...(raw.cluster ? { cluster: raw.cluster as string } : {}),
    cloud: raw.cloud !== false,
    timeoutSec: raw.timeout as number,
    ...(typeof raw.logs === 'number' ? { logs: { sinceMs: Math.round(raw.logs * 1000), maxEntries: (raw.logsMax as number) ?? 20_000 } } : {}),
  };
}

/** "kubectl negdoctor" when kubectl runs the plugin (bin/kubectl-negdoctor.js), so usage lines read as typed. */
function programName(): string {
  return /^kubectl-negdoctor(\.js)?$/.test(path.basename(process.argv[1] ?? '')) ? 'kubectl negdoctor' : 'negdoctor';
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command(programName())
    .description('Diagnose GKE container-native load balancing: Ingress → Service → NEG → Pods.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      // Usage errors quote the argument given: written as one line, controls escaped; help text is negdoctor's own.
      writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `${visibleControls(text.replace(/\n$/, ''))}\n` : text),
    });

  addCommonOptions(
    program
      .command('lint')
      .description('lint manifests offline: files, directories (recursive) or - for stdin; also kubectl and gcloud JSON/YAML dumps and `negdoctor gather` bundles')
      .argument('[paths...]', 'files or directories; TYPE[:QUALIFIER]=PATH states what a file holds (e.g. gcp:firewalls:default=fw.json; see "Input shapes" in the README)', ['.'])
      .option('--now <time>', 'judge ages in live dumps as of this ISO time (default: the newest timestamp in the inputs)')
      .option('--baseline <file>', 'findings recorded in this baseline (see `negdoctor baseline`) do not count toward the exit code'),
  ).action(async (paths: string[], raw: Record<string, unknown>) => {
    const { lintCommand } = await import('./commands/lint.js');
    setExit(await lintCommand(paths, { ...commonOptions(raw), ...(raw.now ? { now: raw.now as string } : {}) }));
  });

  addLiveOptions(
    addCommonOptions(
      program
        .command('scan')
        .description('diagnose the live cluster (current kube context and its Google Cloud project), or replay a saved snapshot')
        .option('--snapshot <file>', 'replay a snapshot written by `negdoctor snapshot` instead of collecting')
        .option('--file <path>', 'add manifests (file or directory, repeatable): they replace the live objects of the same name', (v: string, p: string[] | undefined) => [...(p ?? []), v]),
      scanFormatOption(),
    ),
  ).action(async (raw: Record<string, unknown>) => {
    const { scanCommand } = await import('./commands/scan.js');
    setExit(
      await scanCommand({
        ...commonOptions(raw),
        ...liveOptions(raw),
        ...(raw.snapshot ? { snapshot: raw.snapshot as string } : {}),
        files: (raw.file as string[]) ?? [],
        selection: clusterSelection(raw),
      }),
    );
  });

  addLiveOptions(
    program
      .command('snapshot')
      .description('collect only and write a redacted snapshot, to diagnose later with `negdoctor scan --snapshot FILE`')
      .requiredOption('-o, --output <file>', 'the snapshot file to write (a directory, one file per cluster, with --contexts, --all-contexts or --fleet)')
      .option('-q, --quiet', 'no summary line'),
  ).action(async (raw: Record<string, unknown>) => {
    const { snapshotCommand } = await import('./commands/snapshot.js');
    setExit(await snapshotCommand({ ...liveOptions(raw), output: raw.output as string, quiet: Boolean(raw.quiet), selection: clusterSelection(raw) }));
  });

  addLiveOptions(
    program
      .command('serve')
      .description('scan on an interval and serve /metrics (Prometheus), /report.json, /healthz, /readyz; POST /scan scans now')
      .addOption(new Option('--interval <duration>', 'time between scans, e.g. 30s, 5m, 1h').argParser(parseDuration).default(300, '5m'))
      .option('--listen <address>', 'HOST:PORT to listen on (:PORT for every address)', '127.0.0.1:8080')
      .addOption(new Option('--scan-cooldown <duration>', 'minimum time between two scans started by POST /scan').argParser(parseDuration).default(30, '30s'))
      .addOption(new Option('--shutdown-timeout <duration>', 'on SIGTERM, how long a running scan may take to finish before it is abandoned').argParser(parseDuration).default(20, '20s'))
      .option('--allowed-host <name>', 'Host header names answered besides IP addresses, localhost and (in a cluster) the negdoctor Service names; * for any (repeatable, comma-separated)', collect)
      .option('--max-connections <n>', 'open connections at most; more wait in the kernel backlog or are refused', parseCount, 256)
      .option('-c, --config <file>', 'config file (default: .negdoctor.yaml found upward from the working directory)')
      .option('--enable <rule>', 'enable a rule (repeatable, comma-separated)', collect)
      .option('--disable <rule>', 'disable a rule (repeatable, comma-separated)', collect),
  ).action(async (raw: Record<string, unknown>) => {
    const { serveCommand } = await import('./commands/serve.js');
    setExit(
      await serveCommand({
        ...liveOptions(raw),
        selection: clusterSelection(raw),
        ...(raw.config ? { config: raw.config as string } : {}),
        enable: (raw.enable as string[]) ?? [],
        disable: (raw.disable as string[]) ?? [],
        intervalSec: raw.interval as number,
        listen: raw.listen as string,
        scanCooldownSec: raw.scanCooldown as number,
        shutdownTimeoutSec: raw.shutdownTimeout as number,
        allowedHosts: (raw.allowedHost as string[]) ?? [],
        maxConnections: raw.maxConnections as number,
      }),
    );
  });

  addLiveOptions(
    program
      .command('gather')
      .description('print the read-only kubectl and gcloud commands that capture what scan reads, or run them into an evidence bundle for `negdoctor lint DIR`')
      .option('--run <dir>', 'run the commands and write the bundle (typed JSON files and negdoctor-bundle.json) to this directory')
      .option('-q, --quiet', 'no progress lines'),
    true,
  ).action(async (raw: Record<string, unknown>) => {
    const { gatherCommand } = await import('./commands/gather.js');
    setExit(await gatherCommand({ ...liveOptions(raw), ...(raw.run ? { run: raw.run as string } : {}), quiet: Boolean(raw.quiet) }));
  });

  program
    .command('fix')
    .description('apply the safe autofixes to YAML files in place, keeping comments and layout')
    .argument('[paths...]', 'files or directories', ['.'])
    .option('--dry-run', 'print a unified diff instead of writing')
    .option('-c, --config <file>', 'config file (default: .negdoctor.yaml found upward from the working directory)')
    .option('--enable <rule>', 'enable a rule (repeatable, comma-separated)', collect)
    .option('--disable <rule>', 'disable a rule (repeatable, comma-separated)', collect)
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
    .option('--enable <rule>', 'enable a rule (repeatable, comma-separated)', collect)
    .option('--disable <rule>', 'disable a rule (repeatable, comma-separated)', collect)
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

/**
 * A reader that closes the pipe early (`negdoctor rules --format json | head`,
 * `explain … | head -1`, `--help | head`): every command's output ends
 * quietly, as other command-line tools' does, instead of an unhandled EPIPE
 * with a stack trace. (Reports also check for it where they are written; see
 * writeOutput in commands/run.ts.) Any other stdout error is one line and exit 2.
 */
function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    notice(`cannot write to standard output: ${error.message}`);
    process.exit(EXIT.usage);
  });
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedStdout();
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
      notice(error.message);
      return error.exitCode;
    }
    // The message may quote an input: one escaped line; then the stack frames (negdoctor's own code).
    notice(`internal error — please report it with this trace: ${error instanceof Error ? error.message : String(error)}`);
    const frames = error instanceof Error ? (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)) : [];
    for (const frame of frames) process.stderr.write(`${visibleControls(frame)}\n`);
    return EXIT.internal;
  }
}
