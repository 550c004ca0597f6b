/** The flags every report-producing command shares, as the commands receive them. */
import type { FORMATS } from '../reporters/index.js';

export interface CommonOptions {
  format: (typeof FORMATS)[number];
  output?: string;
  failOn: 'error' | 'warning' | 'info' | 'never';
  failOnExplicit: boolean;
  config?: string;
  enable: string[];
  disable: string[];
  color: boolean;
  quiet: boolean;
  baseline?: string;
}

export function commonOptions(raw: Record<string, unknown>): CommonOptions {
  const stdoutIsTty = Boolean(process.stdout.isTTY);
  const noColorEnv = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    format: raw.format as CommonOptions['format'],
    ...(raw.output ? { output: raw.output as string } : {}),
    failOn: (raw.failOn as CommonOptions['failOn']) ?? 'error',
    failOnExplicit: raw.failOn !== undefined,
    ...(raw.config ? { config: raw.config as string } : {}),
    enable: (raw.enable as string[]) ?? [],
    disable: (raw.disable as string[]) ?? [],
    color: raw.color !== false && !noColorEnv && stdoutIsTty && !raw.output,
    quiet: Boolean(raw.quiet),
    ...(raw.baseline ? { baseline: raw.baseline as string } : {}),
  };
}


/**
 * Clusters collected at once by default (--concurrency): each collection
 * already runs 6 Kubernetes lists and 8 Google Cloud calls in parallel, so 4
 * clusters is about 60 requests in flight, comfortable for a laptop.
 */
export const DEFAULT_CLUSTER_CONCURRENCY = 4;
