/** The code-review commands through the built CLI: formats, baseline, fix. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

const DEMO = path.join(ROOT, 'fixtures/demo/shop.yaml');

function workdir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-e2e-cr-'));
  copyFileSync(DEMO, path.join(dir, 'shop.yaml'));
  return dir;
}

describe('lint output formats (built CLI)', () => {
  it('--format sarif --output writes SARIF with paths relative to the working directory', () => {
    const dir = workdir();
    const run = runCli(['lint', '.', '--format', 'sarif', '--output', 'out/negdoctor.sarif'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const sarif = JSON.parse(readFileSync(path.join(dir, 'out/negdoctor.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const uris = new Set(sarif.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri));
    expect([...uris]).toEqual(['shop.yaml']);
  });

  it('--format github and --format junit', () => {
    const github = runCli(['lint', 'fixtures/demo', '--format', 'github']);
    expect(github.status).toBe(1);
    expect(github.stdout).toMatch(/^::error file=fixtures\/demo\/shop\.yaml,line=19,col=7,endLine=19,endColumn=24,title=negdoctor max-unavailable-nonzero::/m);
    const junit = runCli(['lint', 'fixtures/demo', '--format', 'junit', '--fail-on', 'never']);
    expect(junit.status).toBe(0);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="negdoctor"/);
  });
});

describe('baseline (built CLI)', () => {
  it('writes a baseline; lint --baseline passes on it, still after lines move, and fails on a new finding', () => {
    const dir = workdir();
    const write = runCli(['baseline', '-o', 'negdoctor-baseline.json', '.'], { cwd: dir });
    expect(write.status).toBe(0);
    expect(write.stderr).toMatch(/wrote \d+ findings to negdoctor-baseline\.json/);
    const baseline = JSON.parse(readFileSync(path.join(dir, 'negdoctor-baseline.json'), 'utf8'));
    expect(baseline).toMatchObject({ kind: 'negdoctor-baseline', version: 1 });

    expect(runCli(['lint', '.'], { cwd: dir }).status).toBe(1);
    const accepted = runCli(['lint', '.', '--baseline', 'negdoctor-baseline.json'], { cwd: dir });
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toContain('(baseline)');

    // Lines move: the fingerprints still match.
    const text = readFileSync(path.join(dir, 'shop.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'shop.yaml'), `# a new header\n# pushes every line down\n\n${text}`);
    expect(runCli(['lint', '.', '--baseline', 'negdoctor-baseline.json'], { cwd: dir }).status).toBe(0);

    // A new problem is not in the baseline.
    writeFileSync(path.join(dir, 'shop.yaml'), text.replace('  replicas: 4\n', '  replicas: 4\n  strategy:\n    type: Recreate\n'));
    const fresh = runCli(['lint', '.', '--baseline', 'negdoctor-baseline.json', '--format', 'sarif'], { cwd: dir });
    expect(fresh.status).toBe(1);
    const results = JSON.parse(fresh.stdout).runs[0].results as Array<{ ruleId: string; baselineState: string; message: { text: string } }>;
    expect(results.filter((r) => r.baselineState === 'new').map((r) => r.ruleId)).toEqual(['max-unavailable-nonzero']);
  });

  it('exits 2 with a clear message for a baseline of the wrong format', () => {
    const dir = workdir();
    writeFileSync(path.join(dir, 'report.json'), runCli(['lint', 'shop.yaml', '--format', 'json'], { cwd: dir }).stdout);
    const run = runCli(['lint', '.', '--baseline', 'report.json'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^negdoctor: report\.json is not a negdoctor baseline: "kind" is undefined, expected "negdoctor-baseline"/);
    const missing = runCli(['lint', '.', '--baseline', 'nope.json'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read baseline nope\.json: no such file/);
  });
});

describe('fix (built CLI)', () => {
  it('--dry-run prints a diff; fix applies it; a second run changes nothing; lint is then free of fixable findings', () => {
    const dir = workdir();
    const original = readFileSync(path.join(dir, 'shop.yaml'), 'utf8');
    const dry = runCli(['fix', '--dry-run', '.'], { cwd: dir });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^--- a\/shop\.yaml\n\+\+\+ b\/shop\.yaml\n@@ /);
    expect(dry.stdout).toContain('+      terminationGracePeriodSeconds: 60\n');
    expect(readFileSync(path.join(dir, 'shop.yaml'), 'utf8')).toBe(original);

    const fix = runCli(['fix', '.'], { cwd: dir });
    expect(fix.status).toBe(0);
    expect(fix.stdout).toMatch(/^fixed shop\.yaml: /m);
    const fixed = readFileSync(path.join(dir, 'shop.yaml'), 'utf8');
    expect(fixed).not.toBe(original);
    expect(fixed.startsWith(original.slice(0, original.indexOf('  strategy:')))).toBe(true);

    const again = runCli(['fix', '.'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('');
    expect(readFileSync(path.join(dir, 'shop.yaml'), 'utf8')).toBe(fixed);

    const lint = runCli(['lint', '.', '--format', 'json', '--fail-on', 'never'], { cwd: dir });
    expect(JSON.parse(lint.stdout).findings.filter((f: { fix: unknown }) => f.fix)).toEqual([]);
  });

  it('refuses a symlink and leaves its target untouched (exit 1)', async () => {
    const dir = workdir();
    const { symlinkSync, renameSync } = await import('node:fs');
    renameSync(path.join(dir, 'shop.yaml'), path.join(dir, 'real.yml.txt'));
    symlinkSync('real.yml.txt', path.join(dir, 'shop.yaml'));
    const run = runCli(['fix', 'shop.yaml'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not fixing shop\.yaml: it is a symbolic link/);
    expect(readFileSync(path.join(dir, 'real.yml.txt'), 'utf8')).toBe(readFileSync(DEMO, 'utf8'));
  });
});
