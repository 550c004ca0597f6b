// Renders the demo snapshot's HTML report and keeps a screenshot of it in docs/report-demo.png
// (the root causes and the first path), with Debian's Chromium: `npm run build && node scripts/report-screenshot.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-shot-'));
const html = path.join(work, 'demo.html');
execFileSync(process.execPath, [path.join(root, 'bin/negdoctor.js'), 'scan', '--snapshot', 'fixtures/demo/snapshot.json', '--format', 'html', '-o', html, '--fail-on', 'never'], { cwd: root, stdio: 'inherit' });
const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1320, height: 900 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(pathToFileURL(html).href);
  const card = await page.locator('article.path-card').first().boundingBox();
  const height = Math.ceil((card?.y ?? 1200) + (card?.height ?? 0) + 16);
  await page.screenshot({ path: path.join(root, 'docs/report-demo.png'), fullPage: true, clip: { x: 0, y: 0, width: 1320, height } });
  console.log(`docs/report-demo.png: 1320×${height}`);
} finally {
  await context.close();
  rmSync(work, { recursive: true, force: true });
}
