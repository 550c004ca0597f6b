/**
 * The HTML report's symptom block under a root cause: the observed line of
 * each log finding it explains and, when the finding carries its backend's
 * timeline, an inline SVG of 5xx per minute with pod deletions and rollout
 * steps marked (no script: hover titles only). Built with the report's `html`
 * template (escape.ts), so every value is escaped where it enters the HTML.
 */
import type { Finding } from '../findings.js';
import { html, type Markup } from './escape.js';
import { observedLines } from './observed.js';

const WIDTH = 640;
const HEIGHT = 90;
const PAD = 4;
const MARK_COLOURS: Record<string, string> = { deletion: '#c62828', rollout: '#1565c0', neg: '#6a1b9a' };

interface TimelineEvidence {
  minutes: Array<[number, number]>;
  marks: Array<[number, string, string]>;
}

function timelineOf(f: Finding): TimelineEvidence | undefined {
  const t = f.evidence?.timeline as TimelineEvidence | undefined;
  return t && Array.isArray(t.minutes) && Array.isArray(t.marks) && t.minutes.length > 0 ? t : undefined;
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

export function timelineSvg(t: TimelineEvidence): Markup {
  const times = [...t.minutes.map((m) => m[0]), ...t.marks.map((m) => m[0])];
  const start = Math.min(...times);
  const end = Math.max(...times) + 60_000;
  const x = (ms: number) => PAD + ((ms - start) / Math.max(1, end - start)) * (WIDTH - 2 * PAD);
  const max = Math.max(...t.minutes.map((m) => m[1]));
  const barWidth = Math.max(1, x(start + 60_000) - x(start) - 1);
  const parts: Markup[] = [];
  for (const [ms, count] of t.minutes) {
    const h = Math.max(1, (count / max) * (HEIGHT - 24));
    parts.push(html`<rect x="${x(ms).toFixed(1)}" y="${(HEIGHT - 14 - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="#ef8f00"><title>${time(ms)} UTC: ${count} × 5xx</title></rect>`);
  }
  for (const [ms, kind, text] of t.marks) {
    const colour = MARK_COLOURS[kind] ?? '#4a545e';
    parts.push(html`<line x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="2" y2="${HEIGHT - 14}" stroke="${colour}" stroke-width="1.5"${kind === 'deletion' ? html` stroke-dasharray="3 2"` : ''}><title>${time(ms)} UTC ${kind}: ${text}</title></line>`);
  }
  parts.push(html`<text x="${PAD}" y="${HEIGHT - 2}" font-size="10" fill="#4a545e">${time(start)} UTC</text>`);
  parts.push(html`<text x="${WIDTH - PAD}" y="${HEIGHT - 2}" font-size="10" fill="#4a545e" text-anchor="end">${time(end)} UTC · max ${max}/min</text>`);
  return html`<svg class="timeline" role="img" aria-label="5xx per minute, with pod deletions (red, dashed) and rollout steps (blue)" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg">${parts}</svg>`;
}

/** The observed lines and timelines of an incident's symptom findings, as HTML (empty when it has none). */
export function observedHtml(members: readonly Finding[]): Markup {
  const lines = observedLines(members);
  if (lines.length === 0) return html``;
  const out = lines.map((l) => html`<p class="observed"><strong>${l.slice(0, l.indexOf(':') + 1)}</strong>${l.slice(l.indexOf(':') + 1)}</p>`);
  for (const f of members) {
    const t = timelineOf(f);
    if (t) out.push(timelineSvg(t));
  }
  return html`${out}`;
}
