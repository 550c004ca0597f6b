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
    const full = [...source.base, ...path];
    let node: unknown = source.doc.contents;
    let range: [number, number] | undefined = rangeOf(node);
    let found = 0;
    for (const segment of full) {
      node = resolveAlias(node, source.doc);
      let next: { node: unknown; range: [number, number] | undefined } | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair) {
          const keyRange = rangeOf(pair.key);
          const valueRange = rangeOf(pair.value);
          next = {
            node: pair.value,
            range: keyRange ? [keyRange[0], valueRange ? valueRange[1] : keyRange[1]] : valueRange,
          };
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item !== undefined) next = { node: item, range: rangeOf(item) };
      }
      if (!next) break;
      node = next.node;
      if (next.range) range = next.range;
      found++;
    }
    if (!range) return undefined;
    const start = source.lineCounter.linePos(range[0]);
    const end = source.lineCounter.linePos(range[1]);
    return {
      file: source.file,
      line: start.line,
      column: start.col,
      endLine: end.line,
      endColumn: end.col,
      exact: found === full.length,
    };
  }
}

function resolveAlias(node: unknown, doc: Document): unknown {
  return node instanceof Alias ? node.resolve(doc) : node;
}

function rangeOf(node: unknown): [number, number] | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}
