/**
 * The manifest collector: files, directories and stdin → Kubernetes objects
 * with their source positions. Bad input never stops it: a syntax error, an
 * unreadable file or a binary file becomes an InputProblem (reported by the
 * `yaml-syntax` rule) and the other documents and files are still read.
 */
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { Composer, LineCounter, Parser, type Document } from 'yaml';
import type { InputNotice, InputProblem, KubeObject } from '../../snapshot/types.js';
import { isRecord } from '../../util/values.js';
import { SourceIndex } from './source-index.js';
import { FALLBACK, fastToJS } from './to-js.js';
import { lineStartsOf, NOT_JSON, readJson } from './json-positions.js';
import { describeFsError, largestDocument, MAX_FILE_BYTES, MAX_YAML_DOCUMENT_ITEMS, readCapped, readStdin, tooLarge } from './read.js';
import { BUNDLE_MANIFEST, bundleTypes, readBundleManifest, type BundleManifest } from '../bundle.js';
import { INPUT_TYPES_BY_NAME, parseTypedInput, type ExplicitType } from '../shapes.js';
import { recognizeEach, unknownNotice, type Recognized } from '../recognize.js';
import { addEntry, emptyLogCollection, skippedNotice, type LogCollection } from '../logs/entries.js';
import { readLogBuffer } from '../logs/reader.js';

export interface CollectedObject {
  object: KubeObject;
  file: string;
  documentIndex: number;
  base: Array<string | number>;
  line: number;
  column: number;
}

/** A YAML/JSON value that is not a Kubernetes object (e.g. a gcloud JSON dump). */
export interface ForeignDocument {
  file: string;
  documentIndex: number;
  value: unknown;
  /** The Google Cloud shape it was recognised as (src/collectors/shapes.ts), when it was. */
  shape?: string;
  /** The type the user stated for its file. */
  explicit?: ExplicitType;
}

/** A file whose type the user stated (`TYPE[:QUALIFIER]=PATH`): complete evidence of that type, even when empty. */
export interface ExplicitInput {
  file: string;
  explicit: ExplicitType;
  /** Objects read from it. */
  objects: number;
}

export interface ManifestCollection {
  objects: CollectedObject[];
  foreign: ForeignDocument[];
  files: string[];
  documents: number;
  skippedFiles: number;
  problems: InputProblem[];
  notices: InputNotice[];
  /** Positions for findings; object ids are indexes into `objects`. */
  sources: SourceIndex;
  /** Files given with an explicit type. */
  explicit: ExplicitInput[];
  /** Item kinds of typed lists read (`kind: ServiceList` → Service): each holds every object of its kind it was listed from. */
  typedLists: string[];
  /** Documents (or list items) that fit no type, or several; each has a notice. */
  unrecognized: number;
  /** When the evidence was captured (a `negdoctor gather` bundle among the inputs): "now" for age judgments. */
  capturedAt?: string;
  /** Cloud Logging entries (request and health-check logs), reduced as they were read. */
  logs: LogCollection;
}

/** A path the user named that cannot be read at all: a usage error (exit 2), unlike a bad document. */
export class InputError extends Error {}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.jsonl', '.ndjson']);
/** Never manifests. Other dot-directories are read: `.github/` often holds deployment YAML. */
const SKIPPED_DIRECTORIES = new Set(['.git', '.hg', '.svn', 'node_modules']);
/** Alias expansions beyond this are treated as an alias bomb (yaml's own guard). */
const MAX_ALIAS_COUNT = 1000;

export interface CollectOptions {
  /** Reads stdin for the path `-`. */
  readStdin?: () => Promise<Buffer>;
  cwd?: string;
  /**
   * Keep each file's text for edits (`fix`, SARIF autofixes); default true.
   * Without it a file's text is released once parsed: a 50,000-document lint
   * holds 22 MB less.
   */
  keepText?: boolean;
}

