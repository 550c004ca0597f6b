/**
 * The fast path for log dumps: a `gcloud logging read --format=json` array of
 * 100,000 entries is 60 MB, which the YAML parser would hold at twenty times
 * its size. A file that looks like Cloud Logging entries is instead split into
 * its entries on the raw bytes, each entry parsed with JSON.parse and reduced
 * at once (src/collectors/logs/entries.ts), so only the file's bytes and the
 * reduced records are held at the same time.
 *
 * Forms: a JSON array of entries (gcloud), an entries.list answer
 * `{"entries": […], "nextPageToken": …}` (or an array of such pages), JSON
 * Lines (log sinks, `jq -c`). Anything else returns undefined and takes the
 * ordinary path (which recognises trimmed entries by shape, YAML included).
 */
import { isRecord } from '../../util/values.js';
import { addEntry, entryKind, type LogCollection } from './entries.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

export type LogReadResult = { ok: true; entries: number } | { ok: false; message: string };

function firstByte(data: Buffer): number {
  let i = 0;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) i = 3;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d)) i++;
  return i;
}

/** Whether the start of a file looks like Cloud Logging entries. */
function looksLikeLogs(data: Buffer, start: number): boolean {
  const c = data[start];
  if (c !== OPEN_BRACKET && c !== OPEN_BRACE) return false;
  const head = data.toString('latin1', start, Math.min(data.length, start + 16384));
  return /"(?:logName|insertId)"\s*:/.test(head) && /"(?:httpRequest|healthCheckProbeResult|resource)"\s*:/.test(head);
}

/** Adds an entry or the entries of an entries.list page; false when the value is neither. */
function take(logs: LogCollection, value: unknown): number | undefined {
  if (isRecord(value) && Array.isArray(value.entries) && entryKind(value) === undefined) {
    let n = 0;
    for (const entry of value.entries) if (addEntry(logs, entry)) n++;
    return n;
  }
  return addEntry(logs, value) ? 1 : undefined;
}

/**
 * Reads a buffer of log entries into `logs`. Undefined when the buffer is not
 * log entries (its first entry is not one): nothing was added then.
 */
export function readLogBuffer(data: Buffer, logs: LogCollection): LogReadResult | undefined {
  const start = firstByte(data);
  if (!looksLikeLogs(data, start)) return undefined;
  try {
    const lineEnd = data.indexOf(NEWLINE, start);
    const firstLine = lineEnd < 0 ? undefined : data.toString('utf8', start, lineEnd).trim();
    if (firstLine && firstLine.startsWith('{') && firstLine.endsWith('}') && isJson(firstLine)) return readLines(data, start, logs);
    if (data[start] === OPEN_BRACE) {
      const n = take(logs, JSON.parse(data.toString('utf8', start)));
      return n === undefined ? undefined : { ok: true, entries: n };
    }
    return readArray(data, start, logs);
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${(error as Error).message}` };
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function readLines(data: Buffer, start: number, logs: LogCollection): LogReadResult | undefined {
  let entries = 0;
  let pos = start;
  let line = 0;
  while (pos < data.length) {
    let end = data.indexOf(NEWLINE, pos);
    if (end < 0) end = data.length;
    line++;
    const text = data.toString('utf8', pos, end).trim();
    pos = end + 1;
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, message: `line ${line}: not valid JSON: ${(error as Error).message}` };
    }
    const n = take(logs, value);
    if (n === undefined && entries === 0) return undefined;
    entries += n ?? 0;
  }
  return { ok: true, entries };
}

/** Splits the top-level array into its elements on the bytes and parses each alone. */
function readArray(data: Buffer, start: number, logs: LogCollection): LogReadResult | undefined {
  let depth = 0;
  let inString = false;
  let elementStart = -1;
  let entries = 0;
  const length = data.length;
  for (let i = start; i < length; i++) {
    const c = data[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth === 2) elementStart = i;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 2) {
        const n = take(logs, JSON.parse(data.toString('utf8', elementStart, i + 1)));
        if (n === undefined && entries === 0) return undefined;
        entries += n ?? 0;
      }
      depth--;
      if (depth === 0) return { ok: true, entries };
    }
  }
  return { ok: false, message: 'not valid JSON: the array is not closed (a truncated dump?)' };
}
