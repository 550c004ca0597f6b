/**
 * Layout regressions of the HTML report (issue 25): the demo at 1400 px and
 * 900 px wide in headless Chromium, the top 1600 px compared with the images
 * committed in test/e2e/screenshots/. Chromium itself decodes both images
 * (into a canvas on a blank page) and counts the pixels that differ by more
 * than a small amount in any channel; up to 0.5 % may (anti-aliasing, font
 * hinting). UPDATE_SCREENSHOTS=1 rewrites the images after a deliberate change.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI installs it from .ci/debian-packages.txt`);
const SHOTS = path.join(import.meta.dirname, 'screenshots');
const HEIGHT = 1600;
/** A pixel differs when a channel moves by more than this (of 255). */
const CHANNEL_TOLERANCE = 48;
const MAX_DIFFERING = 0.005;

const work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-shots-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!available)('html report screenshots', () => {
  it('the demo at 1400 px and 900 px matches the committed images', async () => {
    const file = path.join(work, 'demo.html');
    const run = runCli(['scan', '--snapshot', 'fixtures/demo/snapshot.json', '--format', 'html', '-o', file, '--fail-on', 'never']);
    expect(run.status).toBe(0);
    const context = await chromium.launchPersistentContext(mkdtempSync(path.join(work, 'profile-')), { executablePath: CHROMIUM, headless: true, args: FLAGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      for (const width of [1400, 900]) {
        await page.setViewportSize({ width, height: HEIGHT });
        await page.goto(pathToFileURL(file).href);
        const shot = await page.screenshot();
        const expected = path.join(SHOTS, `demo-${width}.png`);
        if (process.env.UPDATE_SCREENSHOTS === '1') writeFileSync(expected, shot);
        const compare = await context.newPage();
        const result = await compare.evaluate(
          async ([a, b, tolerance]) => {
            const load = (src: string) =>
              new Promise<HTMLImageElement>((resolve, reject) => {
                const img = new Image();
                img.onload = () => resolve(img);
                img.onerror = () => reject(new Error('undecodable image'));
                img.src = src;
              });
            const [x, y] = await Promise.all([load(a as string), load(b as string)]);
            if (x.width !== y.width || x.height !== y.height) return { size: `${x.width}x${x.height} vs ${y.width}x${y.height}`, differing: 1 };
            const pixels = (img: HTMLImageElement) => {
              const canvas = document.createElement('canvas');
              canvas.width = img.width;
              canvas.height = img.height;
              const ctx = canvas.getContext('2d')!;
              ctx.drawImage(img, 0, 0);
              return ctx.getImageData(0, 0, img.width, img.height).data;
            };
            const p = pixels(x);
            const q = pixels(y);
            let differing = 0;
            for (let i = 0; i < p.length; i += 4) {
              if (Math.abs(p[i]! - q[i]!) > (tolerance as number) || Math.abs(p[i + 1]! - q[i + 1]!) > (tolerance as number) || Math.abs(p[i + 2]! - q[i + 2]!) > (tolerance as number)) differing++;
            }
            return { size: 'same', differing: differing / (p.length / 4) };
          },
          [`data:image/png;base64,${shot.toString('base64')}`, `data:image/png;base64,${readFileSync(expected).toString('base64')}`, CHANNEL_TOLERANCE] as const,
        );
        await compare.close();
        if (result.differing > MAX_DIFFERING) writeFileSync(path.join(SHOTS, `demo-${width}.actual.png`), shot);
        expect(result.size, `${width} px`).toBe('same');
        expect(result.differing, `${width} px: share of pixels that differ (the actual image is written next to the expected one)`).toBeLessThanOrEqual(MAX_DIFFERING);
      }
    } finally {
      await context.close();
    }
  }, 90_000);
});
