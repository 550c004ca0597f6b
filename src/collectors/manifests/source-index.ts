/**
 * Field positions for objects read from YAML/JSON files, without keeping the
 * parsed yaml Documents (about 19 KB per document): while a document is
 * parsed, `record` writes the ranges of every map entry and sequence item
 * into one flat Int32Array, and the Document is then released. A finding
 * looks its field up in that table; each file keeps only its line starts.
 *
 * Layout of one collection node at offset o:
 *   [o]   kind (MAP or SEQ)      [o+1] entry count n
 *   [o+2] node start offset      [o+3] node end offset (value end)
 * then n entries of ENTRY ints: key id (map keys, interned; -1 for a
 * non-scalar key or a sequence item), start and end offsets (key start
 * through value end for a map entry, the item's range in a sequence; -1 when
 * yaml gives none), and the offset of the child collection (-1 for scalars;
 * an alias points at the collection its anchor names).
 */
import { Alias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Location } from '../../findings.js';
import { ENTRY, HEADER, MAP, SEQ, encodeJson } from './json-positions.js';



interface ObjectSource {
  file: string;
  /** Offset of the document's root collection in the table (-1: the root is not a collection). */
  root: number;
  /** Where the object sits in its document (['items', 2] inside a List). */
  base: Array<string | number>;
}

interface FileSource {
  /** The file as read, when the command keeps it: SARIF fixes and `fix` re-parse it. */
  text?: string;
  /** Some document of the file has a YAML syntax error (`fix` refuses such files). */
  syntaxError: boolean;
  /** Why `fix` must not edit the text although it parsed (JSON Lines: the text carries added document markers). */
  notEditable?: string;
  /** Offset of each line's first character, for offset → line/column. */
  lineStarts: Int32Array;
}

export class SourceIndex {
  private readonly byId = new Map<number, ObjectSource>();
  private table = new Int32Array(1 << 12);
  private used = 0;
  private readonly keyIds = new Map<string, number>();
  /** Kept per file for the fix command and SARIF fixes. */
  readonly files = new Map<string, FileSource>();

  /** `text` undefined: the command never edits files (no SARIF, no fix), so the text is not kept. */
  addFile(file: string, text: string | undefined, lineStarts: ArrayLike<number>, syntaxError: boolean, notEditable?: string): void {
    const starts = lineStarts instanceof Int32Array ? lineStarts : Int32Array.from(lineStarts);
    this.files.set(file, { ...(text !== undefined ? { text } : {}), syntaxError, lineStarts: starts, ...(notEditable ? { notEditable } : {}) });
  }

  private lastJson: string | undefined;

  /**
   * `rootOf` for a file that is one JSON value, read with JSON.parse instead of
   * yaml: the same table, built by scanning the text (json-positions.ts), so a
   * JSON array item costs 16 bytes of positions instead of a yaml node.
   */
  rootOfJson(text: string): number {
    if (text !== this.lastJson) {
      this.lastRoot = encodeJson(text, this);
      this.lastJson = text;
      this.lastDoc = undefined;
    }
    return this.lastRoot;
  }

  /** Where the node at `path` under a recorded root starts (a List item's offset), or -1. */
  startOf(root: number, path: ReadonlyArray<string | number>): number {
    const table = this.table;
    let node = root;
    for (const segment of path) {
      if (node < 0) return -1;
      const count = table[node + 1]!;
      let entry = -1;
      if (table[node] === MAP) {
        const key = this.keyIds.get(String(segment));
        if (key === undefined) return -1;
        for (let i = 0, at = node + HEADER; i < count; i++, at += ENTRY) {
          if (table[at] === key) {
            entry = at;
            break;
          }
        }
      } else if (typeof segment === 'number' && segment >= 0 && segment < count) {
        entry = node + HEADER + segment * ENTRY;
      }
      if (entry < 0) return -1;
      node = table[entry + 3]!;
    }
    return node < 0 ? -1 : table[node + 2]!;
  }

  /** Offset → line and column in a file's line starts (1-based, as yaml counts). */
  static linePos(lineStarts: Int32Array, offset: number): { line: number; col: number } {
    return linePos(lineStarts, offset);
  }

  /** For json-positions.ts: space for one collection node, and its cells. */
  reserveNode(entries: number): number {
    return this.reserve(HEADER + entries * ENTRY);
  }

  setCell(at: number, value: number): void {
    this.table[at] = value;
  }

  internKey(key: string): number {
    return this.keyId(key);
  }

  private lastDoc: Document | undefined;
  private lastRoot = -1;

  /** Records a parsed document's ranges once (a List's items share them); returns the root's offset, for `add`. */
  rootOf(doc: Document): number {
    if (doc !== this.lastDoc) {
      this.lastRoot = this.encode(doc.contents, new Map<string, number>());
      this.lastDoc = doc;
      this.lastJson = undefined;
    }
    return this.lastRoot;
  }

