/**
 * `--format html`: one self-contained page (inline CSS, JS and SVG; a
 * Content-Security-Policy that forbids loading anything and allows only the
 * page's own style and script, by hash) with the incidents on top, then per
 * Ingress and Gateway its path drawn as boxes (Ingress/Gateway → Service:port
 * → NEG per zone → endpoints → pods), each coloured by its worst finding and
 * its health and linking to the findings about it, then the findings table
 * with filters by severity and rule. Everything is readable without
 * JavaScript; the script only adds the filters.
 *
 * Every value enters through the `html` template (escape.ts), which escapes
 * it unless it is markup built the same way; enum values (severities, health
 * states) are checked against their enum before they become a class name.
 */
import type { Finding } from '../findings.js';
import { html, severityToken, trustedHtml, type Markup } from './escape.js';
import { CSP, CSS, SCRIPT } from './html-assets.js';
import { pathSection } from './html-paths.js';
import { badge, findingLink, messageWithFix } from './html-parts.js';
import { bySeverityThenObject, findingLabel, findingsByFingerprint, incidentViews, isAdvice, objectLabel, type IncidentView } from './incidents.js';
import { buildPaths } from './paths.js';
import { observedHtml } from './timeline-svg.js';
import { summarize, type RenderOptions, type Report } from './report.js';

/** One section of the page: its id (the nav links to it), its title in the nav, and its markup. */
export interface PageSection {
  id: string;
  nav: string;
  body: Markup;
}

