/**
 * Autofix edits on YAML text. An edit is made as a small splice of the
 * file's text (a scalar replaced, a key block inserted or removed), so
 * comments, key order, quoting and every other document stay byte-identical;
 * yaml's `setIn`/`deleteIn` on a clone of the Document is the oracle the
 * result must match, and an edit that cannot be spliced safely (an alias or
 * anchor on the path, a flow collection, a merge key, an empty value) is
 * refused with the reason instead of guessed.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Composer,
  LineCounter,
  parseAllDocuments,
  Parser,
  Scalar,
  stringify,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { Fix, FixEdit } from '../findings.js';

export type Path = Array<string | number>;

/** A fix bound to the document that holds its object. */
export interface FixRequest {
  /** Index of the document in `parseAllDocuments` order. */
  documentIndex: number;
  /** Where the object sits in the document (['items', 2] inside a List). */
  base: Path;
  fix: Fix;
}

export class UnsafeEdit extends Error {}

export function parseFile(text: string): { docs: Document[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  return { docs: Array.isArray(docs) ? (docs as Document[]) : [], lineCounter };
}

/**
 * Applies one fix (all of its edits, or none) to the text of a whole file and
 * returns the new text; throws UnsafeEdit with the reason when it can't.
 */
export function applyFix(text: string, request: FixRequest): string {
  const before = parseFile(text);
  const doc = before.docs[request.documentIndex];
  if (!doc) throw new UnsafeEdit(`document ${request.documentIndex + 1} no longer exists`);
  if (before.docs.some((d) => d.errors.length > 0)) throw new UnsafeEdit('the file has a YAML syntax error');

  let current = text;
  for (const edit of request.fix.edits) current = applyEdit(current, request.documentIndex, [...request.base, ...edit.path], edit);

  // The oracle: what yaml's own setIn/deleteIn make of the document.
  let expectedValue: unknown;
  try {
    const expected = doc.clone();
    for (const edit of request.fix.edits) {
      const full = [...request.base, ...edit.path];
      if (edit.op === 'set') expected.setIn(full, expected.createNode(edit.value));
      else expected.deleteIn(full);
    }
    expectedValue = expected.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (error) {
    throw new UnsafeEdit(`yaml cannot make the edit: ${(error as Error).message}`);
  }

  const after = parseFile(current);
  if (after.docs.length !== before.docs.length || after.docs.some((d) => d.errors.length > 0)) {
    throw new UnsafeEdit('the edited text would not parse as the same documents');
  }
  const actual = after.docs[request.documentIndex]!.toJS({ maxAliasCount: 1000 }) as unknown;
  if (!isDeepStrictEqual(actual, expectedValue)) {
    throw new UnsafeEdit('the text edit would not produce the intended value');
  }
  // Every other document keeps its exact bytes.
  before.docs.forEach((d, i) => {
    if (i === request.documentIndex) return;
    const a = docText(text, d);
    const b = docText(current, after.docs[i]!);
    if (a !== b) throw new UnsafeEdit(`the edit would change document ${i + 1}`);
  });
  return current;
}

/** A replacement of `[start, end)` of a file's text by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

interface DocumentPart {
  /** The document's own text: its `---` marker, content and trailing comments (directives before it are not). */
  text: string;
  /** Its offset in the file as read. */
  start: number;
  /** Whether its text reads alone as it reads in the file; undefined until asked. */
  alone?: boolean;
}

/**
 * The fixes of one file, each applied by parsing only the document it edits.
 * `applyFix` parses the whole file several times per fix; SARIF (every fix
 * shown against the file as read) and `fix` (a file's fixes one after
 * another) called it once per fix, so the cost grew with fixes × file size:
 * SARIF for 10,000 documents in files of 100 took over ten minutes. Here the
 * file is split once into its documents' texts, and a fix runs `applyFix`,
 * with all its checks, on its document's text alone; every other document
 * keeps its bytes because it is never touched.
 *
 * The documents of a YAML stream are independent except for directives
 * (`%YAML`, `%TAG`), which apply to the document after them. A document
 * with directives before it, one that starts inside a line (an indented
 * first document), or whose text alone does not parse cleanly, is edited
 * through the whole file, as before.
 */
export class FileFixer {
  private parts: DocumentPart[] = [];
  /** Text before the first document, between documents, and after the last: one more than the parts. */
  private gaps: string[] = [];
  private syntaxError = false;

  constructor(text: string) {
    this.split(text);
  }

  /** The file's text, with every fix `apply` made. */
  get text(): string {
    let out = this.gaps[0]!;
    for (let i = 0; i < this.parts.length; i++) out += this.parts[i]!.text + this.gaps[i + 1]!;
    return out;
  }

  /** The fix as a replacement of the file as read (no fix applied yet); throws UnsafeEdit as applyFix does. */
  replacement(request: FixRequest): TextEdit {
    const part = this.partOf(request);
    if (this.readsAlone(request.documentIndex)) {
      return { start: part.start, end: part.start + part.text.length, text: applyFix(part.text, { ...request, documentIndex: 0 }) };
    }
    const text = this.text;
    return { start: 0, end: text.length, text: applyFix(text, request) };
  }

  /** Applies the fix to the text; later fixes apply to the result. Throws UnsafeEdit (and changes nothing) as applyFix does. */
  apply(request: FixRequest): void {
    const part = this.partOf(request);
    if (this.readsAlone(request.documentIndex)) {
      part.text = applyFix(part.text, { ...request, documentIndex: 0 });
      return;
    }
    this.split(applyFix(this.text, request));
  }

  private partOf(request: FixRequest): DocumentPart {
    const part = this.parts[request.documentIndex];
    if (!part) throw new UnsafeEdit(`document ${request.documentIndex + 1} no longer exists`);
    if (this.syntaxError) throw new UnsafeEdit('the file has a YAML syntax error');
    return part;
  }

  private readsAlone(index: number): boolean {
    const part = this.parts[index]!;
    if (part.alone === undefined) {
      const gap = this.gaps[index]!;
      const before = gap !== '' ? gap : index > 0 ? this.parts[index - 1]!.text : '';
      const startsALine = before === '' || before.endsWith('\n');
      const alone = startsALine && !/^%/m.test(gap) ? parseFile(part.text).docs : [];
      part.alone = alone.length === 1 && alone[0]!.errors.length === 0;
    }
    return part.alone;
  }

  /** One pass of yaml over the file, a document at a time (none is kept). */
  private split(text: string): void {
    this.parts = [];
    this.gaps = [];
    this.syntaxError = false;
    let end = 0;
    for (const doc of new Composer({ uniqueKeys: true }).compose(new Parser().parse(text))) {
      this.syntaxError ||= doc.errors.length > 0;
      const range = doc.range ?? [end, end, end];
      this.gaps.push(text.slice(end, range[0]));
      this.parts.push({ text: text.slice(range[0], range[2]), start: range[0] });
      end = range[2];
    }
    this.gaps.push(text.slice(end));
  }
}

function docText(text: string, doc: Document): string {
  const range = doc.range ?? [0, 0, 0];
  return text.slice(range[0], range[2]);
}

interface Step {
  /** The node reached so far (a map or a sequence). */
  node: Node;
  /** The pair whose value `node` is, when it is a map value. */
  pair?: Pair;
}

function applyEdit(text: string, documentIndex: number, path: Path, edit: FixEdit): string {
  const { docs } = parseFile(text);
  const doc = docs[documentIndex]!;
  const docRange = doc.range ?? [0, text.length, text.length];
  let node: unknown = doc.contents;
  let parentMap: YAMLMap | undefined;
  let pair: Pair | undefined;
  let depth = 0;
  const steps: Step[] = [];
  for (; depth < path.length; depth++) {
    const segment = path[depth]!;
    checkNode(node, path.slice(0, depth));
    if (isMap(node)) {
      const found = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment)) as Pair | undefined;
      if (!found) {
        parentMap = node;
        break;
      }
      if (isScalar(found.key) && found.key.anchor) throw new UnsafeEdit(`the key ${String(segment)} carries an anchor`);
      steps.push({ node, pair: found });
      pair = found;
      node = found.value;
    } else if (isSeq(node)) {
      if (typeof segment !== 'number' || segment >= node.items.length) {
        throw new UnsafeEdit(`${describe(path.slice(0, depth + 1))} does not exist and new list items are not added automatically`);
      }
      steps.push({ node });
      pair = undefined;
      node = node.items[segment];
    } else {
      throw new UnsafeEdit(`${describe(path.slice(0, depth))} is not a mapping, so ${describe(path.slice(0, depth + 1))} cannot be set`);
    }
  }

  if (edit.op === 'delete') {
    if (parentMap) return text; // already absent
    if (!pair || steps.length === 0) throw new UnsafeEdit(`${describe(path)} is not a mapping entry`);
    checkNode(node, path);
    return deletePair(text, steps[steps.length - 1]!.node as YAMLMap, pair, path, docRange);
  }

  if (parentMap) {
    // The key is missing: insert `remaining path: value` as a block at the end of the map.
    return insertIntoMap(text, doc, parentMap, path.slice(depth), edit.value, path, docRange);
  }
  checkNode(node, path);
  if (isScalar(node)) {
    if (isDeepStrictEqual(node.value, edit.value)) return text;
    if (node.value === null && !String(node.source ?? '')) {
      throw new UnsafeEdit(`${describe(path)} is present but empty; fill it in by hand`);
    }
    if (typeof edit.value === 'object' && edit.value !== null) {
      throw new UnsafeEdit(`${describe(path)} holds a scalar; replacing it with a mapping or list is not done automatically`);
    }
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      throw new UnsafeEdit(`${describe(path)} is a block scalar; it is not rewritten automatically`);
    }
    const range = node.range!;
    return splice(text, range[0], range[1], renderScalar(edit.value, node), docRange);
  }
  if (node === null || node === undefined) {
    throw new UnsafeEdit(`${describe(path)} is present but empty; fill it in by hand`);
  }
  // A collection.
  const current = (node as Node).toJSON();
  if (isDeepStrictEqual(current, edit.value)) return text;
  throw new UnsafeEdit(`${describe(path)} already holds a ${isSeq(node) ? 'list' : 'mapping'}; replacing it is not done automatically`);
}

