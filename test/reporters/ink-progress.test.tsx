/**
 * The ink progress view of `scan`, rendered with ink-testing-library, fed by
 * the real Kubernetes collector against the fake API server; and the rule
 * that decides when the view is drawn at all.
 */
import { readFileSync } from 'node:fs';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { collectKube } from '../../src/collectors/kube/index.js';
import { wantsProgressView } from '../../src/commands/scan.js';
import { ProgressTracker, type ProgressState } from '../../src/reporters/ink/tracker.js';
import { ProgressView } from '../../src/reporters/ink/view.js';
import { startKubeFake, statusBody, type FakeKubeObject, type KubeFake } from '../fakes/kube-server.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/snapshots/kube-basic.json', import.meta.url), 'utf8')) as { objects: Array<{ object: FakeKubeObject }> };

let fake: KubeFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('ProgressView', () => {
  it('shows one line per resource kind with pages, objects, retries and errors while collecting', () => {
    const c = clock();
    const tracker = new ProgressTracker(c.now);
    const kube = tracker.sink('kube');
    kube.onStart!('pods');
    kube.onPage!('pods', 500);
    kube.onPage!('pods', 120);
    kube.onRetry!('pods', 1, 200, new Error('429'));
    kube.onStart!('services');
    kube.onPage!('services', 3);
    kube.onDone!('services', 3);
    kube.onStart!('events');
    kube.onError!('events', '403 Forbidden: events is forbidden (needs list on events)');
    c.advance(1_250);
    const { lastFrame } = render(<ProgressView state={tracker.state()} />);
    const frame = lastFrame()!;
    expect(frame).toContain('collecting… 1.3 s');
    expect(frame).toMatch(/… pods\s+2 pages\s+620 objects\s+1 retry/);
    expect(frame).toMatch(/✓ services\s+1 page\s+3 objects/);
    expect(frame).toMatch(/✗ events\s+0 objects\s+1 error/);
    expect(frame).toContain('403 Forbidden: events is forbidden (needs list on events)');
    expect(frame).toContain('Google Cloud');
    expect(frame).toContain('waiting');
  });

  it('leaves only a summary line and the errors once collection is over', () => {
    const tracker = new ProgressTracker(clock().now);
    const kube = tracker.sink('kube');
    kube.onStart!('pods');
    kube.onPage!('pods', 4);
    kube.onDone!('pods', 4);
    tracker.sink('gcp').onRetry!('firewalls', 1, 200, new Error('500'));
    tracker.sink('gcp').onDone!('firewalls', 6);
    tracker.finish({ errors: ['Kubernetes: listing events in all namespaces: 403 Forbidden'] });
    const frame = render(<ProgressView state={tracker.state()} />).lastFrame()!;
    expect(frame).toMatch(/Collected 10 objects from 2 lists in 0\.0 s — 1 error, 1 retry/);
    expect(frame).toContain('Kubernetes: listing events in all namespaces: 403 Forbidden');
    expect(frame).toContain('reported as not evaluated');
    expect(frame).not.toContain('pods');
  });

  it('says when collection failed as a whole', () => {
    const tracker = new ProgressTracker(clock().now);
    tracker.finish(undefined);
    expect(render(<ProgressView state={tracker.state()} />).lastFrame()).toContain('Collection failed');
  });

  it('hides the Google Cloud section with --no-cloud', () => {
    const state: ProgressState = { rows: [], elapsedMs: 0 };
    const frame = render(<ProgressView state={state} cloud={false} />).lastFrame()!;
    expect(frame).toContain('Kubernetes');
    expect(frame).not.toContain('Google Cloud');
  });

  it('renders what the real collector reports against the fake API server', async () => {
    fake = await startKubeFake(fixture.objects.map((o) => o.object));
    fake.faults.push({ match: /^\/api\/v1\/services$/, status: 500, body: statusBody(500, 'InternalError', 'try again'), times: 1 });
    fake.faults.push({ match: /^\/api\/v1\/nodes$/, status: 403, body: statusBody(403, 'Forbidden', 'nodes is forbidden') });
    const tracker = new ProgressTracker();
    const frames: string[] = [];
    const { lastFrame, rerender } = render(<ProgressView state={tracker.state()} />);
    const sink = tracker.sink('kube');
    // Re-render on every event, as the live view's timer would.
    const redraw = () => {
      rerender(<ProgressView state={tracker.state()} />);
      frames.push(lastFrame()!);
    };
    const progress = Object.fromEntries(
      Object.entries(sink).map(([k, fn]) => [k, (...args: unknown[]) => ((fn as (...a: unknown[]) => void)(...args), redraw())]),
    );
    const result = await collectKube(
      { kubeconfig: fake.writeKubeconfig(), allNamespaces: true, pageSize: 2, timeoutMs: 10_000, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 50 } },
      progress,
    );
    const pods = result.objects.filter((o) => o.kind === 'Pod').length;
    const frame = lastFrame()!;
    expect(frame).toMatch(new RegExp(`✓ pods\\s+${Math.ceil(pods / 2)} pages\\s+${pods} objects`));
    expect(frame).toMatch(/✓ services\s+2 pages\s+3 objects\s+1 retry/);
    expect(frame).toMatch(/✗ nodes\s+0 objects\s+1 error/);
    expect(frame).toContain('403 Forbidden: nodes is forbidden');
    // It was drawn while collecting, not just at the end.
    expect(frames.some((f) => f.includes('… '))).toBe(true);
  });
});

describe('when the view is drawn', () => {
  const tty = (columns: number) => ({ isTTY: true, columns });
  const pipe = { isTTY: false };
  const text = { format: 'text' as const, quiet: false };

  it('only on a terminal with a width, for the text report', () => {
    expect(wantsProgressView(text, { stdout: tty(120), stderr: tty(120) })).toBe(true);
    expect(wantsProgressView(text, { stdout: pipe, stderr: tty(120) })).toBe(false);
    expect(wantsProgressView(text, { stdout: tty(120), stderr: pipe })).toBe(false);
    expect(wantsProgressView(text, { stdout: tty(0), stderr: tty(0) })).toBe(false);
    expect(wantsProgressView({ format: 'json', quiet: false }, { stdout: tty(120), stderr: tty(120) })).toBe(false);
    expect(wantsProgressView({ format: 'sarif', quiet: false }, { stdout: tty(120), stderr: tty(120) })).toBe(false);
    expect(wantsProgressView({ format: 'text', quiet: true }, { stdout: tty(120), stderr: tty(120) })).toBe(false);
  });
});
