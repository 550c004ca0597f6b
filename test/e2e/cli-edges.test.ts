/**
 * The command line's edges a new user meets first, on the built CLI: a reader
 * that closes the pipe (`| head`), `lint` with nothing to lint, `scan -f`,
 * the help texts, and the kubectl plugin's usage line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, ROOT, runCli } from './cli.js';

const PLUGIN = path.join(ROOT, 'bin/kubectl-negdoctor.js');

/** Runs the CLI with its stdout closed before it writes anything (a `| head -0`: EPIPE on the first write). */
function closedStdout(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('a closed stdout (`negdoctor … | head`)', () => {
  it.each([
    [['rules'], 0],
    [['rules', '--format', 'json'], 0],
    [['rules', '--format', 'markdown'], 0],
    [['explain', 'orphaned-neg'], 0],
    [['--help'], 0],
    [['scan', '--help'], 0],
    [['scan', '--snapshot', 'fixtures/demo/snapshot.json'], 1],
    [['scan', '--snapshot', 'fixtures/demo/snapshot.json', '--format', 'json'], 1],
    [['lint', 'fixtures/demo/shop.yaml', '--format', 'markdown'], 1],
    [['fix', 'fixtures/demo/shop.yaml', '--dry-run', '-q'], 0],
  ] as Array<[string[], number]>)('%j ends quietly with the exit code it would have had', async (args, code) => {
    const run = await closedStdout(args);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(code);
  });
});

describe('lint with nothing to lint', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-nothing-'));
  const empty = path.join(dir, 'empty.yaml');
  writeFileSync(empty, '');
  const chart = path.join(dir, 'chart');
  mkdirSync(path.join(chart, 'templates'), { recursive: true });
  writeFileSync(path.join(chart, 'templates/service.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{port: 80}]\n');
  writeFileSync(path.join(chart, 'templates/deployment.yaml'), '{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\n{{- end }}\n');

  it.each([[[]], [['-q']], [['--format', 'json']]])('says so on stderr, even with %j, and exits 0 (pre-commit on Helm-only commits passes)', (flags) => {
    const onEmpty = runCli(['lint', empty, ...flags]);
    // The 0-byte file's own notice (not under -q) comes first; the last line says nothing was linted.
    expect(onEmpty.stderr.trimEnd().split('\n').at(-1)).toBe('negdoctor: nothing was linted: the file holds no Kubernetes object or Google Cloud dump');
    expect(onEmpty.status).toBe(0);
    const onHelm = runCli(['lint', chart, ...flags]);
    expect(onHelm.stderr).toContain('negdoctor: nothing was linted: the 2 files hold no Kubernetes object or Google Cloud dump (all are Helm templates: lint `helm template … | negdoctor lint -` instead)\n');
    expect(onHelm.status).toBe(0);
    const both = runCli(['lint', dir, ...flags]);
    expect(both.stderr).toContain('nothing was linted: the 3 files hold no Kubernetes object or Google Cloud dump (2 are Helm templates:');
    expect(both.status).toBe(0);
  });

  it('is silent about it when something was linted', () => {
    const run = runCli(['lint', 'fixtures/demo/shop.yaml', empty, '-q']);
    expect(run.stderr).not.toContain('nothing was linted');
    expect(run.status).toBe(1);
  });
});

describe('scan -f', () => {
  it('means --format, as in lint', () => {
    const run = runCli(['scan', '--snapshot', 'fixtures/demo/snapshot.json', '-f', 'json']);
    expect((JSON.parse(run.stdout) as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
    expect(run.status).toBe(1);
  });

  it('given a path (what it used to mean), points to --file in one line', () => {
    const run = runCli(['scan', '-f', 'k8s/shop/']);
    expect(run.stderr.split('\n')[0]).toMatch(/-f means --format in scan, as in lint \(it used to mean --file\): give manifests with --file k8s\/shop\/$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(2);
  });
});

describe('help texts', () => {
  const help = (...args: string[]) => runCli([...args, '--help']).stdout.replace(/\s+/g, ' ');

  it('serve: durations with their unit, as the README gives them', () => {
    const serve = help('serve');
    expect(serve).toContain('--interval <duration> time between scans, e.g. 30s, 5m, 1h (default: 5m)');
    expect(serve).toContain('(default: 30s)');
    expect(serve).toContain('finish before it is abandoned (default: 20s)');
    expect(serve).toContain('in seconds (default: 120s)');
    expect(serve).not.toMatch(/\(default: (300|30|20|120)\)/);
  });

  it.each(['scan', 'snapshot', 'serve'])('%s: --concurrency shows its default once', (command) => {
    expect(help(command)).toContain('--concurrency <n> clusters collected at once (default: 4) ');
  });

  it.each(['lint', 'scan', 'snapshot', 'serve', 'gather', 'fix', 'baseline'])('%s: no empty-list defaults', (command) => {
    expect(help(command)).not.toContain('(default: [])');
  });

  it('gather: no word of rules or several clusters, which it does not have', () => {
    const gather = help('gather');
    expect(gather).not.toContain('not evaluated');
    expect(gather).toContain('--no-cloud no gcloud commands: Kubernetes only');
    expect(gather).not.toContain('--contexts');
    expect(runCli(['gather', '--contexts', 'a,b']).status).toBe(2);
  });
});

describe('the kubectl plugin', () => {
  const plugin = (args: string[]) => spawnSync(process.execPath, [PLUGIN, ...args], { cwd: ROOT, env: cliEnv(), encoding: 'utf8' }).stdout;

  it('names itself as kubectl runs it', () => {
    expect(plugin(['--help']).split('\n')[0]).toBe('Usage: kubectl negdoctor [options] [command]');
    expect(plugin(['scan', '--help']).split('\n')[0]).toBe('Usage: kubectl negdoctor scan [options]');
    expect(runCli(['--help']).stdout.split('\n')[0]).toBe('Usage: negdoctor [options] [command]');
  });
});
