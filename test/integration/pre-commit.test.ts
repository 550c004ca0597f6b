/**
 * The pre-commit hooks, installed and run by the real pre-commit (Debian's
 * 3.0.4 in CI) from a clone of this repository, with the README's config.
 * pre-commit's node language runs `npm install` and `npm pack` in the clone,
 * then `npm install -g <tarball>` into an isolated prefix: the dependencies
 * come from the npm registry (or npm's cache), Node itself is the system's.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneWorkingTree, git, requireTool, ROOT } from './repo-copy.js';

const available = requireTool('pre-commit', ['--version'], 'pre-commit');

describe.runIf(available)('pre-commit hooks from a local clone', () => {
  let tmp: string;
  let work: string;
  let env: NodeJS.ProcessEnv;

  const preCommit = (...args: string[]) => {
    const run = spawnSync('pre-commit', args, { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    fs.writeFileSync(path.join(work, file), text);
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'negdoctor-pre-commit-'));
    const rev = cloneWorkingTree(path.join(tmp, 'negdoctor'));
    work = path.join(tmp, 'work');
    fs.mkdirSync(work);
    git(work, 'init', '-q', '-b', 'main');
    // The README's config, pointing at the clone instead of GitHub, plus the fix hook.
    write(
      '.pre-commit-config.yaml',
      [
        'repos:',
        `  - repo: ${path.join(tmp, 'negdoctor')}`,
        `    rev: ${rev}`,
        '    hooks:',
        '      - id: negdoctor-lint',
        '        args: [k8s/]',
        '        pass_filenames: false',
        '      - id: negdoctor-fix',
        // The hook as the README lists it by default: the staged files themselves.
        '      - id: negdoctor-lint',
        '        alias: negdoctor-lint-files',
        '',
      ].join('\n'),
    );
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PRE_COMMIT_HOME: path.join(tmp, 'cache'), // a fresh hook environment, as on a new machine
      npm_config_prefer_offline: 'true', // dependencies npm already has come from its cache
      // A registry reached through an intercepting proxy needs its CA, as npm outside the test does.
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
      NO_COLOR: '1',
      METADATA_SERVER_DETECTION: 'none',
      GCE_METADATA_HOST: '127.0.0.1:9',
    };
    // Installs the hook environment (npm install, npm pack, npm install -g).
    const install = preCommit('install-hooks');
    expect(install.output).not.toMatch(/error/i);
    expect(install.status).toBe(0);
  }, 900_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('negdoctor-lint fails on a bad manifest', () => {
    write(
      'k8s/web.yaml',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    cloud.google.com/neg: \'{"ingress": tru}\'\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
    );
    git(work, 'add', '-A');
    const run = preCommit('run', 'negdoctor-lint', '--all-files');
    expect(run.output).toMatch(/negdoctor lint\.+Failed/);
    expect(run.output).toMatch(/k8s\/web\.yaml\n\s+6:5\s+error\s+Service default\/web: Annotation cloud\.google\.com\/neg is not valid JSON.*neg-annotation-invalid/);
    expect(run.status).toBe(1);
  }, 120_000);

  it('negdoctor-lint passes on a good manifest', () => {
    write(
      'k8s/web.yaml',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    cloud.google.com/neg: \'{"ingress": true}\'\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
    );
    git(work, 'add', '-A');
    const run = preCommit('run', 'negdoctor-lint', '--all-files');
    expect(run.output).toMatch(/negdoctor lint\.+Passed/);
    expect(run.status).toBe(0);
  }, 120_000);

  it('negdoctor-lint passes a commit that touches only Helm templates, and says nothing was linted', () => {
    write('chart/templates/service.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{port: 80}]\n');
    git(work, 'add', '-A');
    const run = preCommit('run', 'negdoctor-lint-files', '--files', 'chart/templates/service.yaml', '--verbose');
    expect(run.output).toMatch(/negdoctor lint\.+Passed/);
    expect(run.output).toContain('nothing was linted: the file holds no Kubernetes object or Google Cloud dump (it is a Helm template');
    expect(run.status).toBe(0);
  }, 120_000);

  it('negdoctor-fix rewrites a file and stops the commit', () => {
    const before = fs.readFileSync(path.join(ROOT, 'fixtures/demo/shop.yaml'), 'utf8');
    write('k8s/shop.yaml', before);
    git(work, 'add', '-A');
    const run = preCommit('run', 'negdoctor-fix', '--all-files');
    expect(run.output).toMatch(/negdoctor fix\.+Failed/);
    expect(run.output).toMatch(/files were modified by this hook/);
    const after = fs.readFileSync(path.join(work, 'k8s/shop.yaml'), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toMatch(/maxUnavailable: 0/);
    expect(after).toContain('# A small shop behind GKE container-native load balancing'); // comments kept
    expect(run.status).toBe(1);
    // The fixed file is stable: a second run changes nothing.
    git(work, 'add', '-A');
    const again = preCommit('run', 'negdoctor-fix', '--all-files');
    expect(again.output).toMatch(/negdoctor fix\.+Passed/);
    expect(again.status).toBe(0);
  }, 120_000);
});
