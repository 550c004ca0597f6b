/**
 * `--format markdown`: for GitHub job summaries ($GITHUB_STEP_SUMMARY) and
 * pull-request comments. The incidents first (root, then what it explains),
 * a Mermaid flowchart of each affected path (GitHub renders ```mermaid
 * blocks), then the findings table.
 *
 * Values enter through escape.ts only: `markdownText` for prose and table
 * cells (no markup, no link, no image, no HTML), `markdownCode` for inline
 * code (a fence longer than any backtick run in the value), `mermaidLabel`
 * for diagram labels (no directive, no closing quote); no value can hold a
 * line break, so none can close a fence or start a block.
 */
import type { Finding, Severity } from '../findings.js';
import { bySeverityThenObject, causeText, findingLabel, findingsByFingerprint, incidentViews, isAdvice, objectLabel, proseOf, type IncidentView } from './incidents.js';
import { buildPaths, type Box, type PathGraph } from './paths.js';
import { summarize, type RenderOptions, type Report } from './report.js';
import { markdownCell, markdownCode, markdownCommandBlock, markdownText, mermaidLabel, severityToken } from './escape.js';

const ICON: Record<Severity, string> = { error: '🔴', warning: '🟠', info: '🔵' };

export function renderMarkdown(report: Report, options: RenderOptions): string {
  const out: string[] = [];
  const s = summarize(report);
  const total = s.errors + s.warnings + s.infos;
  out.push('# negdoctor report', '');
  out.push(
    `${total === 0 ? '**No problems found**' : `**${total} problem${total === 1 ? '' : 's'}** (${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos)`} · ${s.rulesEvaluated} rules evaluated, ${report.result.notEvaluated.length} not evaluated · ${s.objects} objects${report.snapshot.cluster?.name ? ` · cluster ${markdownCode(report.snapshot.cluster.name)}` : ''}`,
    '',
  );
  const byFingerprint = findingsByFingerprint(report);
  const shown = report.result.findings.filter((f) => !options.quiet || f.severity === 'error');

  // Each fix command as its own `sh` block (GitHub shows a copy button on it), indented into its list item.
  const withBlocks = new Set<string>();
  const fixBlocks = (f: Finding, indent: string) => {
    if (!f.fixSteps?.length) return;
    withBlocks.add(f.fingerprint);
    for (const step of f.fixSteps) out.push('', ...markdownCommandBlock(step.command, step.explains).split('\n').map((l) => `${indent}${l}`));
    out.push('');
  };
  const rootSection = (title: string, views: IncidentView[]) => {
    if (views.length === 0) return;
    out.push(`## ${title}`, '');
    views.forEach((view, i) => {
      view.roots.forEach((root, r) => {
        const line = `**${markdownCode(root.ruleId)}** on ${markdownText(findingLabel(root, byFingerprint))}: ${markdownText(proseOf(root))}`;
        // Further roots of a merged incident explain the same consequences: listed inside it.
        out.push(r === 0 ? `${i + 1}. ${icon(root.severity)} ${line}` : `   - ${icon(root.severity)} and ${line}`);
        const extra = r === 0 ? 0 : 1;
        fixBlocks(root, '   '.repeat(1 + extra));
        for (const { finding, depth } of view.trees[r] ?? []) out.push(`${'   '.repeat(depth + extra)}- ${icon(finding.severity)} ${markdownCode(finding.ruleId)} on ${markdownText(findingLabel(finding, byFingerprint))}`);
      });
    });
    out.push('');
  };
  const views = incidentViews(report);
  rootSection('Root causes', views.filter((v) => !isAdvice(v)));
  rootSection('Also worth fixing', views.filter(isAdvice));

  const affected = buildPaths(report).filter((p) => p.severity !== undefined);
  if (affected.length > 0) {
    out.push('## Affected paths', '');
    for (const path of affected) {
      out.push(`### ${markdownText(path.title)}`, '', '```mermaid', mermaidOf(path), '```', '');
    }
  }

  out.push('## Findings', '');
  if (shown.length === 0) out.push('No findings.', '');
  else {
    out.push('| | Rule | Object | Message | Caused by |', '|---|---|---|---|---|');
    for (const f of bySeverityThenObject(shown)) {
      const cause = causeText(f, byFingerprint);
      out.push(`| ${icon(f.severity)} ${severityToken(f.severity)} | ${markdownCode(f.ruleId)} | ${markdownCell(where(f))} | ${markdownCell(proseOf(f))} | ${cause ? markdownCell(cause) : ''} |`);
    }
    out.push('');
    // The commands of findings not shown with them above.
    const rest = shown.filter((f) => f.fixSteps?.length && !withBlocks.has(f.fingerprint));
    if (rest.length) {
      out.push('## Fix commands', '');
      for (const f of rest) {
        out.push(`- ${icon(f.severity)} ${markdownCode(f.ruleId)} on ${markdownText(findingLabel(f, byFingerprint))}:`);
        fixBlocks(f, '  ');
      }
    }
  }
  if (report.result.notEvaluated.length > 0 && !options.quiet) {
    out.push('<details><summary>Rules not evaluated</summary>', '');
    for (const n of report.result.notEvaluated) out.push(`- ${markdownCode(n.ruleId)}: ${markdownText(n.reason)}`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function where(f: Finding): string {
  const at = f.location ? `${f.location.file}:${f.location.line}` : '';
  return f.object ? `${objectLabel(f)}${at ? ` (${at})` : ''}` : at || objectLabel(f);
}

function icon(severity: Severity): string {
  const sev = severityToken(severity);
  return sev === 'none' ? '' : ICON[sev];
}

const STYLE: Record<Severity | 'healthy', string> = {
  error: 'fill:#fde2e1,stroke:#c62828,color:#000',
  warning: 'fill:#fff1d6,stroke:#ef8f00,color:#000',
  info: 'fill:#e3effd,stroke:#1565c0,color:#000',
  healthy: 'fill:#e3f5e5,stroke:#2e7d32,color:#000',
};

/** A flowchart (left to right) of one path; boxes are classed by their worst finding or their health. */
export function mermaidOf(path: PathGraph): string {
  const lines = ['flowchart LR'];
  const ids = new Map(path.boxes.map((b, i) => [b.id, `n${i}`]));
  const used = new Set<string>();
  for (const box of path.boxes) {
    const cls = classOf(box);
    if (cls) used.add(cls);
    lines.push(`  ${ids.get(box.id)}["${mermaidText(box)}"]${cls ? `:::${cls}` : ''}`);
  }
  for (const [from, to] of path.edges) lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
  for (const cls of used) lines.push(`  classDef ${cls} ${STYLE[cls as keyof typeof STYLE]}`);
  return lines.join('\n');
}

function classOf(box: Box): string | undefined {
  const severity = severityToken(box.severity);
  if (severity !== 'none') return severity;
  if (box.health === 'UNHEALTHY') return 'error';
  if (box.health === 'HEALTHY') return 'healthy';
  return undefined;
}

/** Mermaid label text: values through `mermaidLabel`, the detail on a second line. */
function mermaidText(box: Box): string {
  const escape = mermaidLabel;
  const second = [box.detail ? escape(box.detail) : '', box.findings.length ? `${box.findings.length} finding${box.findings.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
  return `${escape(box.label)}${second ? `<br/>${second}` : ''}`;
}