export function renderHtml(report: Report, options: RenderOptions): string {
  const byFingerprint = findingsByFingerprint(report);
  const shown = report.result.findings.filter((f) => !options.quiet || f.severity === 'error');
  const cluster = report.snapshot.cluster?.name;
  const sections: PageSection[] = [
    { id: 'incidents', nav: 'Root causes', body: incidentsSection(report, byFingerprint) },
    { id: 'paths', nav: 'Paths', body: pathsSection(report, byFingerprint) },
    { id: 'findings', nav: 'Findings', body: findingsSection(report, shown, byFingerprint) },
  ];
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${trustedHtml(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>negdoctor report${cluster ? html` — ${cluster}` : ''}</title>
<style>${trustedHtml(CSS)}</style>
</head>
<body>
${header(report, sections)}
${sections.map((s) => html`<section id="${s.id}">${s.body}</section>\n`)}<script>${trustedHtml(SCRIPT)}</script>
</body>
</html>
`;
  return page.text;
}

function header(report: Report, sections: PageSection[]): Markup {
  const s = summarize(report);
  const total = s.errors + s.warnings + s.infos;
  const cluster = report.snapshot.cluster?.name;
  const counts = total === 0 ? html`No problems found` : html`<strong>${total} problem${total === 1 ? '' : 's'}</strong>: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos`;
  const source = report.snapshot.source === 'live' ? `collected ${report.snapshot.collectedAt}` : `${s.files} files`;
  return html`<header><h1>negdoctor report</h1><p class="summary">${counts} · ${s.rulesEvaluated} rules evaluated, ${report.result.notEvaluated.length} not evaluated · ${s.objects} objects${cluster ? html` · cluster <code>${cluster}</code>` : ''} · ${source}</p>
<nav>${sections.map((section, i) => html`${i ? ' · ' : ''}<a href="#${section.id}">${section.nav}</a>`)}</nav></header>`;
}

function incidentsSection(report: Report, byFingerprint: Map<string, Finding>): Markup {
  const views = incidentViews(report);
  if (views.length === 0) return html`<h2>Root causes</h2><p>No finding here explains another.</p>`;
  const list = (items: IncidentView[], cls: string) => html`<ol class="incidents ${cls}">${items.map((view) => incidentItem(view, byFingerprint))}</ol>`;
  const outages = views.filter((v) => !isAdvice(v));
  const advice = views.filter(isAdvice);
  return html`<h2>Root causes</h2>${outages.length ? list(outages, 'outages') : html`<p>No outage: only advice below.</p>`}${advice.length ? html`<h3 id="advice">Also worth fixing</h3>${list(advice, 'advice')}` : ''}`;
}

function incidentItem(view: IncidentView, byFingerprint: Map<string, Finding>): Markup {
  const blocks = view.roots.map((root, i) => {
    const tree = view.trees[i] ?? [];
    const rows = tree.map(({ finding, depth }) => html`<li class="depth-${Math.min(depth, 6)}">${badge(finding.severity)} ${findingLink(finding)} on ${findingLabel(finding, byFingerprint)}</li>`);
    const explains = tree.length ? html`<p class="explains">explains ${tree.length} finding${tree.length === 1 ? '' : 's'}:</p><ul class="tree">${rows}</ul>` : i > 0 ? html`<p class="explains">explains the same findings as the root above.</p>` : '';
    return html`<div class="root">${i > 0 ? html`<span class="and">and</span> ` : ''}${badge(root.severity)} ${findingLink(root)} on <strong>${findingLabel(root, byFingerprint)}</strong><div class="msg">${messageWithFix(root)}</div>${observedHtml([root, ...tree.map((t) => t.finding)])}</div>${explains}`;
  });
  return html`<li class="incident sev-${severityToken(view.worst)}" id="${view.incident.id}">${blocks}</li>\n`;
}

function pathsSection(report: Report, byFingerprint: Map<string, Finding>): Markup {
  const paths = buildPaths(report);
  return html`<h2>Load-balancing paths</h2>${paths.length === 0 ? html`<p>No GKE Ingress or Gateway in the inputs.</p>` : ''}
<p class="legend">Box colour: the worst finding about it (<span class="sw sev-error">error</span> <span class="sw sev-warning">warning</span> <span class="sw sev-info">info</span> <span class="sw sev-none">none</span>); dot: health reported by Google Cloud (<span class="dot h-healthy">●</span> healthy <span class="dot h-unhealthy">●</span> unhealthy <span class="dot h-unknown">●</span> unknown). Click a box for the findings about it.</p>
${paths.map((p) => pathSection(p, byFingerprint))}`;
}

const SECTION_TITLES = { error: 'Errors', warning: 'Warnings', info: 'Infos' } as const;

/** One table per severity, worst first, each sorted by object: the links above them filter without JavaScript. */
function findingsSection(report: Report, shown: Finding[], byFingerprint: Map<string, Finding>): Markup {
  const rules = [...new Set(shown.map((f) => f.ruleId))].sort();
  const filters = html`<form class="filters" id="filters" hidden><label>Severity <select id="filter-severity"><option value="">all</option><option>error</option><option>warning</option><option>info</option></select></label> <label>Rule <select id="filter-rule"><option value="">all</option>${rules.map((r) => html`<option>${r}</option>`)}</select></label> <span id="filter-count"></span></form>`;
  const sorted = bySeverityThenObject(shown);
  const groups = (['error', 'warning', 'info'] as const).map((sev) => ({ sev, findings: sorted.filter((f) => f.severity === sev) })).filter((g) => g.findings.length > 0);
  const jump = groups.length ? html`<p class="jump">${groups.map((g, i) => html`${i ? ' · ' : ''}<a href="#findings-${g.sev}">${SECTION_TITLES[g.sev]} (${g.findings.length})</a>`)}</p>` : '';
  const tables = groups.map(
    (g) =>
      html`<section class="severity" id="findings-${g.sev}"><h3>${SECTION_TITLES[g.sev]} (${g.findings.length})</h3><table class="findings-table"><thead><tr><th>Severity</th><th>Rule</th><th>Object</th><th>Message</th><th>Caused by</th></tr></thead><tbody>${g.findings.map((f) => findingRow(f, byFingerprint))}</tbody></table></section>\n`,
  );
  const notEvaluated = report.result.notEvaluated.length === 0 ? '' : html`<details><summary>Rules not evaluated</summary><ul>${report.result.notEvaluated.map((n) => html`<li><code>${n.ruleId}</code>: ${n.reason}</li>`)}</ul></details>`;
  return html`<h2>Findings</h2>${filters}${jump}${shown.length === 0 ? html`<p>No findings.</p>` : tables}${notEvaluated}`;
}

function findingRow(f: Finding, byFingerprint: Map<string, Finding>): Markup {
  const causes = (f.causedBy ?? []).map((c) => byFingerprint.get(c)).filter((c): c is Finding => c !== undefined);
  const sev = severityToken(f.severity);
  return html`<tr id="f-${f.fingerprint}" class="sev-${sev}" data-severity="${sev}" data-rule="${f.ruleId}"><td>${badge(f.severity)}</td><td><code>${f.ruleId}</code></td><td>${where(f)}</td><td>${messageWithFix(f)}</td><td>${causes.map((c, i) => html`${i ? html`<br>` : ''}${findingLink(c)} (${findingLabel(c, byFingerprint)})`)}</td></tr>\n`;
}

function where(f: Finding): string {
  const at = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '';
  return f.object ? `${objectLabel(f)}${at ? ` (${at})` : ''}${f.path ? ` · ${f.path}` : ''}` : at || objectLabel(f);
}