export async function collectManifests(inputs: string[], options: CollectOptions = {}): Promise<ManifestCollection> {
  const cwd = options.cwd ?? process.cwd();
  const result: ManifestCollection = {
    objects: [],
    foreign: [],
    files: [],
    documents: 0,
    skippedFiles: 0,
    problems: [],
    notices: [],
    sources: new SourceIndex(),
    explicit: [],
    typedLists: [],
    unrecognized: 0,
    logs: emptyLogCollection(),
  };
  const keepText = options.keepText ?? true;
  for (const arg of inputs) {
    let typed: ReturnType<typeof parseTypedInput>;
    try {
      // `gcp:firewalls:default=fw.json`; a file really named so is still read as a file.
      typed = existsSync(path.resolve(cwd, arg)) ? undefined : parseTypedInput(arg);
    } catch (error) {
      throw new InputError((error as Error).message);
    }
    const input = typed?.path ?? arg;
    const explicit = typed?.explicit;
    if (input === '-') {
      const data = await (options.readStdin ?? readStdin)();
      if (data.length > MAX_FILE_BYTES) {
        result.files.push('<stdin>');
        result.problems.push({ kind: 'resource-limit', file: '<stdin>', message: tooLarge() });
        continue;
      }
      readBuffer(result, '<stdin>', data, explicit, keepText);
      continue;
    }
    const absolute = path.resolve(cwd, input);
    let stat;
    try {
      stat = await fs.stat(absolute);
    } catch (error) {
      throw new InputError(`cannot read ${input}: ${describeFsError(error)}`);
    }
    if (stat.isDirectory()) {
      // A `negdoctor gather` bundle: its manifest types every capture and says when it was taken.
      let bundle: BundleManifest | undefined;
      try {
        bundle = readBundleManifest(absolute);
      } catch (error) {
        throw new InputError((error as Error).message);
      }
      const types = bundle ? bundleTypes(absolute, bundle) : undefined;
      if (bundle) {
        result.capturedAt ??= bundle.capturedAt;
        for (const entry of bundle.captures.filter((c) => !c.ok)) {
          result.notices.push({ file: displayPath(absolute, cwd), message: `the bundle has no ${entry.type}: \`${entry.command}\` failed: ${entry.error ?? 'unknown error'}` });
        }
      }
      const manifestPath = path.join(absolute, BUNDLE_MANIFEST);
      const files = (await listManifestFiles(absolute)).filter((f) => !bundle || f !== manifestPath);
      if (files.length === 0) {
        result.notices.push({ file: displayPath(absolute, cwd), message: 'directory holds no .yaml, .yml or .json files' });
      }
      for (const file of files) await readFile(result, file, cwd, explicit ?? types?.get(file), keepText, true);
    } else {
      await readFile(result, absolute, cwd, explicit, keepText);
    }
  }
  noticePreviewGatewayApi(result);
  return result;
}

/**
 * Objects of the pre-GA Gateway API (`networking.x-k8s.io`, GKE's 2021 preview) are
 * not judged: GKE no longer serves that API and its fields differ from v1. Said once per file.
 */
function noticePreviewGatewayApi(result: ManifestCollection): void {
  const byFile = new Map<string, number>();
  for (const o of result.objects) if (o.object.apiVersion.startsWith('networking.x-k8s.io/')) byFile.set(o.file, (byFile.get(o.file) ?? 0) + 1);
  for (const [file, count] of byFile) {
    result.notices.push({
      file,
      message: `${count} object${count === 1 ? '' : 's'} of the pre-GA Gateway API networking.x-k8s.io, which GKE no longer serves, not evaluated; port ${count === 1 ? 'it' : 'them'} to gateway.networking.k8s.io/v1`,
    });
  }
}

