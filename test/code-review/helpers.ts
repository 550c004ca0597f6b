/** Shared by the code-review tests: run the real pipeline on files and build a Report. */
import path from 'node:path';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { manifestSnapshot } from '../../src/collectors/manifests/snapshot.js';
import { resolveConfig } from '../../src/config/config.js';
import { runRules } from '../../src/engine.js';
import type { Report } from '../../src/reporters/report.js';
import { RULES } from '../../src/rules/index.js';
import type { Snapshot } from '../../src/snapshot/types.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const TOOL = { name: 'negdoctor', version: '0.1.0' };

/** Lints `inputs` (relative to `cwd`) with every rule, as `negdoctor lint` does. */
export async function lintReport(inputs: string[], options: { cwd?: string; config?: Record<string, unknown>; now?: string } = {}): Promise<Report> {
  const cwd = options.cwd ?? REPO;
  const collection = await collectManifests(inputs, { cwd });
  const now = options.now ? new Date(options.now) : undefined;
  const snapshot = manifestSnapshot(collection, { tool: TOOL, ...(now ? { now } : {}) });
  const config = resolveConfig(RULES, options.config ?? {}, undefined);
  const result = runRules(snapshot, { rules: RULES, config, locator: collection.sources, ...(now ? { now } : {}) });
  return { tool: TOOL, snapshot, result, rules: RULES, sources: collection.sources };
}

/** A report on a live snapshot: findings carry objects but no file positions. */
export function snapshotReport(snapshot: Snapshot): Report {
  const config = resolveConfig(RULES, {}, undefined);
  const result = runRules(snapshot, { rules: RULES, config });
  return { tool: TOOL, snapshot, result, rules: RULES };
}