  /** Drops the reference `rootOf` keeps to the last document. */
  releaseDocument(): void {
    this.lastDoc = undefined;
    this.lastJson = undefined;
  }

  add(id: number, source: ObjectSource): void {
    this.byId.set(id, source);
  }

  /**
   * The location of `path` inside object `id`: key start through value end
   * for a map entry, the item for a sequence index; when the field does not
   * exist, the nearest existing parent with `exact: false`.
   */
  locate(id: number, path: ReadonlyArray<string | number>): Location | undefined {
    const source = this.byId.get(id);
    const file = source && this.files.get(source.file);
    if (!source || !file || source.root < 0) return undefined;
    const table = this.table;
    const base = source.base;
    const total = base.length + path.length;
    let node = source.root;
    let start = table[node + 2]!;
    let end = table[node + 3]!;
    let found = 0;
    // No copies of the path: this runs once per finding.
    for (; found < total && node >= 0; found++) {
      const segment = found < base.length ? base[found]! : path[found - base.length]!;
      const count = table[node + 1]!;
      let entry = -1;
      if (table[node] === MAP) {
        const key = this.keyIds.get(String(segment));
        if (key === undefined) break;
        for (let i = 0, at = node + HEADER; i < count; i++, at += ENTRY) {
          if (table[at] === key) {
            entry = at;
            break;
          }
        }
      } else if (typeof segment === 'number' && Number.isInteger(segment) && segment >= 0 && segment < count) {
        entry = node + HEADER + segment * ENTRY;
      }
      if (entry < 0) break;
      if (table[entry + 1]! >= 0) {
        start = table[entry + 1]!;
        end = table[entry + 2]!;
      }
      node = table[entry + 3]!;
    }
    if (start < 0) return undefined;
    const startPos = linePos(file.lineStarts, start);
    const endPos = linePos(file.lineStarts, end);
    return { file: source.file, line: startPos.line, column: startPos.col, endLine: endPos.line, endColumn: endPos.col, exact: found === total };
  }

  private encode(node: unknown, anchors: Map<string, number>): number {
    if (node instanceof Alias) return anchors.get(node.source) ?? -1;
    const map = isMap(node);
    if (!map && !isSeq(node)) return -1;
    const items = (node as { items: unknown[] }).items;
    const at = this.reserve(HEADER + items.length * ENTRY);
    const range = (node as Node).range;
    this.table[at] = map ? MAP : SEQ;
    this.table[at + 1] = items.length;
    this.table[at + 2] = range ? range[0] : -1;
    this.table[at + 3] = range ? range[1] : -1;
    // yaml resolves an alias to the nearest anchor of that name before it: record anchors in document order.
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, at);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const e = at + HEADER + i * ENTRY;
      let key = -1;
      let start = -1;
      let end = -1;
      let child: unknown = item;
      if (map) {
        if (isPair(item)) {
          const keyNode = item.key as Node | null;
          if (isScalar(keyNode)) key = this.keyId(String(keyNode.value));
          const keyRange = keyNode?.range;
          const valueRange = (item.value as Node | null)?.range;
          if (keyRange) {
            start = keyRange[0];
            end = valueRange ? valueRange[1] : keyRange[1];
          } else if (valueRange) {
            start = valueRange[0];
            end = valueRange[1];
          }
          child = item.value;
        } else {
          child = undefined;
        }
      } else {
        const itemRange = (item as Node | null)?.range;
        if (itemRange) {
          start = itemRange[0];
          end = itemRange[1];
        }
      }
      // A scalar anchor is still an anchor: a later alias to it must not find an older collection of that name.
      if (isScalar(child) && child.anchor) anchors.set(child.anchor, -1);
      const childAt = this.encode(child, anchors);
      this.table[e] = key;
      this.table[e + 1] = start;
      this.table[e + 2] = end;
      this.table[e + 3] = childAt;
    }
    return at;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keyIds.size;
      this.keyIds.set(key, id);
    }
    return id;
  }

  private reserve(n: number): number {
    const at = this.used;
    if (at + n > this.table.length) {
      const grown = new Int32Array(Math.max(this.table.length * 2, at + n));
      grown.set(this.table.subarray(0, at));
      this.table = grown;
    }
    this.used = at + n;
    return at;
  }
}

/** Offset → 1-based line and column, as yaml's LineCounter.linePos computes them. */
function linePos(lineStarts: Int32Array, offset: number): { line: number; col: number } {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (lineStarts[mid]! < offset) low = mid + 1;
    else high = mid;
  }
  if (lineStarts[low] === offset) return { line: low + 1, col: 1 };
  if (low === 0) return { line: 0, col: offset };
  return { line: low, col: offset - lineStarts[low - 1]! + 1 };
}
