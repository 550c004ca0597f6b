/** `--format github` and `--format junit`, and the baseline file format. */
import { describe, expect, it } from 'vitest';
import { parseBaseline, buildBaseline, BaselineError } from '../../src/baseline.js';
import { renderGithub } from '../../src/reporters/github.js';
import { escapeData, escapeProperty, escapeXml } from '../../src/reporters/escape.js';
import { renderJunit } from '../../src/reporters/junit.js';
import { renderJsonChunks } from '../../src/reporters/json.js';
import { writeOutput } from '../../src/commands/run.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lintReport, TOOL } from './helpers.js';

describe('--format github', () => {
  it('escapes data and properties as the Actions runner expects', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('dir,name:1%\n')).toBe('dir%2Cname%3A1%25%0A');
  });

  it('writes one annotation per finding with file, line, column and end', async () => {
    const report = await lintReport(['fixtures/demo']);
    const lines = renderGithub(report, { color: false, root: process.cwd() }).trimEnd().split('\n');
    expect(lines).toHaveLength(report.result.findings.length + 1);
    expect(lines).toContain(
      '::error file=fixtures/demo/shop.yaml,line=19,col=7,endLine=19,endColumn=24,title=negdoctor max-unavailable-nonzero::' +
        'Deployment storefront has effective maxUnavailable 1 of 1 replica: a rollout can remove every endpoint of NEG Service storefront:80 before replacements are programmed.' +
        '%0AAutofix: set maxUnavailable to 0 and maxSurge to 1 (negdoctor fix)',
    );
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBe(report.result.findings.filter((f) => f.severity === 'warning').length);
    expect(lines.filter((l) => l.startsWith('::notice ')).length).toBe(report.result.findings.filter((f) => f.severity === 'info').length);
    expect(lines.at(-1)).toMatch(/^negdoctor: 2 errors, \d+ warnings, \d+ infos; \d+ rules evaluated, \d+ not evaluated\.$/);
  });

  it('annotates a finding without a file by its object and downgrades baselined ones to notices', async () => {
    const report = await lintReport(['fixtures/demo']);
    report.result.findings.push({
      ruleId: 'backend-unhealthy',
      severity: 'error',
      message: 'All endpoints are UNHEALTHY.',
      object: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' },
      path: '',
      location: null,
      fingerprint: 'live1',
      fix: null,
    });
    const first = report.result.findings[0]!;
    report.baselined = new Set([first.fingerprint]);
    const lines = renderGithub(report, { color: false, root: process.cwd() }).split('\n');
    expect(lines).toContain('::error title=negdoctor backend-unhealthy::Service shop/web: All endpoints are UNHEALTHY.');
    expect(lines.find((l) => l.includes(`title=negdoctor ${first.ruleId} (baseline)`))).toMatch(/^::notice /);
  });
});