async function readFile(result: ManifestCollection, absolute: string, cwd: string, explicit: ExplicitType | undefined, keepText: boolean, found = false): Promise<void> {
  const file = displayPath(absolute, cwd);
  let data: Buffer;
  try {
    // Synchronous on purpose: files are parsed one after the other anyway, and
    // awaiting the thread pool per file left the CPU idle (~80 ms per 100 files).
    const read = readCapped(absolute, found);
    if (read.special) {
      // A link in a pull request to /dev/zero or a FIFO must not stall CI: only regular files are read from folders.
      result.skippedFiles++;
      result.notices.push({ file, message: `skipped: not a regular file (${read.special}); name it on the command line to read it` });
      return;
    }
    if (!read.data) {
      result.files.push(file);
      result.problems.push({ kind: 'resource-limit', file, message: tooLarge() });
      return;
    }
    data = read.data;
  } catch (error) {
    result.files.push(file);
    result.problems.push({ kind: 'unreadable', file, message: `cannot read file: ${describeFsError(error)}` });
    return;
  }
  readBuffer(result, file, data, explicit, keepText);
}

function readBuffer(result: ManifestCollection, file: string, data: Buffer, explicit: ExplicitType | undefined, keepText: boolean): void {
  result.files.push(file);
  if (data.subarray(0, 8192).includes(0)) {
    result.problems.push({ kind: 'encoding', file, message: 'binary file (contains NUL bytes); not YAML or JSON' });
    return;
  }
  const skippedBefore = new Map(result.logs.skipped);
  const unusableBefore = result.logs.unusable;
  try {
    readDecoded(result, file, data, explicit, keepText);
  } finally {
    const skipped = new Map<string, number>();
    for (const [type, n] of result.logs.skipped) if (n > (skippedBefore.get(type) ?? 0)) skipped.set(type, n - (skippedBefore.get(type) ?? 0));
    const notice = skippedNotice(skipped, result.logs.unusable - unusableBefore);
    if (notice) result.notices.push({ file, message: notice });
  }
}

function readDecoded(result: ManifestCollection, file: string, data: Buffer, explicit: ExplicitType | undefined, keepText: boolean): void {
  // Cloud Logging dumps (60 MB for 100,000 entries) skip the YAML parser: split on the bytes, reduced entry by entry.
  const logs = readLogBuffer(data, result.logs);
  if (logs) {
    if (explicit) result.explicit.push({ file, explicit, objects: logs.ok ? logs.entries : 0 });
    if (!logs.ok) result.problems.push({ kind: 'syntax', file, message: logs.message });
    return;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    result.problems.push({ kind: 'encoding', file, message: 'file is not valid UTF-8' });
    return;
  }
  if (isHelmTemplate(text)) {
    result.skippedFiles++;
    result.notices.push({ file, message: 'skipped: Helm template syntax; lint the rendered output instead (`helm template … | negdoctor lint -`)' });
    return;
  }
  if (text.trim() === '') {
    // `gcloud … --format=json` prints [] for an empty list: an empty file is a command that failed, not evidence of none.
    result.notices.push({ file, message: `empty file (${data.length === 0 ? '0 bytes' : 'only whitespace'}); nothing read${explicit ? `, and not taken as an empty ${explicit.type.name} list` : ''} — did the command that wrote it fail?` });
    return;
  }
  const entry = explicit ? { file, explicit, objects: 0 } : undefined;
  if (entry) result.explicit.push(entry);
  parseText(result, file, text, entry, keepText);
}

