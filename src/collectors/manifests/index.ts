/**
 * The manifest collector: files, directories and stdin → Kubernetes objects
 * with their source positions. Bad input never stops it: a syntax error, an
 * unreadable file or a binary file becomes an InputProblem (reported by the
 * `yaml-syntax` rule) and the other documents and files are still read.
 */
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Composer, LineCounter, Parser, type Document } from 'yaml';
import type { InputNotice, InputProblem, KubeObject } from '../../snapshot/types.js';
import { isRecord } from '../../model/values.js';
import { SourceIndex } from './source-index.js';
import { FALLBACK, fastToJS } from './to-js.js';

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
}

/** A path the user named that cannot be read at all: a usage error (exit 2), unlike a bad document. */
export class InputError extends Error {}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Never manifests. Other dot-directories are read: `.github/` often holds deployment YAML. */
const SKIPPED_DIRECTORIES = new Set(['.git', '.hg', '.svn', 'node_modules']);
/** Alias expansions beyond this are treated as an alias bomb (yaml's own guard). */
const MAX_ALIAS_COUNT = 1000;
/** Files larger than this are not parsed. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface CollectOptions {
  /** Reads stdin for the path `-`. */
  readStdin?: () => Promise<Buffer>;
  cwd?: string;
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
  };
  for (const input of inputs) {
    if (input === '-') {
      const data = await (options.readStdin ?? readStdin)();
      readBuffer(result, '<stdin>', data);
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
      const files = await listManifestFiles(absolute);
      if (files.length === 0) {
        result.notices.push({ file: displayPath(absolute, cwd), message: 'directory holds no .yaml, .yml or .json files' });
      }
      for (const file of files) await readFile(result, file, cwd);
    } else {
      await readFile(result, absolute, cwd);
    }
  }
  return result;
}

async function readFile(result: ManifestCollection, absolute: string, cwd: string): Promise<void> {
  const file = displayPath(absolute, cwd);
  let data: Buffer;
  try {
    // Synchronous on purpose: files are parsed one after the other anyway, and
    // awaiting the thread pool per file left the CPU idle (~80 ms per 100 files).
    const stat = statSync(absolute);
    if (stat.size > MAX_FILE_BYTES) {
      result.files.push(file);
      result.problems.push({ kind: 'resource-limit', file, message: `file is ${stat.size} bytes; files over ${MAX_FILE_BYTES} bytes are not parsed` });
      return;
    }
    data = readFileSync(absolute);
  } catch (error) {
    result.files.push(file);
    result.problems.push({ kind: 'unreadable', file, message: `cannot read file: ${describeFsError(error)}` });
    return;
  }
  readBuffer(result, file, data);
}

function readBuffer(result: ManifestCollection, file: string, data: Buffer): void {
  result.files.push(file);
  if (data.subarray(0, 8192).includes(0)) {
    result.problems.push({ kind: 'encoding', file, message: 'binary file (contains NUL bytes); not YAML or JSON' });
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
  parseText(result, file, text);
}

function parseText(result: ManifestCollection, file: string, text: string): void {
  const lineCounter = new LineCounter();
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
    for (const doc of composer.compose(new Parser(lineCounter.addNewLine).parse(text))) {
      for (const error of doc.errors) if (error.pos[0] !== -1) error.linePos = [lineCounter.linePos(error.pos[0]), lineCounter.linePos(error.pos[1])];
      syntaxError ||= doc.errors.length > 0;
      readDocument(doc, documentIndex++);
    }
  } catch (error) {
    // The parser is recursive: pathological nesting can exhaust the stack.
    result.problems.push({ kind: 'resource-limit', file, message: `cannot parse: ${(error as Error).message}` });
    syntaxError = true; // `fix` leaves the file alone
  } finally {
    result.sources.addFile(file, text, lineCounter.lineStarts, syntaxError);
    result.sources.releaseDocument();
  }

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
    const docStart = doc.contents.range ? lineCounter.linePos(doc.contents.range[0]) : { line: 1, col: 1 };
    if (isKubeObject(value)) {
      if (isList(value)) addListItems(result, file, documentIndex, doc, lineCounter, value);
      else addObject(result, file, documentIndex, doc, [], value, docStart);
      return;
    }
    result.foreign.push({ file, documentIndex, value });
  }
}

function addListItems(
  result: ManifestCollection,
  file: string,
  documentIndex: number,
  doc: Document,
  lineCounter: LineCounter,
  list: KubeObject,
): void {
  const items = list.items as unknown[];
  // `kubectl get pods -o json` items carry apiVersion/kind; raw API lists (PodList) do not.
  const itemKind = list.kind !== 'List' && list.kind.endsWith('List') ? list.kind.slice(0, -4) : undefined;
  items.forEach((item, index) => {
    if (!isRecord(item)) return;
    const candidate = { ...item };
    if (itemKind && typeof candidate.kind !== 'string') candidate.kind = itemKind;
    if (itemKind && typeof candidate.apiVersion !== 'string') candidate.apiVersion = list.apiVersion;
    if (!isKubeObject(candidate)) {
      result.foreign.push({ file, documentIndex, value: item });
      return;
    }
    const node = doc.getIn(['items', index], true) as { range?: [number, number] } | undefined;
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
    addObject(result, file, documentIndex, doc, ['items', index], candidate, pos);
  });
}

function addObject(
  result: ManifestCollection,
  file: string,
  documentIndex: number,
  doc: Document,
  base: Array<string | number>,
  object: KubeObject,
  pos: { line: number; col: number },
): void {
  const id = result.objects.length;
  if (!isRecord(object.metadata)) object.metadata = {};
  result.objects.push({ object, file, documentIndex, base, line: pos.line, column: pos.col });
  result.sources.add(id, { file, root: result.sources.rootOf(doc), base });
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

function isList(object: KubeObject): boolean {
  return Array.isArray(object.items) && (object.kind === 'List' || object.kind.endsWith('List'));
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
      } else if ((entry.isFile() || entry.isSymbolicLink()) && MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
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

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (error as Error).message;
  }
}

/** yaml's messages repeat the position ("… at line 3, column 1:") and quote the source; keep the sentence. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
