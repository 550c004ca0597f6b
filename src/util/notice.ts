/**
 * The one writer of negdoctor's notices on stderr (warnings, progress lines,
 * one-line errors). Notices carry file names, config values, bundle-manifest
 * fields and API messages: each is written as one line with its control
 * characters shown as escapes, so none can start a GitHub workflow command
 * or drive the terminal.
 */
import { visibleControls } from './control-chars.js';

export function noticeLine(message: string): string {
  return `negdoctor: ${visibleControls(message)}\n`;
}

export function notice(message: string, stream: { write(text: string): unknown } = process.stderr): void {
  stream.write(noticeLine(message));
}
