/**
 * Autofix planning and application: findings that carry a fix are bound to
 * the YAML document of their object, conflicting edits are resolved or
 * refused, and each file is rewritten only when it is a regular, writable
 * file that parses cleanly and has not changed since it was read.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { objectRef } from '../engine.js';
import type { Finding, Fix, ObjectRef } from '../findings.js';
import type { Snapshot, SnapshotObject } from '../snapshot/types.js';
import { FileFixer, UnsafeEdit, type FixRequest } from './edit.js';

export { applyFix, FileFixer, UnsafeEdit, type FixRequest, type TextEdit } from './edit.js';

export interface PlannedFix extends FixRequest {
  file: string;
  finding: Finding;
}

export interface NotFixed {
  finding: Finding;
  file?: string;
  reason: string;
}

export interface FixPlan {
  byFile: Map<string, PlannedFix[]>;
  notFixed: NotFixed[];
}

/** Binds every fixable finding to its object's document. */
export function planFixes(snapshot: Snapshot, findings: Finding[]): FixPlan {
  const plan: FixPlan = { byFile: new Map(), notFixed: [] };
  for (const finding of findings) {
    const request = requestFor(snapshot, finding);
    if (typeof request === 'string') {
      if (finding.fix) plan.notFixed.push({ finding, ...(finding.location ? { file: finding.location.file } : {}), reason: request });
      continue;
    }
    const list = plan.byFile.get(request.file);
    if (list) list.push(request);
    else plan.byFile.set(request.file, [request]);
  }
  for (const [file, list] of plan.byFile) plan.byFile.set(file, resolveConflicts(list, plan.notFixed));
  return plan;
}

/** The fix request of one finding, or why there is none. */
export function requestFor(snapshot: Snapshot, finding: Finding): PlannedFix | string {
  if (!finding.fix || finding.fix.edits.length === 0) return 'no autofix';
  if (!finding.object || !finding.location) return 'the finding has no source file';
  const file = finding.location.file;
  if (file === '<stdin>') return 'input from stdin cannot be fixed in place';
  const ref = finding.object;
  const matches = sourceObjects(snapshot).get(sourceKey(file, ref)) ?? [];
  if (matches.length !== 1) return matches.length === 0 ? 'its object is not in a source file' : `${file} holds ${ref.kind} ${ref.name} more than once`;
  const source = matches[0]!.source!;
  return { file, documentIndex: source.documentIndex, base: source.path, fix: finding.fix, finding };
}

const sourceIndexes = new WeakMap<Snapshot, Map<string, SnapshotObject[]>>();

/** The objects read from files, by file and identity: one lookup per finding instead of a scan of every object. */
function sourceObjects(snapshot: Snapshot): Map<string, SnapshotObject[]> {
  let index = sourceIndexes.get(snapshot);
  if (!index) {
    index = new Map();
    for (const o of snapshot.objects) {
      if (!o.source) continue;
      const key = sourceKey(o.source.file, objectRef(o));
      const list = index.get(key);
      if (list) list.push(o);
      else index.set(key, [o]);
    }
    sourceIndexes.set(snapshot, index);
  }
  return index;
}

function sourceKey(file: string, ref: ObjectRef): string {
  return JSON.stringify([file, ref.apiVersion, ref.kind, ref.namespace, ref.name]);
}

/**
 * Two fixes may set the same field: the larger of two numbers wins (every
 * numeric fix raises a duration or sets a floor), equal values merge, and
 * anything else keeps the first fix and reports the other.
 */