function checkNode(node: unknown, path: Path): void {
  if (isAlias(node) || node instanceof Alias) throw new UnsafeEdit(`${describe(path)} is an alias (*); edit the anchored node by hand`);
  const anchored = node as { anchor?: string } | null;
  if (anchored && typeof anchored === 'object' && anchored.anchor) {
    throw new UnsafeEdit(`${describe(path)} carries the anchor &${anchored.anchor}; an edit would change every alias of it`);
  }
  if ((isMap(node) || isSeq(node)) && node.flow) {
    throw new UnsafeEdit(`${describe(path)} is a flow-style ${isMap(node) ? '{mapping}' : '[list]'}; it is not edited automatically`);
  }
  if (isMap(node) && node.items.some((p) => isScalar(p.key) && p.key.value === '<<')) {
    throw new UnsafeEdit(`${describe(path)} uses a merge key (<<); edit it by hand`);
  }
  const tagged = node as { tag?: string } | null;
  if (isScalar(node) && tagged?.tag && !tagged.tag.startsWith('tag:yaml.org,2002:')) {
    throw new UnsafeEdit(`${describe(path)} carries the tag ${tagged.tag}`);
  }
}

function insertIntoMap(text: string, doc: Document, map: YAMLMap, rest: Path, value: unknown, path: Path, docRange: [number, number, number]): string {
  if (map.items.length === 0) throw new UnsafeEdit(`${describe(path.slice(0, path.length - rest.length))} is an empty mapping; fill it in by hand`);
  if (rest.some((segment) => typeof segment === 'number')) {
    throw new UnsafeEdit(`${describe(path)} needs a new list item; not added automatically`);
  }
  const first = map.items[0]!;
  const last = map.items[map.items.length - 1]!;
  const firstKey = first.key as Node | null;
  if (!firstKey?.range) throw new UnsafeEdit(`${describe(path)}: cannot find where its mapping starts`);
  const indent = columnOf(text, firstKey.range[0]);
  const lastEnd = (last.value as Node | null)?.range?.[1] ?? (last.key as Node | null)?.range?.[1];
  if (lastEnd === undefined) throw new UnsafeEdit(`${describe(path)}: cannot find where its mapping ends`);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let nested: unknown = value;
  for (const segment of [...rest].reverse()) nested = { [segment]: nested };
  const style = detectStyle(text, doc);
  const rendered = stringify(nested, { indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0 })
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => ' '.repeat(indent) + line)
    .join(eol);
  if (text[lastEnd - 1] === '\n') {
    // The last value ends with its own line break (a block scalar or a nested block).
    return splice(text, lastEnd, lastEnd, rendered + eol, docRange);
  }
  let at = text.indexOf('\n', lastEnd);
  if (at === -1) return splice(text, text.length, text.length, eol + rendered, docRange, true);
  if (text[at - 1] === '\r') at--;
  return splice(text, at, at, eol + rendered, docRange);
}