function parseText(result: ManifestCollection, file: string, text: string, explicit: ExplicitInput | undefined, keepText: boolean): void {
  // JSON Lines (`kubectl get pods -o json | jq -c '.items[]'`): one document per line.
  // "--- " before each line makes it a YAML stream; each such line's start is counted
  // after the marker, so columns are those of the file.
  const jsonLines = isJsonLines(text);
  if (!jsonLines) {
    const value = readJson(text);
    if (value !== NOT_JSON) return parseJsonFile(result, file, text, value, explicit, keepText);
  }
  const lines = largestDocument(text);
  if (lines > MAX_YAML_DOCUMENT_ITEMS) {
    // yaml keeps a node of about 1–2 KB per line or flow item of a document: refuse before parsing, not after gigabytes.
    result.sources.addFile(file, undefined, [0], true);
    result.problems.push({
      kind: 'resource-limit',
      file,
      message: `a YAML document of over ${MAX_YAML_DOCUMENT_ITEMS.toLocaleString('en-US')} lines and flow items is not parsed (about 2 KB of memory each); give it as JSON (\`kubectl get … -o json\`, read up to 256 MiB) or split it`,
    });
    return;
  }
  if (jsonLines) text = text.replace(/^(?=[ \t]*[{[])/gm, '--- ');
  const lineCounter = new LineCounter();
  const addNewLine = jsonLines ? (offset: number) => lineCounter.addNewLine(text.startsWith('--- ', offset) ? offset + 4 : offset) : lineCounter.addNewLine;
  let syntaxError = false;
  let documentIndex = 0;
  try {
    // yaml's duplicate-key check compares every pair of keys (quadratic): a 10 MB
    // ConfigMap takes minutes. The API server rejects duplicates anyway.
    // `merge`: kubectl's parser (go-yaml via sigs.k8s.io/yaml) expands `<<: *anchor`
    // merge keys; YAML 1.2 does not by default, which left a literal "<<" key in
    // labels and annotations (selectors matched nothing, "<<" was an invalid annotation).
    // One document at a time (what parseAllDocuments does, without keeping them all):
    // each Document is read, its positions recorded, and released.
    const composer = new Composer({ uniqueKeys: false, merge: true });
    for (const doc of composer.compose(new Parser(addNewLine).parse(text))) {
      for (const error of doc.errors) if (error.pos[0] !== -1) error.linePos = [lineCounter.linePos(error.pos[0]), lineCounter.linePos(error.pos[1])];
      syntaxError ||= doc.errors.length > 0;
      readDocument(doc, documentIndex++);
    }
  } catch (error) {
    // The parser is recursive: pathological nesting can exhaust the stack.
    result.problems.push({ kind: 'resource-limit', file, message: `cannot parse: ${(error as Error).message}` });
    syntaxError = true; // `fix` leaves the file alone
  } finally {
    // `fix` edits the text it is given: never the JSON Lines text with its added "--- " markers.
    result.sources.addFile(file, keepText ? text : undefined, lineCounter.lineStarts, syntaxError, jsonLines ? 'it is JSON Lines; fix edits YAML and JSON documents only' : undefined);
    result.sources.releaseDocument();
  }
  reportShapeNotices(result, file);

  function readDocument(doc: Document, documentIndex: number): void {
    if (doc.errors.length > 0) {
      result.documents++;
      // Later errors in a document are almost always cascades of the first.
      for (const error of doc.errors.slice(0, 1)) {
        const [start, end] = error.linePos ?? [];
        result.problems.push({
          kind: 'syntax',
          file,
          message: firstLine(error.message),
          ...(start ? { line: start.line, column: start.col } : {}),
          ...(end ? { endLine: end.line, endColumn: end.col } : start ? { endLine: start.line, endColumn: start.col } : {}),
        });
      }
      return;
    }
    if (doc.contents === null) return; // an empty document: `---` with nothing after it
    result.documents++;
    let value: unknown;
    try {
      // Plain documents take the faster walk; it falls back to yaml for anything else.
      value = fastToJS(doc);
      if (value === FALLBACK) value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const pos = doc.contents.range ? lineCounter.linePos(doc.contents.range[0]) : undefined;
      result.problems.push({
        kind: 'resource-limit',
        file,
        message: `document not read: ${firstLine((error as Error).message)}`,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
      });
      return;
    }
    classify(result, file, documentIndex, { root: () => result.sources.rootOf(doc), position: (path) => positionOf(doc, lineCounter, path) }, value, explicit);
  }
}

/** A file that is one JSON value: JSON.parse, positions scanned from the text (json-positions.ts). */
function parseJsonFile(result: ManifestCollection, file: string, text: string, value: unknown, explicit: ExplicitInput | undefined, keepText: boolean): void {
  const lineStarts = lineStartsOf(text);
  result.documents++;
  const sources = result.sources;
  const root = () => sources.rootOfJson(text);
  const position = (path: Array<string | number>) => {
    const start = sources.startOf(root(), path);
    return start < 0 ? { line: 1, col: 1 } : SourceIndex.linePos(lineStarts, start);
  };
  try {
    classify(result, file, 0, { root, position }, value, explicit);
  } finally {
    sources.addFile(file, keepText ? text : undefined, lineStarts, false);
    sources.releaseDocument();
  }
  reportShapeNotices(result, file);
}

/** Where a document's objects are: its root in the position table, and an object's line and column. */
interface DocumentPlace {
  root(): number;
  position(path: Array<string | number>): { line: number; col: number };
}

/**
 * The document → object step: what each object of the document is, by its
 * apiVersion/kind, the list it came in, its fields (src/collectors/shapes.ts)
 * or the type the user stated. Kubernetes objects become objects, Google
 * Cloud resources go to `foreign` with their shape, the rest gets a notice.
 */
function classify(
  result: ManifestCollection,
  file: string,
  documentIndex: number,
  place: DocumentPlace,
  value: unknown,
  explicit: ExplicitInput | undefined,
): void {
  // Only the first unknown item and a count: a document of millions of scalars keeps no record per item.
  let firstUnknown: Recognized | undefined;
  let unknownCount = 0;
  // A document of only comments, or `null`, holds nothing: nothing to read, nothing to report.
  if (value === null || value === undefined) return;
  // `kubectl get services -o json` through the API (`kind: ServiceList`): every Service it was listed from.
  if (isRecord(value) && typeof value.kind === 'string' && value.kind !== 'List' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    const itemKind = value.kind.slice(0, -4);
    if (!result.typedLists.includes(itemKind)) result.typedLists.push(itemKind);
  }
  recognizeEach(value, explicit?.explicit, (item) => {
    if (item.emptyOf) {
      // A list that states its type and holds nothing is as complete as a typed file: evidence that there are none.
      // A list of clusters is the project's clusters.
      const type = INPUT_TYPES_BY_NAME.get(item.emptyOf.id === 'gcp:cluster' ? 'gcp:clusters' : item.emptyOf.inputType);
      if (!explicit && type) result.explicit.push({ file, explicit: { type }, objects: 0 });
      const where = item.path.length ? ` at ${item.path.join('.')}` : '';
      result.notices.push({ file, message: `document ${documentIndex + 1}${where}: an empty list of ${item.emptyOf.label.replace(/^an? /, '')} items${typeof (item.value as { kind?: unknown }).kind === 'string' ? ` (kind ${String((item.value as { kind: string }).kind)})` : ''}; read as evidence that there are none` });
      return;
    }
    if (item.kube && isKubeObject(item.value)) {
      if (explicit) explicit.objects++;
      addObject(result, file, documentIndex, place, item.path, item.value);
      return;
    }
    const shape = item.shape;
    if (shape?.domain === 'kube' && isRecord(item.value)) {
      if (explicit) explicit.objects++;
      const object = { ...item.value, apiVersion: typeof item.value.apiVersion === 'string' && item.value.apiVersion ? item.value.apiVersion : shape.apiVersion!, kind: shape.kind! } as KubeObject;
      const namespace = explicit?.explicit.type.name === shape.inputType ? explicit.explicit.qualifier : undefined;
      if (namespace && isRecord(object.metadata) && object.metadata.namespace === undefined) object.metadata = { ...object.metadata, namespace };
      if (item.by !== 'kind' || typeof item.value.apiVersion !== 'string') tallyShape(result, file, `${shape.kind} (${item.by === 'explicit' ? 'as stated' : item.by === 'wrapper' ? 'by the list it is in' : 'by its fields'})`);
      addObject(result, file, documentIndex, place, item.path, object);
      return;
    }
    if (shape && (shape.id === 'gcp:lb-request-log' || shape.id === 'gcp:health-check-log' || shape.id === 'gcp:log-entry')) {
      // Log entries pasted as YAML, or trimmed: reduced at once like the fast path's.
      if (explicit) explicit.objects++;
      addEntry(result.logs, item.value);
      return;
    }
    if (shape?.domain === 'gcp') {
      if (explicit) explicit.objects++;
      result.foreign.push({ file, documentIndex, value: item.value, shape: shape.id, ...(explicit ? { explicit: explicit.explicit } : {}) });
      return;
    }
    result.unrecognized++;
    unknownCount++;
    firstUnknown ??= item;
  });
  if (!firstUnknown) return;
  // One notice per document: a list of 500 unknown items is one thing to say.
  const first = firstUnknown;
  const where = first.path.length ? ` at ${first.path.join('.')}` : '';
  const what = explicit ? `is not ${explicit.explicit.type.name} (${unknownNotice(first)})` : unknownNotice(first);
  const more = unknownCount > 1 ? ` (and ${unknownCount - 1} more ${unknownCount === 2 ? 'item' : 'items'} of this document)` : '';
  result.notices.push({ file, message: `document ${documentIndex + 1}${where}: ${what}${more}` });
}

function positionOf(doc: Document, lineCounter: LineCounter, path: Array<string | number>): { line: number; col: number } {
  const node = (path.length ? doc.getIn(path, true) : doc.contents) as { range?: [number, number] } | undefined | null;
  return node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
}

/** Objects read by shape, per file: one notice per file, not one per object. */
const shapeTallies = new WeakMap<ManifestCollection, Map<string, Map<string, number>>>();

function tallyShape(result: ManifestCollection, file: string, what: string): void {
  let byFile = shapeTallies.get(result);
  if (!byFile) shapeTallies.set(result, (byFile = new Map()));
  let counts = byFile.get(file);
  if (!counts) byFile.set(file, (counts = new Map()));
  counts.set(what, (counts.get(what) ?? 0) + 1);
}

function reportShapeNotices(result: ManifestCollection, file: string): void {
  const counts = shapeTallies.get(result)?.get(file);
  if (!counts) return;
  shapeTallies.get(result)!.delete(file);
  const parts = [...counts].map(([what, n]) => `${n} ${what}`);
  result.notices.push({ file, message: `read without apiVersion/kind: ${parts.join(', ')}` });
}

/** Whether a text is JSON Lines: two or more lines, each a JSON object or array, and not one JSON value. */
export function isJsonLines(text: string): boolean {
  const trimmed = text.trimStart();
  if (trimmed[0] !== '{' && trimmed[0] !== '[') return false;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  // Pretty-printed JSON has lines that are not values of their own; JSON Lines has none.
  for (const line of lines.slice(0, 3)) {
    const t = line.trim();
    if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return false;
    try {
      JSON.parse(t);
    } catch {
      return false;
    }
  }
  return true;
}


function addObject(
  result: ManifestCollection,
  file: string,
  documentIndex: number,
  place: DocumentPlace,
  base: Array<string | number>,
  object: KubeObject,
): void {
  const id = result.objects.length;
  if (!isRecord(object.metadata)) object.metadata = {};
  const pos = place.position(base);
  result.objects.push({ object, file, documentIndex, base, line: pos.line, column: pos.col });
  result.sources.add(id, { file, root: place.root(), base });
}

export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === 'string' &&
    value.apiVersion.length > 0 &&
    typeof value.kind === 'string' &&
    value.kind.length > 0
  );
}

/**
 * Helm templates are not YAML until rendered. `{{` alone is not enough (it is
 * valid inside strings, e.g. alerting templates in a ConfigMap), so look for
 * template actions Helm charts use.
 */
const HELM_ACTION = /\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|include\s|template\s|define\s|toYaml|tpl\s|if\s|else|end\s*-?\}\}|range\s|with\s|\$[A-Za-z_]+\s*:=)/;

export function isHelmTemplate(text: string): boolean {
  return text.includes('{{') && HELM_ACTION.test(text);
}

async function listManifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
        await walk(full);
      } else if (MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        // Links, FIFOs, sockets and devices too: readFile skips what is not a regular file, with a notice.
        out.push(full);
      }
    }
  };
  await walk(dir);
  return out;
}

function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : absolute;
}

/** yaml's messages repeat the position ("… at line 3, column 1:") and quote the source; keep the sentence. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}
