/**
 * The composite GitHub Action (action.yml), its shell steps run as the runner
 * runs them (see action-runner.ts), from a clone of this repository:
 * "Install negdoctor" builds the checked-out action (npm ci, whose prepare
 * script builds) and marks the build with the key "Build key" computes for
 * "Cache the build" (actions/cache): a job whose cache restored the build
 * reuses it without npm ci;
 * "Lint" writes the SARIF file and the exit-code output, and "Fail on
 * findings" fails the job on `fail-on`. The two `uses:` steps (setup-node,
 * upload-sarif) need GitHub; the test checks what they would receive.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompositeAction, type ActionResult } from './action-runner.js';
import { cloneWorkingTree, git } from './repo-copy.js';

const BAD_SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    cloud.google.com/neg: \'{"ingress": tru}\'\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n';

/** What the runner's environment brings that matters here (setup-node puts node and npm on PATH). */
const RUNNER_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  npm_config_prefer_offline: 'true',
  METADATA_SERVER_DETECTION: 'none',
  GCE_METADATA_HOST: '127.0.0.1:9',
};

describe('GitHub Action (composite steps run locally)', () => {
  let tmp: string;
  let actionPath: string;
  let workspace: string;
  let first: ActionResult;

  const run = (inputs: Record<string, string>, after?: ActionResult): ActionResult => {
    const runnerTemp = fs.mkdtempSync(path.join(tmp, 'runner-'));
    return runCompositeAction({
      actionPath,
      workspace,
      runnerTemp,
      inputs,
      // Later runs reuse the first run's install (it takes minutes), as a second use of the action in one job would.
      ...(after ? { env: after.env, skip: ['Install negdoctor'] } : { env: RUNNER_ENV }),
    });
  };
  const step = (result: ActionResult, name: string) => {
    const found = result.steps.find((s) => s.name === name);
    if (!found) throw new Error(`no step ${name}`);
    return found;
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'negdoctor-action-'));
    actionPath = path.join(tmp, 'negdoctor'); // what actions/checkout + `uses: negdoctor/negdoctor@rev` provide
    cloneWorkingTree(actionPath);
    workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(path.join(workspace, 'k8s'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'k8s/web.yaml'), BAD_SERVICE);
    git(workspace, 'init', '-q', '-b', 'main');
    first = run({ paths: 'k8s' });
  }, 900_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('fails the job on an error finding, with the SARIF file and exit-code 1', () => {
    const result = first;
    const install = step(result, 'Install negdoctor');
    expect(install.exitCode, install.stderr).toBe(0);
    const lint = step(result, 'Lint');
    expect(lint.exitCode, lint.stderr).toBe(0); // the step records the result; the job fails in "Fail on findings"
    // The github format's annotation in the job log.
    expect(lint.stdout).toMatch(/^::error file=k8s\/web\.yaml,line=6,col=5,endLine=6,endColumn=\d+,title=negdoctor neg-annotation-invalid::/m);
    expect(result.outputs['exit-code']).toBe('1');
    expect(result.outputs['sarif-file']).toBe('negdoctor.sarif');

    const sarif = JSON.parse(fs.readFileSync(path.join(workspace, 'negdoctor.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results as Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }>;
    const neg = results.find((r) => r.ruleId === 'neg-annotation-invalid');
    expect(neg?.level).toBe('error');
    expect(neg?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('k8s/web.yaml');
    expect(neg?.locations[0]?.physicalLocation.region).toMatchObject({ startLine: 6, startColumn: 5 });

    const upload = step(result, 'Upload SARIF');
    expect(upload.uses).toMatch(/^github\/codeql-action\/upload-sarif@/);
    expect(upload.with).toEqual({ sarif_file: 'negdoctor.sarif', category: 'negdoctor' });
    const failStep = step(result, 'Fail on findings');
    expect(failStep.ran).toBe(true);
    expect(failStep.exitCode).toBe(1);
    expect(failStep.stdout).toContain("negdoctor found problems at or above 'error'");
    expect(result.failed).toBe(true);
    expect(step(result, 'Install negdoctor').ran).toBe(true);
    expect(result.env.NEGDOCTOR).toBe(`node ${actionPath}/bin/negdoctor.js`); // from GITHUB_ENV
    // What actions/cache receives: the action's node_modules and dist/, under a key of the sources and Node version.
    const cache = step(result, 'Cache the build');
    expect(cache.uses).toMatch(/^actions\/cache@v4$/);
    expect(cache.with!.path!.split('\n')).toEqual([`${actionPath}/node_modules`, `${actionPath}/dist`]);
    expect(cache.with!.key).toMatch(new RegExp(`^negdoctor-build-Linux-node${process.versions.node.replace(/\./g, '\\.')}-[0-9a-f]{20}$`));
    expect(fs.readFileSync(path.join(actionPath, 'dist/.build-key'), 'utf8').trim()).toBe(cache.with!.key);
  });

  it('a later job whose cache restored the build reuses it: no npm ci, no build', () => {
    // A new job on a runner where actions/cache restored node_modules and dist/ (here: still there from the first run).
    const started = Date.now();
    const result = run({ paths: 'k8s', 'fail-on': 'never', upload: 'false' });
    const install = step(result, 'Install negdoctor');
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/^negdoctor: reusing the cached build \(negdoctor-build-Linux-node/m);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/added \d+ packages/);
    expect(step(result, 'Lint').exitCode).toBe(0);
    expect(result.outputs['exit-code']).toBe('0');
    console.log(`action test: a job with the cached build ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // A change to the sources is a new key: the stale build is not reused (the install itself is skipped here).
    const cli = path.join(actionPath, 'src/cli.ts');
    const original = fs.readFileSync(cli, 'utf8');
    fs.appendFileSync(cli, '\n');
    try {
      const changed = run({ paths: 'k8s', 'fail-on': 'never', upload: 'false' }, first);
      expect(step(changed, 'Cache the build').with!.key).not.toBe(step(result, 'Cache the build').with!.key);
    } finally {
      fs.writeFileSync(cli, original);
    }
  });

  it('passes with fail-on never, still writing the SARIF file', () => {
    fs.rmSync(path.join(workspace, 'report.sarif'), { force: true });
    const result = run({ paths: 'k8s', 'fail-on': 'never', 'sarif-file': 'report.sarif', upload: 'false' }, first);
    expect(step(result, 'Lint').exitCode).toBe(0);
    expect(result.outputs['exit-code']).toBe('0');
    expect(JSON.parse(fs.readFileSync(path.join(workspace, 'report.sarif'), 'utf8')).runs[0].results.length).toBeGreaterThan(0);
    expect(step(result, 'Upload SARIF').uses).toBeUndefined(); // upload: 'false' → the step is skipped
    expect(step(result, 'Fail on findings').ran).toBe(false);
    expect(result.failed).toBe(false);
  });

  it('fails in the Lint step itself on a usage error (exit-code 2), not as findings', () => {
    const result = run({ paths: 'k8s', config: 'missing.negdoctor.yaml', upload: 'false' }, first);
    const lint = step(result, 'Lint');
    expect(lint.exitCode).toBe(2);
    expect(lint.stderr).toMatch(/missing\.negdoctor\.yaml/);
    expect(lint.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
    expect(result.outputs['exit-code']).toBe('2');
    expect(step(result, 'Fail on findings').ran).toBe(false);
    expect(result.failed).toBe(true);
  });
});
