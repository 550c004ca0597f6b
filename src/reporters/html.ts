/**
 * `--format html`: one self-contained page (inline CSS, JS and SVG; a
 * Content-Security-Policy that forbids loading anything) with the incidents
 * on top, then per Ingress and Gateway its path drawn as boxes (Ingress/Gateway
 * → Service:port → NEG per zone → endpoints → pods), each coloured by its
 * worst finding and its health and linking to the findings about it, then the
 * findings table with filters by severity and rule. Everything is readable
 * without JavaScript; the script only adds the filters.
 */
import type { Finding, Severity } from '../findings.js';
import { findingsByFingerprint, incidentViews, objectLabel } from './incidents.js';
import { observedHtml } from './timeline-svg.js';
import { buildPaths, type PathGraph } from './paths.js';
import { summarize, type RenderOptions, type Report } from './report.js';

const COLUMNS = ['Ingress / Gateway', 'Service:port', 'NEG (zone)', 'Endpoint', 'Pod'];
const BOX_W = 216;
const BOX_H = 46;
const COL_GAP = 34;
const ROW_H = 58;
const TOP = 26;

export function renderHtml(report: Report, options: RenderOptions): string {
  const s = summarize(report);
  const total = s.errors + s.warnings + s.infos;
  const byFingerprint = findingsByFingerprint(report);
  const shown = report.result.findings.filter((f) => !options.quiet || f.severity === 'error');
  const cluster = report.snapshot.cluster?.name;
  const body: string[] = [];

  body.push(`<header><h1>negdoctor report</h1><p class="summary">${
    total === 0 ? 'No problems found' : `<strong>${total} problem${total === 1 ? '' : 's'}</strong>: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos`
  } · ${s.rulesEvaluated} rules evaluated, ${report.result.notEvaluated.length} not evaluated · ${s.objects} objects${cluster ? ` · cluster <code>${esc(cluster)}</code>` : ''} · ${esc(report.snapshot.source === 'live' ? `collected ${report.snapshot.collectedAt}` : `${s.files} files`)}</p>
<nav><a href="#incidents">Root causes</a> · <a href="#paths">Paths</a> · <a href="#findings">Findings</a></nav></header>`);

  const views = incidentViews(report);
  body.push('<section id="incidents"><h2>Root causes</h2>');
  if (views.length === 0) body.push('<p>No finding here explains another.</p>');
  else {
    body.push('<ol class="incidents">');
    for (const { incident, root, tree } of views) {
      body.push(`<li class="incident sev-${root.severity}" id="${esc(incident.id)}"><div class="root">${badge(root.severity)} <a href="#f-${root.fingerprint}"><code>${esc(root.ruleId)}</code></a> on <strong>${esc(objectLabel(root))}</strong><p>${esc(root.message)}</p>${observedHtml([root, ...tree.map((t) => t.finding)])}</div>`);
      body.push(`<p class="explains">explains ${tree.length} finding${tree.length === 1 ? '' : 's'}:</p><ul class="tree">`);
      for (const { finding, depth } of tree) {
        body.push(`<li style="margin-left:${(depth - 1) * 1.4}em">${badge(finding.severity)} <a href="#f-${finding.fingerprint}"><code>${esc(finding.ruleId)}</code></a> on ${esc(objectLabel(finding))}</li>`);
      }
      body.push('</ul></li>');
    }
    body.push('</ol>');
  }
  body.push('</section>');

  const paths = buildPaths(report);
  body.push('<section id="paths"><h2>Load-balancing paths</h2>');
  if (paths.length === 0) body.push('<p>No GKE Ingress or Gateway in the inputs.</p>');
  body.push('<p class="legend">Box colour: the worst finding about it (<span class="sw sev-error">error</span> <span class="sw sev-warning">warning</span> <span class="sw sev-info">info</span> <span class="sw sev-none">none</span>); dot: health reported by Google Cloud (<span class="dot h-healthy">●</span> healthy <span class="dot h-unhealthy">●</span> unhealthy <span class="dot h-unknown">●</span> unknown). Click a box for the findings about it.</p>');
  for (const path of paths) body.push(pathSection(path, byFingerprint));
  body.push('</section>');

  body.push('<section id="findings"><h2>Findings</h2>');
  const rules = [...new Set(shown.map((f) => f.ruleId))].sort();
  body.push(`<form class="filters" id="filters" hidden><label>Severity <select id="filter-severity"><option value="">all</option><option>error</option><option>warning</option><option>info</option></select></label> <label>Rule <select id="filter-rule"><option value="">all</option>${rules.map((r) => `<option>${esc(r)}</option>`).join('')}</select></label> <span id="filter-count"></span></form>`);
  if (shown.length === 0) body.push('<p>No findings.</p>');
  else {
    body.push('<table id="findings-table"><thead><tr><th>Severity</th><th>Rule</th><th>Object</th><th>Message</th><th>Caused by</th></tr></thead><tbody>');
    for (const f of shown) {
      const causes = (f.causedBy ?? []).map((c) => byFingerprint.get(c)).filter((c): c is Finding => c !== undefined);
      body.push(
        `<tr id="f-${f.fingerprint}" class="sev-${f.severity}" data-severity="${f.severity}" data-rule="${esc(f.ruleId)}"><td>${badge(f.severity)}</td><td><code>${esc(f.ruleId)}</code></td><td>${esc(where(f))}</td><td>${esc(f.message)}</td><td>${causes.map((c) => `<a href="#f-${c.fingerprint}"><code>${esc(c.ruleId)}</code></a> (${esc(objectLabel(c))})`).join('<br>')}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
  }
  if (report.result.notEvaluated.length > 0) {
    body.push('<details><summary>Rules not evaluated</summary><ul>');
    for (const n of report.result.notEvaluated) body.push(`<li><code>${esc(n.ruleId)}</code>: ${esc(n.reason)}</li>`);
    body.push('</ul></details>');
  }
  body.push('</section>');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>negdoctor report${cluster ? ` — ${esc(cluster)}` : ''}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function pathSection(path: PathGraph, byFingerprint: Map<string, Finding>): string {
  const { rows, positions } = layout(path);
  const width = COLUMNS.length * (BOX_W + COL_GAP);
  const height = TOP + Math.max(rows, 1) * ROW_H;
  const svg: string[] = [`<svg class="path" role="img" aria-label="${esc(path.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`];
  COLUMNS.forEach((title, i) => svg.push(`<text class="col" x="${i * (BOX_W + COL_GAP) + 4}" y="14">${esc(title)}</text>`));
  for (const [from, to] of path.edges) {
    const a = positions.get(from);
    const b = positions.get(to);
    if (!a || !b) continue;
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    svg.push(`<path class="edge" d="M${x1},${y1} C${x1 + COL_GAP / 2},${y1} ${x2 - COL_GAP / 2},${y2} ${x2},${y2}"/>`);
  }
  for (const box of path.boxes) {
    const p = positions.get(box.id);
    if (!p) continue;
    const cls = `box kind-${box.kind} sev-${box.severity ?? 'none'}${box.health ? ` h-${box.health.toLowerCase()}` : ''}`;
    const inner = [
      `<title>${esc([box.label, box.detail, box.findings.length ? `${box.findings.length} finding(s)` : undefined, box.health ? `health: ${box.health}` : undefined].filter(Boolean).join(' — '))}</title>`,
      `<rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6"/>`,
      `<text x="${p.x + 8}" y="${p.y + 18}" class="label">${esc(clip(box.short, 26))}</text>`,
      `<text x="${p.x + 8}" y="${p.y + 36}" class="detail">${esc(clip([box.kind === 'neg' ? box.detail?.replace(/^[^·]*· /, '') : box.detail, box.findings.length ? `${box.findings.length} finding${box.findings.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · '), 31))}</text>`,
      box.health ? `<circle cx="${p.x + BOX_W - 10}" cy="${p.y + 10}" r="5" class="dot h-${box.health.toLowerCase()}"/>` : '',
    ].join('');
    svg.push(box.findings.length ? `<a href="#${esc(box.id)}" class="${cls}" data-box="${esc(box.id)}">${inner}</a>` : `<g class="${cls}" data-box="${esc(box.id)}">${inner}</g>`);
  }
  svg.push('</svg>');
  const details: string[] = [];
  for (const box of path.boxes) {
    if (box.findings.length === 0) continue;
    details.push(`<div class="box-findings sev-${box.severity ?? 'none'}" id="${esc(box.id)}"><h4>${esc(box.label)}${box.detail ? ` <span>${esc(box.detail)}</span>` : ''}</h4><ul>`);
    for (const fp of box.findings) {
      const f = byFingerprint.get(fp);
      if (f) details.push(`<li>${badge(f.severity)} <a href="#f-${fp}"><code>${esc(f.ruleId)}</code></a> on ${esc(objectLabel(f))}</li>`);
    }
    details.push('</ul></div>');
  }
  return `<article class="path-card sev-${path.severity ?? 'none'}" id="path-${esc(path.id)}"><h3>${esc(path.title)}</h3><div class="scroll">${svg.join('')}</div>${details.length ? `<details class="box-list"><summary>Findings by box (${details.filter((d) => d.startsWith('<div')).length})</summary>${details.join('')}</details>` : '<p class="ok">No finding on this path.</p>'}</article>`;
}

/** Tree layout: leaves take consecutive rows, a parent sits level with its first child. */
function layout(path: PathGraph): { rows: number; positions: Map<string, { x: number; y: number }> } {
  const children = new Map<string, string[]>();
  const hasParent = new Set<string>();
  for (const [a, b] of path.edges) {
    const list = children.get(a);
    if (list) list.push(b);
    else children.set(a, [b]);
    hasParent.add(b);
  }
  const row = new Map<string, number>();
  let next = 0;
  const place = (id: string, seen: Set<string>): number => {
    if (row.has(id)) return row.get(id)!;
    seen.add(id);
    const kids = (children.get(id) ?? []).filter((k) => !seen.has(k));
    const r = kids.length === 0 ? next++ : kids.map((k) => place(k, seen))[0]!;
    row.set(id, r);
    return r;
  };
  for (const box of path.boxes) if (!hasParent.has(box.id)) place(box.id, new Set());
  const columnOf = new Map(path.boxes.map((b) => [b.id, b.column]));
  const positions = new Map<string, { x: number; y: number }>();
  for (const [id, r] of row) positions.set(id, { x: (columnOf.get(id) ?? 0) * (BOX_W + COL_GAP) + 2, y: TOP + r * ROW_H });
  return { rows: next, positions };
}

function where(f: Finding): string {
  const at = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '';
  return f.object ? `${objectLabel(f)}${at ? ` (${at})` : ''}${f.path ? ` · ${f.path}` : ''}` : at || objectLabel(f);
}

function badge(severity: Severity): string {
  return `<span class="badge sev-${severity}">${severity}</span>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
:root{--error:#c62828;--error-bg:#fde2e1;--warning:#ef8f00;--warning-bg:#fff1d6;--info:#1565c0;--info-bg:#e3effd;--none-bg:#f4f5f7;--line:#9aa3ad;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2329}
body{margin:0 auto;max-width:1320px;padding:16px 24px;line-height:1.4}
h1{margin:0 0 4px;font-size:1.6em}h2{border-bottom:1px solid #d8dde3;padding-bottom:4px;margin-top:28px}h3{margin:0 0 6px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
a{color:#0b57d0}nav a{margin-right:4px}
.summary{margin:0 0 6px}
.badge{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;padding:0 4px;font-size:.8em;font-weight:600;color:#fff}
.badge.sev-error{background:var(--error)}.badge.sev-warning{background:var(--warning)}.badge.sev-info{background:var(--info)}
.incidents{padding-left:1.4em}.incident{margin:0 0 14px;padding:8px 12px;border-left:5px solid var(--line);background:var(--none-bg);border-radius:4px}
.incident.sev-error{border-color:var(--error);background:var(--error-bg)}.incident.sev-warning{border-color:var(--warning);background:var(--warning-bg)}.incident.sev-info{border-color:var(--info);background:var(--info-bg)}
.incident .root p{margin:4px 0 0}.explains{margin:6px 0 2px;font-size:.9em;color:#4a545e}.tree{list-style:none;padding-left:.6em;margin:0}.tree li::before{content:"└─ ";color:#4a545e}
.legend{font-size:.9em;color:#4a545e}.sw{display:inline-block;padding:0 6px;border-radius:3px;border:1px solid var(--line)}
.sw.sev-error{background:var(--error-bg);border-color:var(--error)}.sw.sev-warning{background:var(--warning-bg);border-color:var(--warning)}.sw.sev-info{background:var(--info-bg);border-color:var(--info)}.sw.sev-none{background:var(--none-bg)}
.path-card{border:1px solid #d8dde3;border-radius:6px;padding:10px 12px;margin:0 0 16px}.path-card.sev-error{border-color:var(--error)}
.scroll{overflow-x:auto}
svg.path text{font-size:12px;fill:#1d2329}svg.path text.col{font-size:11px;fill:#4a545e;font-weight:600;text-transform:uppercase;letter-spacing:.04em}svg.path text.label{font-weight:600}svg.path text.detail{fill:#39424b}
svg.path .edge{fill:none;stroke:var(--line);stroke-width:1.5}
svg.path .box rect{fill:var(--none-bg);stroke:var(--line);stroke-width:1.2}
svg.path .box.sev-error rect{fill:var(--error-bg);stroke:var(--error);stroke-width:2}svg.path .box.sev-warning rect{fill:var(--warning-bg);stroke:var(--warning);stroke-width:2}svg.path .box.sev-info rect{fill:var(--info-bg);stroke:var(--info)}
svg.path .box.sev-none.h-healthy rect{fill:#e3f5e5;stroke:#2e7d32}
svg.path a.box:hover rect,svg.path a.box:focus rect{stroke-width:3}
.dot.h-healthy{fill:#2e7d32;color:#2e7d32}.dot.h-unhealthy{fill:var(--error);color:var(--error)}.dot.h-unknown,.dot.h-draining,.dot.h-timeout{fill:#9aa3ad;color:#9aa3ad}
.box-findings{margin:4px 0;padding:3px 10px;border-left:4px solid var(--line)}.box-findings.sev-error{border-color:var(--error)}.box-findings.sev-warning{border-color:var(--warning)}.box-findings.sev-info{border-color:var(--info)}
.box-findings h4{margin:0}.box-findings h4 span{font-weight:400;color:#4a545e}.box-findings ul{margin:2px 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:2px 14px}
:target{outline:3px solid #0b57d0;outline-offset:2px}
.ok{color:#2e7d32;margin:4px 0}
.filters{margin:6px 0 10px}.filters select{margin-right:12px}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{border-bottom:1px solid #e3e7eb;padding:5px 6px;text-align:left;vertical-align:top}th{background:#f4f5f7}
tr.sev-error td:first-child{border-left:4px solid var(--error)}tr.sev-warning td:first-child{border-left:4px solid var(--warning)}tr.sev-info td:first-child{border-left:4px solid var(--info)}
@media print{.filters{display:none}}
`;

const SCRIPT = `
(function () {
  var form = document.getElementById('filters');
  var table = document.getElementById('findings-table');
  if (!form || !table) return;
  form.hidden = false;
  var severity = document.getElementById('filter-severity');
  var rule = document.getElementById('filter-rule');
  var count = document.getElementById('filter-count');
  function apply() {
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = (!severity.value || r.dataset.severity === severity.value) && (!rule.value || r.dataset.rule === rule.value);
      r.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = shown + ' of ' + rows.length + ' shown';
  }
  severity.addEventListener('change', apply);
  rule.addEventListener('change', apply);
  apply();
})();
`;
