/**
 * The real terminal path of `scan`, once: the built CLI in a tmux pane (a
 * real pty with a width), against the fakes. The ink progress view must be
 * drawn while collecting, then replaced by a one-line summary followed by
 * the text report. Skipped, saying why, where tmux is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './cli.js';
import { startFakes, type Fakes } from './live-harness.js';

const hasTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
if (!hasTmux) console.warn('scan-tty: tmux is not installed; skipping the real-terminal test of the ink progress view (apt-get install tmux to run it)');

const SOCKET = `negdoctor-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

let fakes: Fakes | undefined;
afterAll(async () => {
  // Only our own tmux server, by its private socket.
  if (hasTmux) tmux('kill-server');
  await fakes?.close();
});

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('scan on a terminal (tmux)', () => {
  it.skipIf(!hasTmux)('draws the progress view while collecting, then the summary and the text report', async () => {
    // Latency so that the view has time to be seen mid-collection.
    fakes = await startFakes({ kubeLatencyMs: 400 });
    const env = { ...fakes.env, NO_COLOR: '1', METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:9', PATH: process.env.PATH ?? '' };
    const script = path.join(fakes.dir, 'run.sh');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `cd ${shellQuote(ROOT)}`,
        // ink draws only the last frame when it believes it runs in CI.
        `env -i ${Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')} TERM=xterm-256color ${shellQuote(process.execPath)} ${shellQuote(BIN)} scan --kubeconfig ${shellQuote(fakes.kubeconfig)} -A`,
        'echo "EXIT=$?"',
        'sleep 600',
      ].join('\n'),
    );
    execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', 'scan', '-x', '200', '-y', '80', `sh ${shellQuote(script)}`]);
    const frames: string[] = [];
    const deadline = Date.now() + 120_000;
    let screen = '';
    while (Date.now() < deadline) {
      screen = tmux('capture-pane', '-p', '-t', 'scan', '-S', '-500').stdout;
      frames.push(screen);
      if (/EXIT=\d+/.test(screen)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(screen).toMatch(/EXIT=1/);
    // Mid-collection: the per-kind view, with a row still running and one done.
    const live = frames.find((f) => f.includes('collecting…') && /✓ \S+\s+\d+ pages?\s+\d+ objects?/.test(f));
    expect(live, 'a frame of the progress view with a finished list').toBeDefined();
    expect(live).toMatch(/Kubernetes/);
    expect(live).toMatch(/… \S+/);
    // At the end: the view is replaced by its summary, the report follows on the same screen.
    expect(screen).toMatch(/✓ Collected \d+ objects from \d+ lists in [\d.]+ s/);
    expect(screen).not.toContain('collecting…');
    expect(screen).toMatch(/^Coverage: \d+ rules evaluated/m);
    expect(screen.indexOf('Collected')).toBeLessThan(screen.indexOf('Coverage:'));
  }, 180_000);
});
