/**
 * `--format json`: the stable machine contract of SPEC §6, described by
 * schemas/report.schema.json. Fields may be added, never renamed.
 *
 * The report is produced in pieces (`renderJsonChunks`), one finding at a
 * time, so that a lint of 50,000 documents never holds the whole text (tens
 * of MB) and a copy of every finding at once: the CLI writes each piece as
 * it comes. The pieces join to exactly `JSON.stringify(report, null, 2)`.
 */
import type { Finding } from '../findings.js';
import { summarize, type Report } from './report.js';
import { jsonSafe } from './escape.js';

export function renderJson(report: Report): string {
  return [...renderJsonChunks(report)].join('');
}

/** The pieces, with the characters JSON leaves raw but terminals act on (C1 controls, line separators) escaped. */
export function* renderJsonChunks(report: Report): Generator<string> {
  for (const piece of pieces(report)) yield jsonSafe(piece);
}

function* pieces(report: Report): Generator<string> {
  const { result } = report;
  const output: Record<string, unknown> = {
    version: 1,
    tool: report.tool,
    incidents: result.incidents,
    findings: result.findings,
    suppressed: result.suppressed,
    notEvaluated: result.notEvaluated,
    errors: report.snapshot.errors,
    summary: summarize(report),
    ...(report.clusters ? { clusters: report.clusters } : {}),
  };
  yield '{';
  let first = true;
  for (const [key, value] of Object.entries(output)) {
    if (value === undefined) continue; // as JSON.stringify leaves it out
    yield `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (key === 'findings') yield* array(result.findings, (f) => findingJson(f, report));
    else if (key === 'suppressed') yield* array(result.suppressed, suppressedJson);
    else yield indent(JSON.stringify(value, null, 2), '  ');
  }
  yield '\n}\n';
}

/** An array member of the top-level object, one element per piece, indented as JSON.stringify(…, null, 2) would. */
function* array<T>(items: readonly T[], project: (item: T) => unknown): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  yield '[';
  for (let i = 0; i < items.length; i++) {
    yield `${i === 0 ? '' : ','}\n    ${indent(JSON.stringify(project(items[i]!), null, 2), '    ')}`;
  }
  yield '\n  ]';
}

/** JSON text never holds a raw newline inside a string, so every newline starts a line to indent. */
function indent(json: string, prefix: string): string {
  return json.replace(/\n/g, `\n${prefix}`);
}

function findingJson(f: Finding, report: Report): unknown {
  return {
    ...(f.cluster !== undefined ? { cluster: f.cluster } : {}),
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    object: f.object,
    path: f.path,
    location: f.location
      ? { file: f.location.file, line: f.location.line, column: f.location.column, endLine: f.location.endLine, endColumn: f.location.endColumn }
      : null,
    fingerprint: f.fingerprint,
    fix: f.fix,
    ...(f.fixSteps?.length ? { fixSteps: f.fixSteps } : {}),
    ...(f.evidence ? { evidence: f.evidence } : {}),
    ...(f.observed ? { observed: f.observed } : {}),
    ...(report.baselined?.has(f.fingerprint) ? { baselined: true } : {}),
    causedBy: f.causedBy ?? [],
  };
}

function suppressedJson(f: Finding): unknown {
  return { ...(f.cluster !== undefined ? { cluster: f.cluster } : {}), ruleId: f.ruleId, fingerprint: f.fingerprint, object: f.object, path: f.path, suppression: f.suppressed };
}
