/**
 * Entry of the ink progress view. `scan` imports this module lazily, and only
 * when it draws on a terminal (ink and react cost ~0.4 s to load).
 */
import { render } from 'ink';
import type { CollectionProgress } from '../../collectors/progress.js';
import { ProgressTracker, type FinishedState, type Section } from './tracker.js';
import { ProgressView } from './view.js';

export interface ProgressViewHandle {
  sink(section: Section): CollectionProgress;
  /** Draws the final frame and unmounts; `undefined` when collection failed as a whole. */
  finish(result: FinishedState | undefined): Promise<void>;
}

export async function startProgressView(options: { stream: NodeJS.WriteStream; cloud: boolean; refreshMs?: number }): Promise<ProgressViewHandle> {
  const tracker = new ProgressTracker();
  const frame = () => <ProgressView state={tracker.state()} cloud={options.cloud} />;
  const instance = render(frame(), {
    stdout: options.stream,
    stderr: options.stream,
    // Ctrl-C stays a plain SIGINT: the view never puts stdin in raw mode.
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const timer = setInterval(() => instance.rerender(frame()), options.refreshMs ?? 100);
  timer.unref();
  return {
    sink: (section) => tracker.sink(section),
    finish: async (result) => {
      clearInterval(timer);
      tracker.finish(result);
      instance.rerender(frame());
      instance.unmount();
      await instance.waitUntilExit();
      // A blank line between the summary and the report (ink trims trailing empty lines of a frame).
      options.stream.write('\n');
    },
  };
}
