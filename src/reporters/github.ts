/**
 * `--format github`: GitHub Actions workflow commands, one annotation per
 * finding (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`),
 * escaped as the runner expects: `%`, CR and LF in the message; also `:` and
 * `,` in property values (escape.ts); other control characters are shown as
 * escapes. Findings without a file are annotated without one.
 */
import path from 'node:path';
import type { Finding } from '../findings.js';
import { findingsByFingerprint, rootCauseText } from './incidents.js';
import { summarize, type RenderOptions, type Report } from './report.js';
import { escapeData, escapeProperty } from './escape.js';

export function renderGithub(report: Report, options: RenderOptions): string {
  const root = path.resolve(options.root ?? process.cwd());
  const lines: string[] = [];
  const byFingerprint = findingsByFingerprint(report);
  for (const f of report.result.findings) {
    if (options.quiet && f.severity !== 'error') continue;
    lines.push(annotation(f, root, report.baselined?.has(f.fingerprint) ?? false, rootCauseText(f, report, byFingerprint)));
  }
  const s = summarize(report);
  const baselined = report.baselined ? report.result.findings.filter((f) => report.baselined!.has(f.fingerprint)).length : 0;
  lines.push(
    `negdoctor: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos${baselined ? ` (${baselined} in the baseline)` : ''}; ${s.rulesEvaluated} rules evaluated, ${report.result.notEvaluated.length} not evaluated.`,
  );
  return `${lines.join('\n')}\n`;
}

function annotation(f: Finding, root: string, baselined: boolean, rootCause: string | undefined): string {
  // A baselined finding is known and accepted: shown as a notice, not as a failure.
  const command = baselined ? 'notice' : f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
  const props: string[] = [];
  if (f.location && f.location.file !== '<stdin>') {
    props.push(`file=${escapeProperty(relativeFile(f.location.file, root))}`);
    props.push(`line=${f.location.line}`, `col=${f.location.column}`);
    if (f.location.endLine >= f.location.line) props.push(`endLine=${f.location.endLine}`);
    if (f.location.endLine === f.location.line && f.location.endColumn > f.location.column) props.push(`endColumn=${f.location.endColumn}`);
  }
  props.push(`title=${escapeProperty(`negdoctor ${f.ruleId}${baselined ? ' (baseline)' : ''}`)}`);
  let message = f.message;
  if (!f.location && f.object) {
    message = `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}${f.path ? ` (${f.path})` : ''}: ${message}`;
  }
  if (rootCause) message += `\n${rootCause}`;
  if (f.fix) message += `\nAutofix: ${f.fix.description} (negdoctor fix)`;
  return `::${command} ${props.join(',')}::${escapeData(message)}`;
}

function relativeFile(file: string, root: string): string {
  const relative = path.relative(root, path.resolve(root, file));
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}
