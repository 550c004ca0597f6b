/** The HTML report's picture of one load-balancing path: SVG boxes and edges, and the findings of each box. */
import type { Finding } from '../findings.js';
import { healthState, html, severityToken, type Markup } from './escape.js';
import { badge, findingLink } from './html-parts.js';
import { objectLabel } from './incidents.js';
import type { Box, PathGraph } from './paths.js';

const COLUMNS = ['Ingress / Gateway', 'Service:port', 'NEG (zone)', 'Endpoint', 'Pod'];
const BOX_W = 216;
const BOX_H = 46;
const COL_GAP = 34;
const ROW_H = 58;
const TOP = 26;

export function pathSection(path: PathGraph, byFingerprint: Map<string, Finding>): Markup {
  const { rows, positions } = layout(path);
  const width = COLUMNS.length * (BOX_W + COL_GAP);
  const height = TOP + Math.max(rows, 1) * ROW_H;
  const svg: Markup[] = [];
  COLUMNS.forEach((title, i) => svg.push(html`<text class="col" x="${i * (BOX_W + COL_GAP) + 4}" y="14">${title}</text>`));
  for (const [from, to] of path.edges) {
    const a = positions.get(from);
    const b = positions.get(to);
    if (!a || !b) continue;
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    svg.push(html`<path class="edge" d="M${x1},${y1} C${x1 + COL_GAP / 2},${y1} ${x2 - COL_GAP / 2},${y2} ${x2},${y2}"/>`);
  }
  for (const box of path.boxes) {
    const p = positions.get(box.id);
    if (p) svg.push(boxMarkup(box, p));
  }
  const details: Markup[] = [];
  for (const box of path.boxes) {
    if (box.findings.length === 0) continue;
    const items = box.findings.map((fp) => byFingerprint.get(fp)).filter((f): f is Finding => f !== undefined);
    details.push(
      html`<div class="box-findings sev-${severityToken(box.severity)}" id="${box.id}"><h4>${box.label}${box.detail ? html` <span>${box.detail}</span>` : ''} <a class="back" href="#path-${path.id}" aria-label="back to the picture">↑</a></h4><ul>${items.map((f) => html`<li>${badge(f.severity)} ${findingLink(f)} on ${objectLabel(f)}</li>`)}</ul></div>`,
    );
  }
  const picture = html`<svg class="path" role="img" aria-label="${path.title}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${svg}</svg>`;
  const list = details.length ? html`<details class="box-list"><summary>Findings by box (${details.length})</summary>${details}</details>` : html`<p class="ok">No finding on this path.</p>`;
  return html`<article class="path-card sev-${severityToken(path.severity)}" id="path-${path.id}"><h3>${path.title}</h3><div class="scroll">${picture}</div>${list}</article>\n`;
}

function boxMarkup(box: Box, p: { x: number; y: number }): Markup {
  const health = box.health ? healthState(box.health).toLowerCase() : undefined;
  const cls = `box kind-${box.kind} sev-${severityToken(box.severity)}${health ? ` h-${health}` : ''}`;
  const title = [box.label, box.detail, box.findings.length ? `${box.findings.length} finding(s)` : undefined, box.health ? `health: ${box.health}` : undefined].filter(Boolean).join(' — ');
  const detail = [box.kind === 'neg' ? box.detail?.replace(/^[^·]*· /, '') : box.detail, box.findings.length ? `${box.findings.length} finding${box.findings.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
  // Long names lose their start, not the end where pods and ReplicaSets differ; the full name is in the tooltip and the accessible label.
  const inner = html`<title>${title}</title><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6"/><text x="${p.x + 8}" y="${p.y + 18}" class="label">${clip(box.short, 26)}</text><text x="${p.x + 8}" y="${p.y + 36}" class="detail">${clip(detail, 31)}</text>${health ? html`<circle cx="${p.x + BOX_W - 10}" cy="${p.y + 10}" r="5" class="dot h-${health}"/>` : ''}`;
  return box.findings.length
    ? html`<a href="#${box.id}" class="${cls}" data-box="${box.id}" aria-label="${title}">${inner}</a>`
    : html`<g class="${cls}" data-box="${box.id}" role="img" aria-label="${title}">${inner}</g>`;
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

/** Fits a name in a box by dropping its start: names that share a prefix (pods of one ReplicaSet) differ at the end. */
function clip(text: string, max: number): string {
  return text.length > max ? `…${text.slice(text.length - (max - 1))}` : text;
}
