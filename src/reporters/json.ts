/**
 * `--format json`: the stable machine contract of SPEC §6, described by
 * schemas/report.schema.json. Fields may be added, never renamed.
 */
import { summarize, type Report } from './report.js';

export function renderJson(report: Report): string {
  const { result } = report;
  const findings = result.findings.map((f) => ({
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
    ...(f.evidence ? { evidence: f.evidence } : {}),
    ...(report.baselined?.has(f.fingerprint) ? { baselined: true } : {}),
    causedBy: f.causedBy ?? [],
  }));
  const output = {
    version: 1,
    tool: report.tool,
    incidents: result.incidents,
    findings,
    suppressed: result.suppressed.map((f) => ({ ...(f.cluster !== undefined ? { cluster: f.cluster } : {}), ruleId: f.ruleId, fingerprint: f.fingerprint, object: f.object, path: f.path, suppression: f.suppressed })),
    notEvaluated: result.notEvaluated,
    errors: report.snapshot.errors,
    summary: summarize(report),
    ...(report.clusters ? { clusters: report.clusters } : {}),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
