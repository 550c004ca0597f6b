/**
 * Runs a composite action's `run:` steps the way the GitHub runner does, as
 * far as a machine without GitHub allows: inputs with their defaults,
 * `${{ }}` expressions in env/run/if/outputs, `bash --noprofile --norc -eo
 * pipefail` on a script file, GITHUB_ENV / GITHUB_OUTPUT / GITHUB_PATH /
 * GITHUB_STEP_SUMMARY files read back between steps, and the action's outputs.
 * `uses:` steps cannot run here; they are recorded with their evaluated `if:`
 * and `with:` so a test can check what they would have received.
 *
 * The expression evaluator knows only what action.yml uses (contexts inputs,
 * steps, env; ==, !=, &&, ||, !; always(), success(), failure(), hashFiles());
 * anything else throws, so an action change this runner cannot follow fails
 * the test instead of passing unseen.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
}
interface ActionFile {
  inputs?: Record<string, { default?: string }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface StepResult {
  name: string;
  ran: boolean;
  uses?: string;
  with?: Record<string, string>;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}
export interface ActionResult {
  steps: StepResult[];
  outputs: Record<string, string>;
  /** The action's conclusion: failure when a step that ran exited non-zero. */
  failed: boolean;
  summary: string;
  /** The job's environment after the action (GITHUB_ENV applied), for a later action run in the same job. */
  env: NodeJS.ProcessEnv;
}

export interface RunActionOptions {
  actionPath: string;
  workspace: string;
  runnerTemp: string;
  inputs?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Steps (by name) that already ran earlier in the job, e.g. an install; pass that run's `env`. */
  skip?: string[];
}

export function runCompositeAction(options: RunActionOptions): ActionResult {
  const action = parse(fs.readFileSync(path.join(options.actionPath, 'action.yml'), 'utf8')) as ActionFile;
  if (action.runs.using !== 'composite') throw new Error(`not a composite action: ${action.runs.using}`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {})) inputs[name] = String(options.inputs?.[name] ?? spec.default ?? '');
  for (const name of Object.keys(options.inputs ?? {})) if (!(name in inputs)) throw new Error(`action.yml has no input ${name}`);

  const files = {
    GITHUB_ENV: path.join(options.runnerTemp, 'github_env'),
    GITHUB_OUTPUT: path.join(options.runnerTemp, 'github_output'),
    GITHUB_PATH: path.join(options.runnerTemp, 'github_path'),
    GITHUB_STEP_SUMMARY: path.join(options.runnerTemp, 'step_summary'),
  };
  let jobEnv: NodeJS.ProcessEnv = {
    ...options.env,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_ACTION_PATH: options.actionPath,
    RUNNER_TEMP: options.runnerTemp,
    RUNNER_OS: 'Linux',
  };
  const stepOutputs: Record<string, Record<string, string>> = {};
  const results: StepResult[] = [];
  let failed = false;
  let summary = '';

  for (const [index, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${index + 1}`;
    const ctx: Context = { inputs, steps: stepOutputs, env: jobEnv, failed, workspace: options.workspace };
    const condition = step.if === undefined ? 'success()' : stripBraces(step.if);
    if (options.skip?.includes(name) || !truthy(evaluate(condition, ctx))) {
      results.push({ name, ran: false });
      continue;
    }
    if (step.uses) {
      const withValues = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));
      results.push({ name, ran: false, uses: step.uses, with: withValues });
      continue;
    }
    if (step.shell !== 'bash' || step.run === undefined) throw new Error(`${name}: only bash run steps can run here`);
    for (const file of Object.values(files)) fs.writeFileSync(file, '');
    const script = path.join(options.runnerTemp, `step-${index}.sh`);
    fs.writeFileSync(script, interpolate(step.run, ctx));
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: options.workspace,
      env: { ...jobEnv, ...files, ...stepEnv },
      encoding: 'utf8',
      timeout: 900_000,
    });
    const exitCode = run.status ?? -1;
    results.push({ name, ran: true, exitCode, stdout: run.stdout, stderr: run.stderr });
    if (step.id) stepOutputs[step.id] = readKeyValueFile(files.GITHUB_OUTPUT);
    jobEnv = { ...jobEnv, ...readKeyValueFile(files.GITHUB_ENV) };
    const extraPath = fs.readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean);
    if (extraPath.length) jobEnv.PATH = [...extraPath.reverse(), jobEnv.PATH].join(path.delimiter);
    summary += fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
    if (exitCode !== 0) failed = true;
  }
  const ctx: Context = { inputs, steps: stepOutputs, env: jobEnv, failed, workspace: options.workspace };
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, v]) => [k, interpolate(v.value, ctx)]));
  return { steps: results, outputs, failed, summary, env: jobEnv };
}

/** `NAME=value` lines and `NAME<<DELIM` … `DELIM` blocks, as the runner reads GITHUB_OUTPUT and GITHUB_ENV. */
function readKeyValueFile(file: string): Record<string, string> {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const values: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`${file}: unterminated ${heredoc[2]}`);
      values[heredoc[1]!] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${file}: invalid line ${JSON.stringify(line)}`);
    values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

interface Context {
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
  env: NodeJS.ProcessEnv;
  failed: boolean;
  workspace: string;
}
type Value = string | boolean | number | null;

function stripBraces(text: string): string {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text);
  return m ? m[1]! : text;
}

