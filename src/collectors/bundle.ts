/**
 * The evidence bundle `negdoctor gather --run DIR` writes: one JSON file per
 * capture, named after its type, and `negdoctor-bundle.json` listing what was
 * captured, with which command, when, and what failed. `negdoctor lint DIR`
 * reads the list and types each file explicitly, so an empty list in the
 * bundle is evidence of none, and judges ages as of the capture time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '../util/values.js';
import { parseTypedInput, type ExplicitType } from './shapes.js';

export const BUNDLE_MANIFEST = 'negdoctor-bundle.json';
export const BUNDLE_KIND = 'EvidenceBundle';

export interface BundleEntry {
  /** File name inside the bundle directory (absent when the capture failed). */
  file?: string;
  /** Explicit input type, `TYPE[:QUALIFIER]` (see src/collectors/shapes.ts INPUT_TYPES). */
  type: string;
  /** The command line that captured it. */
  command: string;
  ok: boolean;
  /** Objects captured. */
  items?: number;
  error?: string;
  /** Why an empty answer stands in for a failed one (a CRD not installed: none of its objects exist). */
  note?: string;
}

export interface BundleManifest {
  apiVersion: 'negdoctor.dev/v1';
  kind: typeof BUNDLE_KIND;
  capturedAt: string;
  finishedAt: string;
  tool: { name: string; version: string };
  context?: string;
  namespace?: string;
  project?: string;
  location?: string;
  cluster?: string;
  captures: BundleEntry[];
}

/** The bundle manifest of a directory, if it has one; a malformed one is an error the caller reports. */
export function readBundleManifest(dir: string): BundleManifest | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, BUNDLE_MANIFEST), 'utf8');
  } catch {
    return undefined;
  }
  const file = path.join(dir, BUNDLE_MANIFEST);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(parsed) || parsed.kind !== BUNDLE_KIND || !Array.isArray(parsed.captures)) {
    throw new Error(`${file} is not a negdoctor evidence bundle manifest`);
  }
  // Bundles come from customers: every field read later is checked here, by name.
  const bad = (field: string, what: string) => new Error(`${file}: ${field} ${what}`);
  if (typeof parsed.capturedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(parsed.capturedAt) || Number.isNaN(Date.parse(parsed.capturedAt))) {
    throw bad('capturedAt', `must be an ISO 8601 time, not ${JSON.stringify(parsed.capturedAt) ?? 'undefined'}`);
  }
  parsed.captures.forEach((entry: unknown, i: number) => {
    const at = `captures[${i}]`;
    if (!isRecord(entry)) throw bad(at, `must be an object, not ${JSON.stringify(entry)}`);
    if (typeof entry.ok !== 'boolean') throw bad(`${at}.ok`, 'must be true or false');
    for (const key of ['type', 'command'] as const) if (typeof entry[key] !== 'string') throw bad(`${at}.${key}`, 'must be a string');
    for (const key of ['file', 'error', 'note'] as const) if (entry[key] !== undefined && typeof entry[key] !== 'string') throw bad(`${at}.${key}`, 'must be a string');
    if (typeof entry.file === 'string' && (path.isAbsolute(entry.file) || entry.file.split(/[\\/]/).includes('..'))) throw bad(`${at}.file`, 'must name a file inside the bundle');
  });
  return parsed as unknown as BundleManifest;
}

/** The explicit type of each captured file, by absolute path. */
export function bundleTypes(dir: string, manifest: BundleManifest): Map<string, ExplicitType> {
  const out = new Map<string, ExplicitType>();
  for (const entry of manifest.captures) {
    if (!entry.ok || !entry.file || !entry.type) continue;
    let typed;
    try {
      typed = parseTypedInput(`${entry.type}=${entry.file}`);
    } catch {
      continue; // a type this version does not know: the file is read by kind and shape instead
    }
    if (typed) out.set(path.resolve(dir, entry.file), typed.explicit);
  }
  return out;
}