function deletePair(text: string, map: YAMLMap, pair: Pair, path: Path, docRange: [number, number, number]): string {
  if (map.items.length < 2) throw new UnsafeEdit(`${describe(path)} is the only entry of its mapping; remove it by hand`);
  const key = pair.key as Node;
  const start = key.range![0];
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== '') throw new UnsafeEdit(`${describe(path)} does not start its line; remove it by hand`);
  const end = (pair.value as Node | null)?.range?.[1] ?? key.range![1];
  let lineEnd = text[end - 1] === '\n' ? end : text.indexOf('\n', end);
  lineEnd = lineEnd === -1 ? text.length : text[end - 1] === '\n' ? end : lineEnd + 1;
  return splice(text, lineStart, lineEnd, '', docRange);
}

function splice(text: string, from: number, to: number, insert: string, docRange: [number, number, number], atEof = false): string {
  if (from < docRange[0] || to > docRange[2] + (atEof ? 1 : 0)) throw new UnsafeEdit('the edit would fall outside its document');
  return text.slice(0, from) + insert + text.slice(to);
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** A new scalar keeps the quoting style of the one it replaces when it is still a string. */
function renderScalar(value: unknown, previous: Scalar): string {
  if (typeof value === 'string') {
    if (previous.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
    if (previous.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  }
  const rendered = stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
  if (rendered.includes('\n')) throw new UnsafeEdit('the new value does not fit on one line');
  return rendered;
}

/** The file's own indentation step and whether list items are indented under their key. */
function detectStyle(text: string, doc: Document): { indent: number; indentSeq: boolean } {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const visit = (node: unknown, keyColumn: number | undefined, depth: number): void => {
    if (depth > 50 || (indent !== undefined && indentSeq !== undefined)) return;
    if (isMap(node) && !node.flow) {
      const first = node.items[0]?.key as Node | undefined;
      const column = first?.range ? columnOf(text, first.range[0]) : undefined;
      if (indent === undefined && keyColumn !== undefined && column !== undefined && column > keyColumn) indent = column - keyColumn;
      for (const p of node.items) {
        const k = p.key as Node | undefined;
        visit(p.value, k?.range ? columnOf(text, k.range[0]) : undefined, depth + 1);
      }
    } else if (isSeq(node) && !node.flow) {
      if (indentSeq === undefined && keyColumn !== undefined && node.range) indentSeq = columnOf(text, node.range[0]) > keyColumn;
      for (const item of node.items) visit(item, undefined, depth + 1);
    }
  };
  visit(doc.contents, undefined, 0);
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true };
}

function describe(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(document)';
}
