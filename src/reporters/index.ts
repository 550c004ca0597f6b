/** Reporter dispatch: each format's module is loaded only when asked for. */
import type { RenderOptions, Report } from './report.js';

export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export async function render(format: Format, report: Report, options: RenderOptions): Promise<string> {
  switch (format) {
    case 'text':
      return (await import('./text.js')).renderText(report, options);
    case 'json':
      return (await import('./json.js')).renderJson(report);
  }
}