function interpolate(text: string, ctx: Context): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const value = evaluate(expr, ctx);
    return value === null ? '' : String(value);
  });
}

function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== '' && value !== 0;
}

/** A small recursive-descent evaluator for GitHub's expression syntax (the part action.yml uses). */
function evaluate(expr: string, ctx: Context): Value {
  const tokens = expr.match(/\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|,|[A-Za-z_][\w.-]*|\d+)/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join('').replace(/\s/g, '') !== expr.replace(/\s/g, '')) throw new Error(`cannot read expression: ${expr}`);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (want?: string) => {
    const t = tokens[pos++];
    if (want !== undefined && t !== want) throw new Error(`expected ${want} in: ${expr}`);
    return t!;
  };
  const orExpr = (): Value => {
    let left = andExpr();
    while (peek() === '||') { take(); const right = andExpr(); left = truthy(left) ? left : right; }
    return left;
  };
  const andExpr = (): Value => {
    let left = eqExpr();
    while (peek() === '&&') { take(); const right = eqExpr(); left = truthy(left) ? right : left; }
    return left;
  };
  const eqExpr = (): Value => {
    const left = unary();
    const op = peek();
    if (op === '==' || op === '!=') {
      take();
      const right = unary();
      // GitHub compares case-insensitively as strings when both are strings.
      const equal = typeof left === 'string' && typeof right === 'string' ? left.toLowerCase() === right.toLowerCase() : left === right;
      return op === '==' ? equal : !equal;
    }
    return left;
  };
  const unary = (): Value => {
    if (peek() === '!') { take(); return !truthy(unary()); }
    return primary();
  };
  const primary = (): Value => {
    const t = take();
    if (t === '(') { const v = orExpr(); take(')'); return v; }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d+$/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (peek() === '(') {
      take('(');
      const args: Value[] = [];
      while (peek() !== ')') { args.push(orExpr()); if (peek() === ',') take(','); }
      take(')');
      switch (t) {
        case 'always': return true;
        case 'success': return !ctx.failed;
        case 'failure': return ctx.failed;
        case 'hashFiles': {
          // The runner hashes matching files under GITHUB_WORKSPACE; '' when none match. Plain paths only here.
          const file = String(args[0] ?? '');
          if (/[*?[]/.test(file)) throw new Error(`hashFiles with a glob is not supported here: ${file}`);
          const full = path.resolve(ctx.workspace, file);
          return full.startsWith(ctx.workspace) && fs.existsSync(full) && fs.statSync(full).isFile() ? `hash:${file}` : '';
        }
        default: throw new Error(`unsupported function ${t}() in: ${expr}`);
      }
    }
    const [head, ...rest] = t.split('.');
    if (head === 'inputs' && rest.length === 1) {
      if (!(rest[0]! in ctx.inputs)) throw new Error(`unknown input ${rest[0]}`);
      return ctx.inputs[rest[0]!]!;
    }
    if (head === 'steps' && rest.length === 3 && rest[1] === 'outputs') return ctx.steps[rest[0]!]?.[rest[2]!] ?? '';
    if (head === 'env' && rest.length === 1) return ctx.env[rest[0]!] ?? '';
    throw new Error(`unsupported context ${t} in: ${expr}`);
  };
  const value = orExpr();
  if (pos !== tokens.length) throw new Error(`trailing tokens in: ${expr}`);
  return value;
}
