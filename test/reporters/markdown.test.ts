/**
 * `--format markdown`: the Mermaid of every affected path is checked with
 * Mermaid's own parser (the `mermaid` package's `mermaid.parse`, which GitHub's
 * renderer runs too); it needs a DOM, so jsdom provides one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';
import { runRules } from '../../src/engine.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import type { Report } from '../../src/reporters/report.js';
import { RULES } from '../../src/rules/index.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { lintReport } from '../code-review/helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');

type Mermaid = { initialize(config: object): void; parse(text: string): Promise<{ diagramType: string }> };
let mermaid: Mermaid;

beforeAll(async () => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document, DOMParser: dom.window.DOMParser, Element: dom.window.Element });
  mermaid = ((await import('mermaid')) as unknown as { default: Mermaid }).default;
  mermaid.initialize({ startOnLoad: false });
}, 60_000);

function demoReport(): Report {
  const snapshot = JSON.parse(readFileSync(path.join(REPO, 'fixtures/demo/snapshot.json'), 'utf8')) as Snapshot;
  return { tool: { name: 'negdoctor', version: '0.1.0' }, snapshot, result: runRules(snapshot, { rules: RULES, config: resolveConfig(RULES, {}, undefined) }), rules: RULES };
}

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

describe('markdown report', () => {
  it('the parser rejects broken Mermaid (so a pass means something)', async () => {
    await expect(mermaid.parse('flowchart LR\n  n0["unclosed --> n1\n')).rejects.toThrow();
    await expect(mermaid.parse('flowchart LR\n  n0["a"] --> n1["b"]:::error\n  classDef error fill:#fde2e1\n')).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it('demo snapshot: root causes first, a flowchart per affected path that Mermaid parses, then the findings table', async () => {
    const md = renderMarkdown(demoReport(), { color: false });
    const sections = [...md.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(['Root causes', 'Also worth fixing', 'Affected paths', 'Findings']);
    expect(md).toContain('1. 🔴 **`firewall-health-check-blocked`** on Service default/neg-demo-svc');
    expect(md).toMatch(/\n {3}- 🔴 `backend-unhealthy` on Service default\/neg-demo-svc\n {6}- 🔴 `readiness-gate-stuck`/);
    const blocks = mermaidBlocks(md);
    // The demo's Ingress path, the checkout Service, and the Gateway store → search path.
    expect(blocks.length).toBe(3);
    expect(blocks.some((b) => b.includes('n0["Gateway shop/store<br/>gke-l7-global-external-managed"]') && /\["Service shop\/search:8080<br\/>\d+ findings?"\]:::error/.test(b))).toBe(true);
    for (const block of blocks) expect((await mermaid.parse(block)).diagramType).toBe('flowchart-v2');
    // The path of the broken Service: Ingress → Service:port → a NEG per zone → endpoints → pods.
    const demo = blocks[0]!;
    expect(demo).toContain('n0["Ingress default/neg-demo-ing"]');
    expect(demo).toMatch(/\["Service default\/neg-demo-svc:80<br\/>3 findings"\]:::error/);
    for (const zone of ['us-central1-a', 'us-central1-b', 'us-central1-c']) expect(demo).toContain(`<br/>${zone} · `);
    expect(demo).toMatch(/\["10\.52\.1\.23:9376<br\/>UNHEALTHY · 3 findings"\]:::error/);
    expect(demo).toContain('["Pod neg-demo-app-5d8b7c9f4-h4r2c<br/>Deployment neg-demo-app · 3 findings"]:::error');
    expect(md).toContain('| 🔴 error | `rollout-stuck` | Deployment default/neg-demo-app |');
    expect(md).toMatch(/\| readiness-gate-stuck \(Pod default\/neg-demo-app-5d8b7c9f4-h4r2c\) \|$/m);
  });

  it('escapes what would break Mermaid or the table: quotes, pipes, angle brackets', async () => {
    const report = demoReport();
    const f = report.result.findings.find((x) => x.ruleId === 'ingress-service-port-mismatch')!;
    f.message = 'a "quoted" | piped <b>bold</b> message';
    // A name no cluster would accept, to reach every character the labels must escape.
    // (A copy: models are cached per snapshot object.)
    report.snapshot = structuredClone(report.snapshot);
    report.snapshot.objects.find((o) => o.object.kind === 'Ingress' && o.object.metadata.name === 'neg-demo-ing')!.object.metadata.name = 'we"ird<b>&#name';
    report.result.model = undefined;
    const md = renderMarkdown(report, { color: false });
    expect(md).toContain('a "quoted" \\| piped &lt;b&gt;bold&lt;/b&gt; message');
    expect(md).toContain('n0["Ingress default/we#34;ird#60;b#62;#38;#35;name"]');
    for (const block of mermaidBlocks(md)) await mermaid.parse(block);
  });

  it('demo: outages before advice, each fix command its own sh block in its root cause, causes told apart', () => {
    const md = renderMarkdown(demoReport(), { color: false });
    const roots = md.slice(md.indexOf('## Root causes'), md.indexOf('## Also worth fixing'));
    const blocks = [...roots.matchAll(/^ {3}```sh\n {3}# [^\n]+\n {3}(gcloud [^\n]+)\n {3}```$/gm)].map((m) => m[1]);
    expect(blocks).toHaveLength(2);
    expect(roots).toContain('Fix: the 2 commands below.');
    expect(roots.indexOf('firewall-health-check-blocked')).toBeLessThan(roots.indexOf('node-zone-missing'));
    expect(md.slice(md.indexOf('## Also worth fixing'))).toMatch(/^1\. 🔵 \*\*`zone-spread-missing`\*\*/m);
    expect(md).toContain('endpointslice-degraded (EndpointSlice shop/checkout-7hq2v · endpoints\\[1\\].nodeName) and endpointslice-degraded (EndpointSlice shop/checkout-7hq2v · endpoints\\[2\\].targetRef.name)');
  });

  it('lint of manifests draws Ingress → Service:port → the workloads the Service selects', async () => {
    const report = await lintReport(['fixtures/demo']);
    const md = renderMarkdown(report, { color: false });
    const blocks = mermaidBlocks(md);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) await mermaid.parse(block);
    expect(blocks.join('\n')).toMatch(/\["Deployment [^"]+<br\/>pod template/);
  });
});
