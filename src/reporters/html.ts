import type { RenderOptions, Report } from './report.js';

export function renderHtml(report: Report, options: RenderOptions): string {
  void report;
  void options;
  throw new Error('not yet');
}
