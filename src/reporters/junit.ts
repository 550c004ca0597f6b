/**
 * `--format junit`: one <testsuite> per evaluated rule, a <testcase> with a
 * <failure> per finding, a passing case for a rule without findings, and
 * <skipped> cases for suppressed findings and rules not evaluated — the shape
 * CI test-report viewers (GitLab, Jenkins, GitHub test reporters) display.
 * Every value goes through `escapeXml` (escape.ts).
 */
import type { Finding } from '../findings.js';
import { findingsByFingerprint, rootCauseText } from './incidents.js';
import type { RenderOptions, Report } from './report.js';
import { escapeXml } from './escape.js';

interface Case {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  body: string;
  failure: boolean;
  skipped: boolean;
}

export function renderJunit(report: Report, options: RenderOptions): string {
  const { result } = report;
  const suites: Array<{ name: string; cases: Case[] }> = [];
  const evaluated = new Set(result.evaluated);
  const byFingerprint = findingsByFingerprint(report);
  for (const rule of report.rules) {
    const id = rule.meta.id;
    const notEvaluated = result.notEvaluated.find((n) => n.ruleId === id);
    const cases: Case[] = [];
    if (notEvaluated) {
      cases.push({ name: `${id} (not evaluated)`, classname: `negdoctor.${id}`, body: `<skipped message="${escapeXml(notEvaluated.reason)}"/>`, failure: false, skipped: true });
    } else if (evaluated.has(id)) {
      const findings = result.findings.filter((f) => f.ruleId === id && (!options.quiet || f.severity === 'error'));
      for (const f of findings) {
        const baselined = report.baselined?.has(f.fingerprint) ?? false;
        const rootCause = rootCauseText(f, report, byFingerprint);
        const message = rootCause ? `${f.message} ${rootCause}` : f.message;
        cases.push({
          ...caseHead(f, id),
          body: baselined
            ? `<skipped message="${escapeXml(`in the baseline: ${message}`)}"/>`
            : `<failure type="${escapeXml(f.severity)}" message="${escapeXml(message)}">${details(f, rootCause).map(escapeXml).join('\n')}</failure>`,
          failure: !baselined,
          skipped: baselined,
        });
      }
      for (const f of result.suppressed.filter((s) => s.ruleId === id)) {
        cases.push({ ...caseHead(f, id), body: `<skipped message="${escapeXml(`suppressed (${f.suppressed?.justification ?? ''}): ${f.message}`)}"/>`, failure: false, skipped: true });
      }
      if (cases.length === 0) cases.push({ name: `${id}: no findings`, classname: `negdoctor.${id}`, body: '', failure: false, skipped: false });
    } else {
      continue; // disabled
    }
    suites.push({ name: id, cases });
  }
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((c) => c.failure).length, 0);
  const skipped = suites.reduce((n, s) => n + s.cases.filter((c) => c.skipped).length, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="negdoctor" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}">`);
  for (const suite of suites) {
    const f = suite.cases.filter((c) => c.failure).length;
    const s = suite.cases.filter((c) => c.skipped).length;
    out.push(`  <testsuite name="${escapeXml(suite.name)}" tests="${suite.cases.length}" failures="${f}" errors="0" skipped="${s}">`);
    for (const c of suite.cases) {
      const attrs = [`name="${escapeXml(c.name)}"`, `classname="${escapeXml(c.classname)}"`];
      if (c.file) attrs.push(`file="${escapeXml(c.file)}"`);
      if (c.line !== undefined) attrs.push(`line="${c.line}"`);
      out.push(c.body ? `    <testcase ${attrs.join(' ')}>${c.body}</testcase>` : `    <testcase ${attrs.join(' ')}/>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function caseHead(f: Finding, id: string): Omit<Case, 'body' | 'failure' | 'skipped'> {
  const object = f.object ? `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}` : (f.location?.file ?? 'input');
  const where = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : undefined;
  return {
    name: `${object}${f.path ? ` ${f.path}` : ''}${where && !f.object ? '' : where ? ` (${where})` : ''}`,
    classname: `negdoctor.${id}`,
    ...(f.location ? { file: f.location.file, line: f.location.line } : {}),
  };
}

/** The failure's text, one line per fact (each escaped on its own, so a value cannot add a line). */
function details(f: Finding, rootCause: string | undefined): string[] {
  const lines = [`${f.severity}: ${f.message}`, `rule: ${f.ruleId}`];
  if (rootCause) lines.push(rootCause);
  if (f.causedBy?.length) lines.push(`caused by: ${f.causedBy.join(', ')}`);
  if (f.object) lines.push(`object: ${f.object.apiVersion} ${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`);
  if (f.path) lines.push(`field: ${f.path}`);
  if (f.location) lines.push(`at: ${f.location.file}:${f.location.line}:${f.location.column}`);
  if (f.fix) lines.push(`autofix: ${f.fix.description} (negdoctor fix)`);
  lines.push(`fingerprint: ${f.fingerprint}`);
  return lines;
}
