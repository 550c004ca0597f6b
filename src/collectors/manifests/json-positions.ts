/**
 * Files that are one JSON value (`kubectl get … -o json`, gcloud dumps) are
 * read with JSON.parse, not yaml: yaml builds a token, a node and a range per
 * value (about 2 KB for each item of `[1,1,…]`), JSON.parse a few bytes.
 * Positions for findings are then recorded by scanning the text into the
 * SourceIndex table, in the layout source-index.ts describes and with the
 * ranges yaml gives (test/collectors/json-positions.test.ts compares them).
 *
 * Only text JSON.parse accepted is scanned, so the scanner does not validate.
 */

export const MAP = 1;
export const SEQ = 2;
export const HEADER = 4;
export const ENTRY = 4;

/** Deeper JSON goes through yaml, which reports it as a resource limit (rules walk values recursively). */
export const MAX_JSON_DEPTH = 1000;

/** Where the scan writes: the SourceIndex table. */
export interface TableSink {
  reserveNode(entries: number): number;
  setCell(at: number, value: number): void;
  internKey(key: string): number;
}

export const NOT_JSON: unique symbol = Symbol('not-json');

/**
 * The file's value when the whole text is one JSON object or array no deeper
 * than MAX_JSON_DEPTH; NOT_JSON otherwise (YAML, JSON Lines, invalid JSON:
 * yaml reads those and reports their errors).
 */
export function readJson(text: string): unknown {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const first = text.charCodeAt(i);
  if (first !== 0x7b && first !== 0x5b) return NOT_JSON;
  if (depthOf(text) > MAX_JSON_DEPTH) return NOT_JSON;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Offsets of line starts, as yaml's LineCounter records them (after each "\n"). */
export function lineStartsOf(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
  return starts;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Nesting depth, brackets inside strings ignored. */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i) - 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}

/** The offset after the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; j > start && text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** The offset after a number, true, false or null starting at `start`. */
function literalEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x3a || isSpace(c)) break;
    i++;
  }
  return i;
}

/**
 * Writes the positions of `text` (valid JSON, an object or array) into the
 * table and returns the root's offset. Two passes: the first counts each
 * collection's entries (the layout reserves them up front), the second writes.
 */
export function encodeJson(text: string, sink: TableSink): number {
  // Pass 1: entry counts, by collection in the order they open.
  let counts = new Int32Array(1024);
  let collections = 0;
  const open = new Int32Array(MAX_JSON_DEPTH + 2);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 0x2c || c === 0x3a) continue;
    if (c === 0x7b || c === 0x5b) {
      if (depth > 0) counts[open[depth - 1]!]!++;
      if (collections === counts.length) {
        const grown = new Int32Array(counts.length * 2);
        grown.set(counts);
        counts = grown;
      }
      counts[collections] = 0;
      open[depth++] = collections++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x22) {
      const end = stringEnd(text, i);
      // A map key is followed by ":"; it is counted with its value.
      let j = end;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3a && depth > 0) counts[open[depth - 1]!]!++;
      i = end - 1;
    } else {
      if (depth > 0) counts[open[depth - 1]!]!++;
      i = literalEnd(text, i) - 1;
    }
  }

  // Pass 2: one node per collection, its entries filled as its values are met.
  const nodeAt = new Int32Array(MAX_JSON_DEPTH + 2);
  const filled = new Int32Array(MAX_JSON_DEPTH + 2);
  const isMap = new Uint8Array(MAX_JSON_DEPTH + 2);
  const pendingKey = new Int32Array(MAX_JSON_DEPTH + 2);
  const pendingStart = new Int32Array(MAX_JSON_DEPTH + 2);
  let root = -1;
  let collection = 0;
  depth = 0;
  /** The next entry of the collection open at depth-1, with its key (map) and where it starts. */
  const entry = (start: number): number => {
    const d = depth - 1;
    const at = nodeAt[d]! + HEADER + filled[d]!++ * ENTRY;
    sink.setCell(at, isMap[d] ? pendingKey[d]! : -1);
    sink.setCell(at + 1, isMap[d] ? pendingStart[d]! : start);
    return at;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 0x2c || c === 0x3a) continue;
    if (c === 0x7b || c === 0x5b) {
      const count = counts[collection++]!;
      const at = sink.reserveNode(count);
      sink.setCell(at, c === 0x7b ? MAP : SEQ);
      sink.setCell(at + 1, count);
      sink.setCell(at + 2, i);
      if (depth > 0) {
        const e = entry(i);
        sink.setCell(e + 3, at);
      } else {
        root = at;
      }
      nodeAt[depth] = at;
      filled[depth] = 0;
      isMap[depth] = c === 0x7b ? 1 : 0;
      pendingKey[depth] = -1;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      const at = nodeAt[depth]!;
      sink.setCell(at + 3, i + 1);
      // The entry holding this collection ends where it ends.
      if (depth > 0) sink.setCell(nodeAt[depth - 1]! + HEADER + (filled[depth - 1]! - 1) * ENTRY + 2, i + 1);
    } else if (c === 0x22) {
      const end = stringEnd(text, i);
      let j = end;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 0x3a && depth > 0 && isMap[depth - 1]) {
        const raw = text.slice(i + 1, end - 1);
        pendingKey[depth - 1] = sink.internKey(raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw);
        pendingStart[depth - 1] = i;
      } else if (depth > 0) {
        const e = entry(i);
        sink.setCell(e + 2, end);
        sink.setCell(e + 3, -1);
      }
      i = end - 1;
    } else {
      const end = literalEnd(text, i);
      if (depth > 0) {
        const e = entry(i);
        sink.setCell(e + 2, end);
        sink.setCell(e + 3, -1);
      }
      i = end - 1;
    }
  }
  return root;
}
