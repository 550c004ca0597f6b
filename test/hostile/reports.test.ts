/**
 * Hostile values in every report format (issue 20): a payload in every string
 * field a report shows — script tags, attribute breakers, workflow commands
 * after a newline, terminal escapes, code fences, Mermaid directives,
 * Markdown links and images — must come out inert: no line of any output
 * starts a GitHub workflow command, no raw control character reaches the
 * output (but the text report's own colours), Mermaid blocks stay closed and
 * parse, Markdown rendered as GitHub would shows no link or image from a
 * value, and the HTML holds no element or attribute a value brought in.
 */
import { JSDOM } from 'jsdom';
import { marked } from 'marked';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Format } from '../../src/reporters/index.js';
import { hostileCases, renderAll, type HostileCase } from './payloads.js';

/** Raw control characters a value could bring (newline is the outputs' own line break). */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const OWN_COLOUR = /\u001b\[\d+m/g;

function checkLines(format: Format, output: string): void {
  for (const line of output.split('\n')) {
    const trimmed = line.trim();
    if (format === 'github' && trimmed.startsWith('::')) {
      // negdoctor's own annotations, and nothing else.
      expect(trimmed).toMatch(/^::(error|warning|notice) [^\n]*?::/);
      continue;
    }
    expect(trimmed.startsWith('::'), `${format}: a line starts a workflow command: ${JSON.stringify(line)}`).toBe(false);
    expect(line.includes('##['), `${format}: a line holds the legacy command marker: ${JSON.stringify(line)}`).toBe(false);
  }
  const stripped = format === 'text' ? output.replace(OWN_COLOUR, '') : output;
  const raw = CONTROL.exec(stripped);
  expect(raw, `${format}: raw control character U+${raw?.[0]?.charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(stripped.slice(Math.max(0, (raw?.index ?? 0) - 30), (raw?.index ?? 0) + 10))}`).toBeNull();
}

function checkMarkdown(md: string): void {
  // Fences: every block opened is closed, and each Mermaid block is one flowchart.
  const fences = md.split('\n').filter((l) => /^\s*```/.test(l));
  expect(fences.length % 2).toBe(0);
  const mermaidBlocks = [...md.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
  for (const block of mermaidBlocks) {
    expect(block.startsWith('flowchart LR\n')).toBe(true);
    expect(block).not.toContain('%%');
    for (const line of block.split('\n').slice(1)) expect(line).toMatch(/^ {2}(n\d+\["[^"\n]*"\](:::\w+)?|n\d+ --> n\d+|classDef \w+ [\w:#,]+)$/);
  }
  // Rendered as GitHub flavoured Markdown: no image, no link, no HTML element from a value.
  const dom = new JSDOM(marked.parse(md, { gfm: true, async: false }) as string);
  const doc = dom.window.document;
  expect(doc.querySelectorAll('img, script, iframe, form, meta, base, object, embed').length).toBe(0);
  for (const a of doc.querySelectorAll('a')) expect(a.getAttribute('href') ?? '').not.toMatch(/evil|javascript:/i);
  for (const code of doc.querySelectorAll('code.language-mermaid')) expect(code.textContent!.startsWith('flowchart LR')).toBe(true);
}

function checkHtml(html: string): void {
  const doc = new JSDOM(html).window.document;
  const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '';
  expect(csp).not.toContain('unsafe-inline');
  for (const directive of ["default-src 'none'", "form-action 'none'", "base-uri 'none'"]) expect(csp).toContain(directive);
  expect(doc.querySelectorAll('script').length).toBe(1);
  expect(doc.querySelectorAll('img, iframe, form:not(#filters), object, embed, base, meta[http-equiv="refresh"], button:not(.copy)').length).toBe(0);
  expect(doc.querySelectorAll('meta').length).toBe(3);
  for (const el of doc.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) expect(attr, `<${el.tagName.toLowerCase()} ${attr}>`).not.toMatch(/^on|^data-x$|^src$/);
    const href = el.getAttribute('href');
    if (href !== null) expect(href.startsWith('#')).toBe(true);
    const cls = el.getAttribute('class');
    if (cls !== null) for (const token of cls.split(/\s+/).filter(Boolean)) expect(token).toMatch(/^[a-z][a-z0-9-]*$/);
  }
}

describe('hostile values in every report format', () => {
  let cases: HostileCase[];
  beforeAll(() => {
    cases = hostileCases();
  }, 120_000);

  it('the sweep holds its payloads: they reach the findings and the snapshot fields a report shows', async () => {
    const all = cases.find((c) => c.name.startsWith('all: every string of the findings'))!;
    expect(all.report.result.findings.length).toBeGreaterThan(20);
    const names = cases.find((c) => c.name.startsWith('healthClass: names'))!;
    expect(names.report.result.findings.length).toBeGreaterThan(20);
    expect(names.report.result.findings.some((f) => f.message.includes('onerror=alert(4)'))).toBe(true);
  });

  for (const color of [false, true]) {
    it(`no workflow command, no raw control character, in any format (colour ${color ? 'on' : 'off'})`, async () => {
      for (const c of cases) {
        for (const [format, output] of await renderAll(c.report, color)) {
          try {
            checkLines(format, output);
          } catch (error) {
            throw new Error(`${c.name}, --format ${format}: ${(error as Error).message}`);
          }
        }
      }
    }, 120_000);
  }

  /** Runs a check on one format's output of every case, naming the case when it fails. */
  async function sweep(format: Format, check: (output: string) => void): Promise<void> {
    for (const c of cases) {
      const output = (await renderAll(c.report, false)).find(([f]) => f === format)![1];
      try {
        check(output);
      } catch (error) {
        throw new Error(`${c.name}: ${(error as Error).message}`);
      }
    }
  }

  it('markdown: fences and Mermaid blocks stay closed, no directive, no link or image from a value', () => sweep('markdown', checkMarkdown), 120_000);

  it('html: a strict CSP, one script (the report’s own), no element, attribute, link or class a value brought in', () => sweep('html', checkHtml), 120_000);
});
