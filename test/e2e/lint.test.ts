import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, runCli } from './cli.js';

const DEMO = 'fixtures/demo/shop.yaml';

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'negdoctor-e2e-'));
}

describe('negdoctor lint (built CLI)', () => {
  it('stops quietly when the reader closes the pipe early (`| head`), with the exit code of the findings', async () => {
    for (const format of ['sarif', 'json', 'text']) {
      const child = spawn(process.execPath, [BIN, 'lint', 'fixtures/demo', '--format', format], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      // Like `head -c 10`: read the first bytes, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      expect({ format, stderr }).toEqual({ format, stderr: '' });
      expect(status, format).toBe(1);
    }
  });

  it('reports the demo app and exits 1 for errors', () => {
    const run = runCli(['lint', DEMO]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^fixtures\/demo\/shop\.yaml$/m);
    expect(run.stdout).toMatch(/\d+:\d+\s+error\s+preStop of container web sleeps 40 s .*prestop-exceeds-grace-period/);
    expect(run.stdout).toMatch(/^Coverage: \d+ rules evaluated, \d+ not evaluated/m);
    expect(run.stdout).not.toMatch(/\x1b\[/);
    expect(run.stderr).toBe('');
  });

  it('prints the SPEC §6 JSON contract', () => {
    const run = runCli(['lint', DEMO, '--format', 'json']);
    const out = JSON.parse(run.stdout);
    expect(out.version).toBe(1);
    expect(out.tool).toEqual({ name: 'negdoctor', version: expect.any(String) });
    const finding = out.findings.find((f: { ruleId: string }) => f.ruleId === 'prestop-exceeds-grace-period');
    expect(finding).toEqual({
      ruleId: 'prestop-exceeds-grace-period',
      severity: 'error',
      message: expect.stringContaining('sleeps 40 s'),
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'storefront' },
      path: 'spec.template.spec.containers[0].lifecycle.preStop.exec.command',
      location: { file: 'fixtures/demo/shop.yaml', line: expect.any(Number), column: expect.any(Number), endLine: expect.any(Number), endColumn: expect.any(Number) },
      fingerprint: expect.stringMatching(/^[0-9a-f]{20}$/),
      fix: { description: expect.any(String), edits: expect.any(Array) },
      causedBy: [],
    });
    expect(out.incidents).toEqual([]);
    expect(out.summary).toMatchObject({ errors: expect.any(Number), warnings: expect.any(Number), infos: expect.any(Number), objects: 6, files: 1 });
    expect(Array.isArray(out.notEvaluated)).toBe(true);
  });

  it('fingerprints survive line moves', () => {
    const dir = tmp();
    const text = readFileSync(DEMO, 'utf8');
    writeFileSync(path.join(dir, 'a.yaml'), text);
    writeFileSync(path.join(dir, 'b.yaml'), `# moved\n# down\n\n${text}`);
    const prints = (file: string) =>
      JSON.parse(runCli(['lint', file, '--format', 'json'], { cwd: dir }).stdout).findings.map((f: { fingerprint: string }) => f.fingerprint).sort();
    expect(prints('b.yaml')).toEqual(prints('a.yaml'));
  });

  it('--fail-on decides the exit code', () => {
    expect(runCli(['lint', DEMO, '--fail-on', 'never']).status).toBe(0);
    expect(runCli(['lint', DEMO, '--fail-on', 'info', '--disable', 'prestop-exceeds-grace-period,max-unavailable-nonzero']).status).toBe(1);
    const dir = tmp();
    writeFileSync(path.join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: plain\nspec:\n  ports:\n    - port: 80\n');
    expect(runCli(['lint', 'svc.yaml'], { cwd: dir }).status).toBe(0);
  });

  it('reads stdin, writes --output, and keeps diagnostics off stdout', () => {
    const dir = tmp();
    const out = path.join(dir, 'report.json');
    const run = runCli(['lint', '-', '--format', 'json', '--output', out], { input: readFileSync(DEMO, 'utf8') });
    expect(run.stdout).toBe('');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.findings[0].location.file).toBe('<stdin>');
  });

  it('lints the other documents and files when one has a syntax error', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: "unterminated\n');
    writeFileSync(path.join(dir, 'app.yaml'), readFileSync(DEMO, 'utf8'));
    const out = JSON.parse(runCli(['lint', '.', '--format', 'json'], { cwd: dir }).stdout);
    expect(out.findings.some((f: { ruleId: string }) => f.ruleId === 'yaml-syntax')).toBe(true);
    expect(out.findings.some((f: { ruleId: string }) => f.ruleId === 'prestop-exceeds-grace-period')).toBe(true);
  });

  it('exits 2 with a clear message for usage errors, unreadable paths and bad config — no stack traces', () => {
    const cases = [
      runCli(['lint', '/nonexistent/path']),
      runCli(['lint', DEMO, '--format', 'xml']),
      runCli(['lint', DEMO, '--enable', 'no-such-rule']),
      runCli(['lint', DEMO, '--now', 'yesterday']),
      runCli(['explain', 'no-such-rule']),
      runCli(['frobnicate']),
    ];
    for (const run of cases) {
      expect(run.status).toBe(2);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    }
    const empty = tmp();
    expect(runCli(['lint', '.'], { cwd: empty })).toMatchObject({ status: 2, stderr: expect.stringContaining('no .yaml, .yml or .json files') });
  });

  it('finds .negdoctor.yaml upward, names a bad key, and applies severities and ignores', () => {
    const dir = tmp();
    const sub = path.join(dir, 'k8s', 'apps');
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'shop.yaml'), readFileSync(DEMO, 'utf8'));
    writeFileSync(path.join(dir, '.negdoctor.yaml'), 'rules:\n  zone-spred-missing: off\n');
    const bad = runCli(['lint', 'shop.yaml'], { cwd: sub });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('rules.zone-spred-missing: unknown rule (did you mean zone-spread-missing?)');

    writeFileSync(
      path.join(dir, '.negdoctor.yaml'),
      [
        'rules:',
        '  prestop-exceeds-grace-period: warning',
        '  max-unavailable-nonzero: off',
        'ignore:',
        '  - rule: single-replica-backend',
        '    name: storefront',
        '    reason: scaled by the HPA in production',
      ].join('\n'),
    );
    const out = JSON.parse(runCli(['lint', 'shop.yaml', '--format', 'json'], { cwd: sub }).stdout);
    const ids = out.findings.map((f: { ruleId: string }) => f.ruleId);
    expect(ids).not.toContain('max-unavailable-nonzero');
    expect(out.findings.find((f: { ruleId: string }) => f.ruleId === 'prestop-exceeds-grace-period').severity).toBe('warning');
    expect(out.findings.some((f: { ruleId: string; object: { name: string } }) => f.ruleId === 'single-replica-backend' && f.object.name === 'storefront')).toBe(false);
    expect(out.suppressed).toContainEqual(expect.objectContaining({ ruleId: 'single-replica-backend', suppression: { kind: 'config', justification: 'scaled by the HPA in production' } }));
  });

  it('honours the negdoctor.dev/ignore annotation on the workload, its pod template and the Service', () => {
    const dir = tmp();
    const text = readFileSync(DEMO, 'utf8')
      .replace('  name: checkout\n  namespace: shop\nspec:\n  replicas: 4', '  name: checkout\n  namespace: shop\n  annotations:\n    negdoctor.dev/ignore: max-unavailable-nonzero\nspec:\n  replicas: 4')
      .replace("    cloud.google.com/neg: '{\"ingress\": true}'", "    cloud.google.com/neg: '{\"ingress\": true}'\n    negdoctor.dev/ignore: \"prestop-exceeds-grace-period, single-replica-backend\"");
    writeFileSync(path.join(dir, 'shop.yaml'), text);
    const out = JSON.parse(runCli(['lint', 'shop.yaml', '--format', 'json'], { cwd: dir }).stdout);
    const ids = out.findings.map((f: { ruleId: string; object: { name: string } }) => `${f.ruleId}/${f.object?.name}`);
    expect(ids).not.toContain('max-unavailable-nonzero/checkout');
    expect(ids).not.toContain('prestop-exceeds-grace-period/storefront');
    expect(ids).not.toContain('single-replica-backend/storefront');
    expect(ids).toContain('max-unavailable-nonzero/storefront');
  });

  it('rules and explain come from the rule metadata', () => {
    const rules = JSON.parse(runCli(['rules', '--format', 'json']).stdout);
    expect(rules.rules.map((r: { id: string }) => r.id)).toContain('max-unavailable-nonzero');
    const explain = runCli(['explain', 'max-unavailable-nonzero']);
    expect(explain.status).toBe(0);
    expect(explain.stdout).toMatch(/^Symptom: /m);
    // The same anchor as the rule's SARIF helpUri.
    expect(explain.stdout).toMatch(/^Docs: https:\/\/github\.com\/negdoctor\/negdoctor\/blob\/main\/docs\/rules\.md#max-unavailable-nonzero\n$/m);
    // The cause graph is part of the catalog: what a rule explains and what explains it.
    const firewall = rules.rules.find((r: { id: string }) => r.id === 'firewall-health-check-blocked');
    expect(firewall.explains).toContainEqual({ rule: 'backend-unhealthy', on: 'service-port', why: expect.stringMatching(/UNHEALTHY\.$/) });
    // An edge limited to the effect's reason (only probes that timed out are the firewall's doing).
    expect(firewall.explains).toContainEqual({ rule: 'health-check-probe-failing', on: 'service-port', why: expect.any(String), targetReasons: ['timeout'] });
    const gate = runCli(['explain', 'readiness-gate-stuck']).stdout;
    expect(gate).toMatch(/^Explains \(a finding of this rule is reported as the cause of\):\n {2}rollout-stuck \(same pod\): /m);
    expect(gate).toMatch(/^Explained by \(reported as caused by\):\n(?: {2}.*\n)* {2}backend-unhealthy \(same pod\): /m);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
