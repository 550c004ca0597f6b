/**
 * Snapshot files: `negdoctor snapshot -o FILE` writes one, `negdoctor scan
 * --snapshot FILE` reads it back. Every problem with a file (unreadable, not
 * JSON, another apiVersion or kind, a wrong shape) is a SnapshotError with a
 * message the CLI prints as is (exit 2), never a stack trace.
 * `FILE.gz` is gzip-compressed both ways; `-` is stdin/stdout.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { snapshotSchemaErrors } from './schema.js';
import { SNAPSHOT_API_VERSION, SNAPSHOT_KIND, type Snapshot } from './types.js';

export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** Reads, parses and validates a snapshot file. */
export async function loadSnapshot(file: string): Promise<Snapshot> {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readStdin() : await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new SnapshotError(`cannot read snapshot ${file}: ${why}`, file);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new SnapshotError(`cannot read snapshot ${file}: corrupt gzip data (${(error as Error).message})`, file);
    }
  }
  return parseSnapshot(bytes.toString('utf8'), file);
}

/** Parses and validates snapshot JSON text. */
export function parseSnapshot(text: string, file = '<snapshot>'): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const trimmed = text.trimStart();
    const hint = /^(apiVersion|kind|---|#)/.test(trimmed) ? ' (it looks like YAML: to diagnose manifests or kubectl dumps, use `negdoctor lint`)' : '';
    throw new SnapshotError(`${file} is not valid JSON: ${(error as Error).message}${hint}`, file);
  }
  return validateSnapshot(value, file);
}

/** Checks apiVersion, kind and shape; fills the optional bookkeeping fields an older or hand-written snapshot may lack. */
export function validateSnapshot(value: unknown, file = '<snapshot>'): Snapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SnapshotError(`${file} is not a negdoctor snapshot: expected a JSON object with apiVersion ${SNAPSHOT_API_VERSION} and kind ${SNAPSHOT_KIND}`, file);
  }
  const record = value as Record<string, unknown>;
  if (record.kind !== SNAPSHOT_KIND) {
    const kind = record.kind === undefined ? 'no kind' : `kind ${JSON.stringify(record.kind)}`;
    const hint = typeof record.kind === 'string' && record.kind !== '' ? ' (to diagnose Kubernetes objects or kubectl dumps, use `negdoctor lint`)' : '';
    throw new SnapshotError(`${file} is not a negdoctor snapshot: it has ${kind}, expected kind ${SNAPSHOT_KIND}${hint}`, file);
  }
  if (record.apiVersion !== SNAPSHOT_API_VERSION) {
    const found = record.apiVersion === undefined ? 'no apiVersion' : `apiVersion ${JSON.stringify(record.apiVersion)}`;
    const newer = typeof record.apiVersion === 'string' && /^negdoctor\.dev\/v\d+/.test(record.apiVersion);
    throw new SnapshotError(
      `${file} has ${found}; this negdoctor reads snapshots of apiVersion ${SNAPSHOT_API_VERSION}${newer ? ' (it was written by another negdoctor version: use that version, or take a new snapshot)' : ''}`,
      file,
    );
  }
  const errors = snapshotSchemaErrors(value);
  if (errors.length > 0) {
    throw new SnapshotError(`${file} is not a valid ${SNAPSHOT_API_VERSION} snapshot:\n  ${errors.join('\n  ')}`, file);
  }
  if (Number.isNaN(Date.parse(record.collectedAt as string))) {
    throw new SnapshotError(`${file} is not a valid ${SNAPSHOT_API_VERSION} snapshot:\n  /collectedAt: ${JSON.stringify(record.collectedAt)} is not an ISO 8601 time`, file);
  }
  const snapshot = value as Snapshot;
  snapshot.tool ??= { name: 'negdoctor', version: 'unknown' };
  snapshot.errors ??= [];
  snapshot.inputs ??= { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] };
  // Ids are positions in `objects`; a hand-edited file may have lost them.
  snapshot.objects.forEach((obj, index) => {
    obj.id = index;
  });
  return snapshot;
}

/** Snapshot JSON as written to files: stable, indented, one trailing newline. */
export function serializeSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/** Writes a snapshot atomically (temporary file, then rename); `.gz` compresses, `-` writes to stdout. */
export async function saveSnapshot(snapshot: Snapshot, file: string): Promise<void> {
  const text = serializeSnapshot(snapshot);
  if (file === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
    return;
  }
  const data = file.endsWith('.gz') ? gzipSync(text) : Buffer.from(text, 'utf8');
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(temp, data, { mode: 0o600 });
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new SnapshotError(`cannot write snapshot ${file}: ${why}`, file);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