function resolveConflicts(list: PlannedFix[], notFixed: NotFixed[]): PlannedFix[] {
  const values = new Map<string, unknown>();
  const key = (p: PlannedFix, editPath: Array<string | number>) => JSON.stringify([p.documentIndex, ...p.base, ...editPath]);
  for (const p of list) {
    for (const edit of p.fix.edits) {
      if (edit.op !== 'set') continue;
      const k = key(p, edit.path);
      const prev = values.get(k);
      if (typeof prev === 'number' && typeof edit.value === 'number') values.set(k, Math.max(prev, edit.value));
      else if (!values.has(k)) values.set(k, edit.value);
    }
  }
  const out: PlannedFix[] = [];
  for (const p of list) {
    const conflict = p.fix.edits.find((e) => e.op === 'set' && JSON.stringify(values.get(key(p, e.path))) !== JSON.stringify(e.value) && typeof e.value !== 'number');
    if (conflict) {
      notFixed.push({ finding: p.finding, file: p.file, reason: `another fix sets ${conflict.path.join('.')} to a different value` });
      continue;
    }
    const edits = p.fix.edits.map((e) => (e.op === 'set' ? { ...e, value: values.get(key(p, e.path)) } : e));
    const raised = edits.find((e, i) => e.op === 'set' && JSON.stringify(e.value) !== JSON.stringify((p.fix.edits[i] as { value?: unknown }).value));
    const fix: Fix = {
      description: raised && raised.op === 'set' ? `${p.fix.description} (${String(raised.path[raised.path.length - 1])} ${JSON.stringify(raised.value)}, to satisfy another fix as well)` : p.fix.description,
      edits,
    };
    out.push({ ...p, fix });
  }
  return out;
}

export interface FileFixResult {
  file: string;
  before: string;
  after: string;
  applied: PlannedFix[];
  notFixed: NotFixed[];
}

/** Applies a file's fixes to its text, one fix at a time; an unsafe fix is reported and skipped. */
export function fixText(file: string, text: string, fixes: PlannedFix[]): FileFixResult {
  const result: FileFixResult = { file, before: text, after: text, applied: [], notFixed: [] };
  const fixer = new FileFixer(text);
  for (const planned of fixes) {
    try {
      fixer.apply(planned);
      result.applied.push(planned);
    } catch (error) {
      // Anything unexpected is still a refusal of this one fix, never a half-edited file.
      const reason = error instanceof UnsafeEdit ? error.message : `internal error: ${(error as Error).message}`;
      result.notFixed.push({ finding: planned.finding, file, reason });
    }
  }
  if (result.applied.length > 0) result.after = fixer.text;
  return result;
}

/** Why a file must not be rewritten, or undefined when it may be. */
export async function refusalFor(absolute: string, options: { writing: boolean }): Promise<string | undefined> {
  let stat;
  try {
    stat = await fs.lstat(absolute);
  } catch (error) {
    return `cannot read it: ${(error as Error).message}`;
  }
  if (stat.isSymbolicLink()) return 'it is a symbolic link; fix the file it points to instead';
  if (!stat.isFile()) return 'it is not a regular file';
  if (options.writing) {
    if ((stat.mode & 0o222) === 0) return 'it is read-only';
    try {
      await fs.access(absolute, fsConstants.W_OK);
    } catch {
      return 'it is not writable';
    }
  }
  return undefined;
}

/**
 * Writes the new text only if the file still holds exactly the text the fixes
 * were computed from; the replacement is atomic (a temporary file renamed
 * over it) and keeps the file's mode.
 */
export async function writeIfUnchanged(absolute: string, expectedBefore: string, after: string): Promise<string | undefined> {
  let current: string;
  try {
    current = await fs.readFile(absolute, 'utf8');
  } catch (error) {
    return `cannot read it again: ${(error as Error).message}`;
  }
  // The collector reads text without its byte-order mark; keep the mark on write.
  const bom = current.startsWith('\uFEFF') ? '\uFEFF' : '';
  if (current.slice(bom.length) !== expectedBefore) return 'it changed since it was read; run negdoctor fix again';
  const stat = await fs.stat(absolute);
  const temp = path.join(path.dirname(absolute), `.${path.basename(absolute)}.negdoctor-${process.pid}.tmp`);
  try {
    await fs.writeFile(temp, bom + after, { mode: stat.mode & 0o7777, flag: 'wx' });
    await fs.rename(temp, absolute);
  } catch (error) {
    await fs.rm(temp, { force: true });
    return `cannot write it: ${(error as Error).message}`;
  }
  return undefined;
}
