/**
 * The human report: first the root causes (each incident's root, and what it
 * explains indented beneath), then findings grouped by file as `line:col
 * severity  message  rule-id`, live findings grouped by object, each explained
 * finding marked with its cause; then a summary and a coverage line that says
 * what was not evaluated and why.
 *
 * Every line is built with the `term` template (escape.ts): values are made
 * safe for a terminal and a CI log (controls shown as escapes, so no value
 * starts a line or moves the cursor); the only escape sequences are the
 * colours `paint` adds.
 */
import { observedLines } from './observed.js';
import type { Finding } from '../findings.js';
import { causeText, findingLabel, findingsByFingerprint, incidentViews, isAdvice, proseOf } from './incidents.js';
import { summarize, type RenderOptions, type Report } from './report.js';
import { Markup, term } from './escape.js';

const CODES = { red: 31, yellow: 33, cyan: 36, gray: 90, bold: 1, underline: 4 } as const;
type Style = keyof typeof CODES;

export function renderText(report: Report, options: RenderOptions): string {
  const paint = (style: Style, text: string | Markup): Markup => (options.color ? term`${colour(CODES[style])}${text}${colour(0)}` : term`${text}`);
  const severityLabel = (f: Finding) =>
    f.severity === 'error' ? paint('red', 'error  ') : f.severity === 'warning' ? paint('yellow', 'warning') : paint('cyan', 'info   ');
  const lines: Markup[] = [];
  const shown = report.result.findings.filter((f) => !options.quiet || f.severity === 'error');

  const byFingerprint = findingsByFingerprint(report);
  const shownSet = new Set(shown);
  // Each fix command on a line of its own (a triple-click copies it), what it does as a comment above.
  const fixLines = (f: Finding, indent: string) => {
    for (const step of f.fixSteps ?? []) lines.push(term`${indent}  ${paint('gray', `# ${step.explains}`)}`, term`${indent}  ${step.command}`);
  };
  const views = incidentViews(report).filter((v) => v.roots.some((r) => shownSet.has(r)));
  const rootSection = (title: string, list: typeof views) => {
    if (list.length === 0) return;
    lines.push(paint('bold', title));
    for (const view of list) {
      view.roots.forEach((root, i) => {
        const where = root.cluster !== undefined && report.clusters ? `${root.cluster}: ` : '';
        // Further roots of a merged incident: marked "+", they explain the same consequences.
        lines.push(term`${i === 0 ? '  ' : paint('gray', '+ ')}${severityLabel(root)}  ${where}${findingLabel(root, byFingerprint)}: ${proseOf(root)}  ${paint('gray', root.ruleId)}`);
        fixLines(root, '           ');
        const tree = view.trees[i] ?? [];
        for (const line of observedLines([root, ...tree.map((t) => t.finding)])) lines.push(term`    ${paint('yellow', line)}`);
        for (const { finding, depth } of tree) {
          lines.push(term`  ${'  '.repeat(depth)}${paint('gray', '└─')} ${finding.ruleId}  ${findingLabel(finding, byFingerprint)}`);
        }
        if (tree.length === 0 && i > 0) lines.push(term`    ${paint('gray', '└─ and the same consequences as above')}`);
      });
    }
    lines.push(term``);
  };
  rootSection('Root causes', views.filter((v) => !isAdvice(v)));
  rootSection('Also worth fixing', views.filter(isAdvice));

  const renderGroups = (findings: Finding[]) => {
    const byGroup = new Map<string, Finding[]>();
    for (const f of findings) {
      const group = f.location?.file ?? (f.object ? `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}` : '(inputs)');
      const list = byGroup.get(group);
      if (list) list.push(f);
      else byGroup.set(group, [f]);
    }
    for (const [group, inGroup] of byGroup) {
      lines.push(paint('underline', group));
      for (const f of inGroup) {
        const position = f.location ? `${f.location.line}:${f.location.column}` : '-';
        const baselined = report.baselined?.has(f.fingerprint) ? paint('gray', ' (baseline)') : '';
        lines.push(term`  ${position.padEnd(8)} ${severityLabel(f)}  ${proseOf(f)}  ${paint('gray', f.ruleId)}${baselined}`);
        fixLines(f, `  ${''.padEnd(8)} `);
        if (!f.location && f.object) lines.push(term`  ${''.padEnd(8)} ${paint('gray', `at ${f.path || '(object)'}`)}`);
        const cause = causeText(f, byFingerprint);
        if (cause) lines.push(term`  ${''.padEnd(8)} ${paint('yellow', `caused by ${cause}`)}`);
      }
      lines.push(term``);
    }
  };
  if (report.clusters) {
    // Several clusters: the same grouping, under one heading per cluster.
    for (const cluster of report.clusters) {
      const mine = shown.filter((f) => f.cluster === cluster.cluster);
      const state = !cluster.collected ? paint('red', ` — not collected: ${cluster.error ?? 'unknown error'}`) : mine.length === 0 ? ' — no problems shown' : '';
      lines.push(term`${paint('bold', `Cluster ${cluster.cluster}`)}${state}`, term``);
      renderGroups(mine);
    }
  } else {
    renderGroups(shown);
  }

  const s = summarize(report);
  const total = s.errors + s.warnings + s.infos;
  const counts = `${s.errors} ${plural(s.errors, 'error')}, ${s.warnings} ${plural(s.warnings, 'warning')}, ${s.infos} ${plural(s.infos, 'info', 'infos')}`;
  const head = total === 0 ? paint('bold', 'No problems found') : paint('bold', `${total} ${plural(total, 'problem')} (${counts})`);
  const suppressed = report.result.suppressed.length ? `, ${report.result.suppressed.length} suppressed` : '';
  lines.push(term`${head}${suppressed}`);
  const notEvaluated = report.result.notEvaluated.length;
  lines.push(
    paint(
      'gray',
      `Coverage: ${s.rulesEvaluated} ${plural(s.rulesEvaluated, 'rule')} evaluated, ${notEvaluated} not evaluated${report.result.disabled.length ? `, ${report.result.disabled.length} disabled` : ''}; ${s.objects} ${plural(s.objects, 'object')} ${scope(report, s.files)}.`,
    ),
  );
  if (notEvaluated && !options.quiet) {
    const byReason = new Map<string, string[]>();
    for (const n of report.result.notEvaluated) {
      const reason = n.cluster !== undefined ? `${n.cluster}: ${n.reason}` : n.reason;
      const ids = byReason.get(reason);
      if (ids) ids.push(n.ruleId);
      else byReason.set(reason, [n.ruleId]);
    }
    for (const [reason, ids] of byReason) {
      lines.push(paint('gray', `  not evaluated (${ids.length}): ${reason} — ${ids.join(', ')}`));
    }
  }
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

/** Where the objects came from: files for lint, the cluster for a scan (plus any -f files). */
function scope(report: Report, files: number): string {
  const fileText = `${files} ${plural(files, 'file')}`;
  if (report.snapshot.source !== 'live') return `in ${fileText}`;
  if (report.clusters) {
    const collected = report.clusters.filter((c) => c.collected).length;
    const missed = report.clusters.length - collected;
    return `from ${collected} ${plural(collected, 'cluster')}${missed ? ` (${missed} not collected)` : ''}`;
  }
  const cluster = report.snapshot.cluster?.name ?? report.snapshot.cluster?.context;
  const from = cluster ? `from cluster ${cluster}` : 'from the cluster';
  return files > 0 ? `${from} and ${fileText}` : from;
}

/** An SGR escape of negdoctor's own (the only escape sequences the text report writes). */
function colour(code: number): Markup {
  return new Markup('terminal', `\x1b[${code}m`);
}

function plural(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? word : many;
}
