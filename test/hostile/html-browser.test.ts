/**
 * The HTML report rendered from hostile snapshots and findings (a payload in
 * every string field), opened in headless Chromium with JavaScript on, as in
 * test/e2e/html-report.test.ts: no script of a value runs, no dialog opens,
 * nothing is requested but the file itself, the page does not navigate, and
 * the CSP has nothing to block (escaping, not the CSP, kept the values inert).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/reporters/html.js';
import { hostileCases } from './payloads.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI installs it from .ci/debian-packages.txt`);

const work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-hostile-html-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!available)('hostile values in the HTML report, in headless Chromium', () => {
  it('no script, no dialog, no request, no navigation, no CSP violation', async () => {
    const cases = hostileCases().filter((c) => c.name.startsWith('all:') || c.name.startsWith('healthClass:') || c.name.startsWith('script:') || c.name.startsWith('navigation:'));
    const profile = mkdtempSync(path.join(work, 'profile-'));
    const context: BrowserContext = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1320, height: 900 } });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const requests: string[] = [];
      const dialogs: string[] = [];
      const navigations: string[] = [];
      const violations: string[] = [];
      context.on('request', (r) => requests.push(r.url()));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('framenavigated', (f) => navigations.push(f.url()));
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
      });
      for (const [i, c] of cases.entries()) {
        const file = path.join(work, `report-${i}.html`);
        writeFileSync(file, renderHtml(c.report, { color: false }));
        const url = pathToFileURL(file).href;
        requests.length = 0;
        navigations.length = 0;
        await page.goto(url);
        // Hover and focus every box and link, where an injected handler would fire.
        for (const box of await page.locator('svg [data-box]').all()) await box.hover({ force: true, timeout: 2000 }).catch(() => undefined);
        await page.waitForTimeout(200);
        const pwned = await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);
        expect(pwned, c.name).toBeUndefined();
        expect(dialogs, c.name).toEqual([]);
        expect(requests.filter((r) => r !== url), c.name).toEqual([]);
        expect(navigations.filter((n) => n !== url), c.name).toEqual([]);
        expect(new URL(page.url()).href.split('#')[0], c.name).toBe(url);
        expect(violations, c.name).toEqual([]);
        // The page's own script still ran (the CSP hash matches it): with a findings table, the filters are shown.
        if ((await page.locator('#findings-table').count()) > 0) expect(await page.locator('#filters').isVisible(), c.name).toBe(true);
      }
    } finally {
      await context.close();
    }
  }, 180_000);
});
