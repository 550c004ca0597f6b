/** Reporter dispatch: each format's module is loaded only when asked for. */
import type { RenderOptions, Report } from './report.js';

export const FORMATS = ['text', 'json', 'sarif', 'github', 'junit', 'markdown', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export async function render(format: Format, report: Report, options: RenderOptions): Promise<string> {
  switch (format) {
    case 'text':
      return (await import('./text.js')).renderText(report, options);
    case 'json':
      return (await import('./json.js')).renderJson(report);
    case 'sarif':
      return (await import('./sarif.js')).renderSarif(report, options);
    case 'github':
      return (await import('./github.js')).renderGithub(report, options);
    case 'junit':
      return (await import('./junit.js')).renderJunit(report, options);
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdown(report, options);
    case 'html':
      return (await import('./html.js')).renderHtml(report, options);
  }
}

/**
 * The report as pieces to write one after the other: JSON comes one finding
 * at a time (a large lint never holds its whole text); every other format is
 * one piece.
 */
export async function renderPieces(format: Format, report: Report, options: RenderOptions): Promise<Iterable<string>> {
  if (format === 'json') return (await import('./json.js')).renderJsonChunks(report);
  return [await render(format, report, options)];
}
