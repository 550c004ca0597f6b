/**
 * Field positions for objects read from YAML/JSON files. The parsed yaml
 * Document is kept and a field is located only when a finding needs it, so
 * linting pays nothing for positions it never reports.
 */
import { Alias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Location } from '../../findings.js';

interface ObjectSource {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** Where the object sits in its document (['items', 2] inside a List). */
  base: Array<string | number>;
}

export class SourceIndex {
  private readonly byId = new Map<number, ObjectSource>();
  /** Kept per file for the fix command, which edits documents in place. */
  readonly files = new Map<string, { text: string; docs: Document[]; lineCounter: LineCounter }>();

  add(id: number, source: ObjectSource): void {
    this.byId.set(id, source);
  }

  documentOf(id: number): ObjectSource | undefined {
    return this.byId.get(id);
  }

  /**
   * The location of `path` inside object `id`: key start through value end
   * for a map entry, the item for a sequence index; when the field does not
   * exist, the nearest existing parent with `exact: false`.
   */
  locate(id: number, path: ReadonlyArray<string | number>): Location | undefined {
    const source = this.byId.get(id);
    if (!source) return undefined;
    const base = source.base;
    const total = base.length + path.length;
    let node: unknown = source.doc.contents;
    let start = -1;
    let end = -1;
    const own = (node as Node | null | undefined)?.range;
    if (own) {
      start = own[0];
      end = own[1];
    }
    let found = 0;
    // No copies of the path or of ranges: this runs once per finding.
    for (; found < total; found++) {
      const segment = found < base.length ? base[found]! : path[found - base.length]!;
      if (node instanceof Alias) node = node.resolve(source.doc);
      if (isMap(node)) {
        const wanted = String(segment);
        let pair: unknown;
        for (const p of node.items) {
          if (isPair(p) && isScalar(p.key) && String(p.key.value) === wanted) {
            pair = p;
            break;
          }
        }
        if (!pair) break;
        const keyRange = ((pair as { key: Node }).key as Node | null | undefined)?.range;
        const value = (pair as { value: unknown }).value;
        const valueRange = (value as Node | null | undefined)?.range;
        if (keyRange) {
          start = keyRange[0];
          end = valueRange ? valueRange[1] : keyRange[1];
        } else if (valueRange) {
          start = valueRange[0];
          end = valueRange[1];
        }
        node = value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) break;
        const itemRange = (item as Node | null | undefined)?.range;
        if (itemRange) {
          start = itemRange[0];
          end = itemRange[1];
        }
        node = item;
      } else {
        break;
      }
    }
    if (start < 0) return undefined;
    const startPos = source.lineCounter.linePos(start);
    const endPos = source.lineCounter.linePos(end);
    return {
      file: source.file,
      line: startPos.line,
      column: startPos.col,
      endLine: endPos.line,
      endColumn: endPos.col,
      exact: found === total,
    };
  }
}