describe('--format junit', () => {
  it('has one testsuite per evaluated or not-evaluated rule and a failure per finding', async () => {
    const report = await lintReport(['fixtures/demo']);
    const xml = renderJunit(report, { color: false });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="negdoctor"')).toBe(true);
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
    expect(suites.sort()).toEqual([...report.result.evaluated, ...report.result.notEvaluated.map((n) => n.ruleId)].sort());
    expect((xml.match(/<failure /g) ?? []).length).toBe(report.result.findings.length);
    expect(xml).toMatch(new RegExp(`<testsuites name="negdoctor" tests="\\d+" failures="${report.result.findings.length}" errors="0" skipped="${report.result.notEvaluated.length}">`));
    expect(xml).toContain('file="fixtures/demo/shop.yaml" line="19"><failure type="error" message="Deployment storefront has effective maxUnavailable 1 of 1 replica');
    expect(xml).toMatch(/<testcase name="readiness-gate-stuck \(not evaluated\)" classname="negdoctor.readiness-gate-stuck"><skipped message="the inputs hold no Pods/);
    // Balanced and well-formed enough for strict parsers: every suite closes, nothing unescaped.
    expect((xml.match(/<testsuite /g) ?? []).length).toBe((xml.match(/<\/testsuite>/g) ?? []).length);
    expect(xml.replace(/<[^>]+>/g, '')).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/);
  });

  it('escapes XML and drops characters XML cannot carry', () => {
    expect(escapeXml(`a<b & "c" 'd'\u0001>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;\\x01&gt;');
  });
});

describe('--format json in pieces', () => {
  // The CLI writes the JSON report a finding at a time; the pieces must be exactly the one-string report.
  it('joins to JSON.stringify(report, null, 2) with one piece per finding', async () => {
    const report = await lintReport(['fixtures/demo']);
    report.result.suppressed.push({ ...report.result.findings[0]!, suppressed: { kind: 'config', justification: 'a "quoted" reason\nover two lines' } });
    report.baselined = new Set([report.result.findings[1]!.fingerprint]);
    const pieces = [...renderJsonChunks(report)];
    const parsed = JSON.parse(pieces.join(''));
    expect(pieces.join('')).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(parsed.findings).toHaveLength(report.result.findings.length);
    expect(parsed.findings[1].baselined).toBe(true);
    expect(parsed.suppressed[0].suppression.justification).toBe('a "quoted" reason\nover two lines');
    expect(pieces.length).toBeGreaterThan(report.result.findings.length);
  });

  it('writes empty arrays and leaves out what JSON.stringify leaves out', async () => {
    const report = await lintReport(['fixtures/demo']);
    report.result.findings = [];
    report.result.incidents = [];
    const text = [...renderJsonChunks(report)].join('');
    const parsed = JSON.parse(text);
    expect(text).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(text).toContain('"findings": []');
    expect(parsed).not.toHaveProperty('clusters');
  });

  it('writes pieces to a file in order, across several write batches', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-out-'));
    try {
      // About 3 MB in pieces of varied size: more than one batch of 1 MiB.
      const pieces = Array.from({ length: 3000 }, (_, i) => `${i}:${'é'.repeat(i % 997)}${'x'.repeat(500)}\n`);
      const file = path.join(dir, 'sub', 'report.json');
      await writeOutput(pieces, file);
      expect(readFileSync(file, 'utf8')).toBe(pieces.join(''));
      await writeOutput('short', file);
      expect(readFileSync(file, 'utf8')).toBe('short');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('baseline format', () => {
  it('round-trips fingerprints and keeps rule and object for humans', async () => {
    const report = await lintReport(['fixtures/demo']);
    const baseline = buildBaseline(report.result.findings, TOOL, new Date('2026-01-01T00:00:00Z'));
    expect(baseline.kind).toBe('negdoctor-baseline');
    expect(baseline.version).toBe(1);
    expect(baseline.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'max-unavailable-nonzero', object: 'Deployment shop/storefront', file: 'fixtures/demo/shop.yaml', path: 'spec.strategy.rollingUpdate.maxUnavailable' }),
    );
    const set = parseBaseline(JSON.stringify(baseline), 'b.json');
    expect([...set].sort()).toEqual(report.result.findings.map((f) => f.fingerprint).sort());
  });

  it.each([
    ['not JSON', 'nope', /not a negdoctor baseline: not JSON/],
    ['a SARIF log', JSON.stringify({ version: '2.1.0', runs: [] }), /not a negdoctor baseline \(it is a SARIF log\)/],
    ['a JSON report', JSON.stringify({ version: 1, findings: [] }), /"kind" is undefined, expected "negdoctor-baseline"/],
    ['a newer version', JSON.stringify({ kind: 'negdoctor-baseline', version: 2, findings: [] }), /baseline version 2 is not supported/],
    ['entries without fingerprints', JSON.stringify({ kind: 'negdoctor-baseline', version: 1, findings: [{ ruleId: 'x' }] }), /findings\[0\] has no "fingerprint"/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseBaseline(text, 'b.json')).toThrow(BaselineError);
    expect(() => parseBaseline(text, 'b.json')).toThrow(message);
  });
});
