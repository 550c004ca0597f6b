/**
 * Baseline files: the findings a team has accepted for now. Matching is by
 * fingerprint (rule + object identity + field path), so a finding stays
 * baselined when lines move; rule, object and file are kept for humans.
 */
import { promises as fs } from 'node:fs';
import { CliError, EXIT } from './exit.js';
import type { Finding } from './findings.js';

export const BASELINE_KIND = 'negdoctor-baseline';
export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  /** "Deployment shop/storefront", for people reading the file. */
  object: string | null;
  path: string;
  file: string | null;
  message: string;
}

export interface BaselineFile {
  kind: typeof BASELINE_KIND;
  version: typeof BASELINE_VERSION;
  tool: { name: string; version: string };
  createdAt: string;
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

export function buildBaseline(findings: Finding[], tool: { name: string; version: string }, now = new Date()): BaselineFile {
  const entries = findings
    .map((f) => ({
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      object: f.object ? `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}` : null,
      path: f.path,
      file: f.location?.file ?? null,
      message: f.message,
    }))
    .sort((a, b) => (a.ruleId + a.fingerprint < b.ruleId + b.fingerprint ? -1 : 1));
  return { kind: BASELINE_KIND, version: BASELINE_VERSION, tool, createdAt: now.toISOString(), findings: entries };
}

export function serializeBaseline(baseline: BaselineFile): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** Parses a baseline; any other file is a BaselineError that says what is wrong. */
export function parseBaseline(text: string, file: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new BaselineError(`${file} is not a negdoctor baseline: not JSON (${(error as Error).message}); write one with \`negdoctor baseline -o ${file}\``);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BaselineError(`${file} is not a negdoctor baseline: expected a JSON object with "kind": "${BASELINE_KIND}"`);
  }
  const record = data as Record<string, unknown>;
  if (record.kind !== BASELINE_KIND) {
    const what = record.version === '2.1.0' && Array.isArray(record.runs) ? ' (it is a SARIF log)' : record.kind === 'Snapshot' ? ' (it is a snapshot)' : '';
    throw new BaselineError(`${file} is not a negdoctor baseline${what}: "kind" is ${JSON.stringify(record.kind)}, expected "${BASELINE_KIND}"`);
  }
  if (record.version !== BASELINE_VERSION) {
    throw new BaselineError(`${file}: baseline version ${JSON.stringify(record.version)} is not supported; this negdoctor reads version ${BASELINE_VERSION}`);
  }
  if (!Array.isArray(record.findings)) throw new BaselineError(`${file}: "findings" must be a list`);
  const fingerprints = new Set<string>();
  record.findings.forEach((entry, i) => {
    const fp = (entry as { fingerprint?: unknown } | null)?.fingerprint;
    if (typeof fp !== 'string' || fp === '') throw new BaselineError(`${file}: findings[${i}] has no "fingerprint" string`);
    fingerprints.add(fp);
  });
  return fingerprints;
}

export async function readBaseline(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(`cannot read baseline ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseBaseline(text, file);
}

/** For commands: a bad baseline is a usage error (exit 2). */
export async function readBaselineOrExit(file: string): Promise<Set<string>> {
  try {
    return await readBaseline(file);
  } catch (error) {
    if (error instanceof BaselineError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}
