/**
 * `--format html` in a real browser: Debian's Chromium (/usr/bin/chromium),
 * driven headless by playwright-core with a fresh profile and every background
 * service off. The page must show the incidents and the path boxes, link each
 * box to its findings, filter the table, stay readable without JavaScript, and
 * make no network request at all. Under CI=true a missing Chromium fails.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI installs it from .ci/debian-packages.txt`);
if (!available) console.warn(`skipping the HTML report browser tests: ${CHROMIUM} is not installed (apt-get install chromium)`);

const work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-html-'));
const profiles: string[] = [];

async function browse(javaScriptEnabled = true): Promise<{ context: BrowserContext; requests: string[] }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-chromium-'));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    javaScriptEnabled,
    viewport: { width: 1320, height: 900 },
  });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  return { context, requests };
}

function render(args: string[], file: string): string {
  const out = path.join(work, file);
  const run = runCli([...args, '--format', 'html', '-o', out, '--fail-on', 'never']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return out;
}

describe.skipIf(!available)('html report in headless Chromium', () => {
  let demo: string;
  beforeAll(() => {
    demo = render(['scan', '--snapshot', 'fixtures/demo/snapshot.json'], 'demo.html');
  });
  afterAll(() => {
    for (const dir of [work, ...profiles]) rmSync(dir, { recursive: true, force: true });
  });

  it('is one self-contained file: no external URL, a CSP that forbids loading anything', () => {
    const html = readFileSync(demo, 'utf8');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; script-src 'sha256-[A-Za-z0-9+/]+=*'; img-src data:; form-action 'none'; base-uri 'none'$/);
    expect(csp).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link\b|@import|url\(/);
  });

  it('demo snapshot: incidents on top, the path boxes coloured and clickable, the table filters, and no network request', async () => {
    const { context, requests } = await browse();
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const url = pathToFileURL(demo).href;
      await page.goto(url);
      const sections = await page.locator('body > section').evaluateAll((els) => els.map((e) => e.id));
      expect(sections).toEqual(['incidents', 'paths', 'findings']);
      const incidents = page.locator('li.incident');
      expect(await incidents.count()).toBe(4);
      await expect.poll(() => incidents.first().locator('.root').innerText()).toContain('firewall-health-check-blocked on Service default/neg-demo-svc');
      expect(await incidents.first().locator('.tree li').allInnerTexts()).toEqual([
        expect.stringContaining('backend-unhealthy on Service default/neg-demo-svc'),
        expect.stringContaining('readiness-gate-stuck on Pod default/neg-demo-app-5d8b7c9f4-h4r2c'),
        expect.stringContaining('rollout-stuck on Deployment default/neg-demo-app'),
      ]);

      // The path of the broken Ingress: Ingress → Service:port → NEG per zone → endpoints → pods.
      const card = page.locator('article.path-card', { has: page.locator('h3', { hasText: 'Ingress default/neg-demo-ing' }) });
      const boxes = card.locator('svg [data-box]');
      const labels = await boxes.locator('text.label').allTextContents();
      expect(labels.slice(0, 3)).toEqual(['default/neg-demo-ing', 'default/neg-demo-svc:80', 'us-central1-a']);
      for (const zone of ['us-central1-b', 'us-central1-c']) expect(labels).toContain(zone);
      expect(labels).toContain('10.52.1.23:9376');
      expect(labels.filter((l) => /^(neg|…)-?demo-app-/.test(l) || l.startsWith('neg-demo-app-'))).toHaveLength(4);
      // A long pod name keeps its unique end in the box; the full name is in the accessible label.
      expect(labels).toContain('…-demo-app-5d8b7c9f4-h4r2c');
      expect(await card.locator('svg a.box[aria-label^="Pod neg-demo-app-5d8b7c9f4-h4r2c"]').count()).toBe(1);
      const stuckPod = card.locator('svg a.box', { has: page.locator('title', { hasText: 'Pod neg-demo-app-5d8b7c9f4-h4r2c' }) });
      expect(await stuckPod.getAttribute('class')).toContain('sev-error');
      const ingressBox = card.locator('svg g.box').first();
      expect(await ingressBox.getAttribute('class')).toContain('sev-none');
      // A real box is drawn: non-zero size, inside the page.
      const rect = await stuckPod.locator('rect').boundingBox();
      expect(rect!.width).toBeGreaterThan(100);

      // Clicking a box leads to the findings about it.
      await stuckPod.click();
      const hash = new URL(page.url()).hash;
      expect(hash).toMatch(/^#ingress-default-neg-demo-ing--pod-default-neg-demo-app-5d8b7c9f4-h4r2c$/);
      const target = page.locator(hash);
      await expect.poll(() => target.isVisible()).toBe(true);
      expect(await target.innerText()).toMatch(/readiness-gate-stuck[\s\S]*rollout-stuck|rollout-stuck[\s\S]*readiness-gate-stuck/);
      await target.locator('a', { hasText: 'readiness-gate-stuck' }).click();
      const row = page.locator(new URL(page.url()).hash);
      expect(await row.getAttribute('data-rule')).toBe('readiness-gate-stuck');
      expect(await row.innerText()).toContain('backend-unhealthy');

      // Filters by severity and rule.
      const rows = page.locator('#findings .findings-table tbody tr');
      expect(await rows.count()).toBe(28);
      await page.selectOption('#filter-severity', 'warning');
      const visibleSeverities = await rows.evaluateAll((trs) => trs.filter((t) => !(t as HTMLElement).hidden).map((t) => (t as HTMLElement).dataset.severity));
      expect(visibleSeverities).toEqual(Array(7).fill('warning'));
      await page.selectOption('#filter-severity', '');
      await page.selectOption('#filter-rule', 'endpointslice-degraded');
      expect(await page.locator('#filter-count').innerText()).toBe('3 of 28 shown');

      const shot = path.join(work, 'demo.png');
      await page.goto(url);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(50_000);
      // The only request the page made is for itself.
      expect(requests.filter((r) => r !== url && !r.startsWith(`${url}#`))).toEqual([]);
      expect(requests.length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('is readable without JavaScript: every finding and box shown, the filters stay hidden', async () => {
    const { context, requests } = await browse(false);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const url = pathToFileURL(demo).href;
      await page.goto(url);
      expect(await page.locator('#filters').isVisible()).toBe(false);
      const rows = page.locator('#findings .findings-table tbody tr');
      expect(await rows.count()).toBe(28);
      expect(await rows.evaluateAll((trs) => trs.every((t) => (t as HTMLElement).offsetHeight > 0))).toBe(true);
      expect(await page.locator('li.incident').count()).toBe(4);
      expect(await page.locator('svg [data-box]').count()).toBeGreaterThan(14);
      expect(requests.filter((r) => r !== url)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('lint: the manifests path leads from the Ingress to the workloads, with no incident', async () => {
    const file = render(['lint', 'fixtures/demo'], 'lint.html');
    const { context, requests } = await browse();
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const url = pathToFileURL(file).href;
      await page.goto(url);
      expect(await page.locator('#incidents p').first().innerText()).toBe('No finding here explains another.');
      const labels = await page.locator('svg [data-box] text.label').allTextContents();
      expect(labels.length).toBeGreaterThan(2);
      expect(await page.locator('svg .kind-workload').count()).toBeGreaterThan(0);
      expect(await page.locator('#findings .findings-table tbody tr').count()).toBeGreaterThan(0);
      expect(requests.filter((r) => r !== url)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe.skipIf(!available)('html report: fix commands as commands (issue 25)', () => {
  it('each command is its own <pre>, never wrapped inside a token; Copy works with JavaScript, plain <pre> without', async () => {
    const file = render(['scan', '--snapshot', 'fixtures/demo/snapshot.json'], 'fix.html');
    for (const js of [true, false]) {
      const { context, requests } = await browse(js);
      try {
        if (js) await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
        const page = context.pages()[0] ?? (await context.newPage());
        const url = pathToFileURL(file).href;
        await page.goto(url);
        const root = page.locator('li.incident').first();
        const pres = root.locator('.fix-step pre');
        expect(await pres.count()).toBe(2);
        const commands = await pres.allInnerTexts();
        expect(commands.every((c) => c.startsWith('gcloud compute ') && !c.includes('\n'))).toBe(true);
        expect(await pres.first().evaluate((e) => getComputedStyle(e).whiteSpace)).toBe('pre');
        // The prose keeps the why, the commands left it.
        expect(await root.locator('.root .msg').first().innerText()).toContain('Fix: the 2 commands below.');
        const copy = root.locator('button.copy').first();
        expect(await copy.isVisible()).toBe(js);
        if (js) {
          await copy.click();
          await expect.poll(() => copy.innerText()).toMatch(/Copied|Selected/);
          if ((await copy.innerText()) === 'Copied') expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(commands[0]);
        }
        expect(requests.filter((r) => r !== url && !r.startsWith(`${url}#`))).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 60_000);
});
