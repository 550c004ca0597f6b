/**
 * The position table (source-index.ts) against yaml's own Documents: for
 * every field path of every object (and paths that do not exist), `locate`
 * must give the range a walk over the parsed Document gives: key start
 * through value end for a map entry, the item for a sequence index, the
 * nearest existing parent otherwise, aliases followed to their anchors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Alias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { collectManifests } from '../../src/collectors/manifests/index.js';

/** The oracle: the Document walk the collector used before it released Documents. */
function reference(doc: Document, lc: LineCounter, file: string, fullPath: Array<string | number>) {
  let node: unknown = doc.contents;
  let [start, end] = (node as Node).range ?? [-1, -1];
  let found = 0;
  for (; found < fullPath.length; found++) {
    const segment = fullPath[found]!;
    if (node instanceof Alias) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const keyRange = (pair.key as Node).range;
      const valueRange = (pair.value as Node | null)?.range;
      if (keyRange) [start, end] = [keyRange[0], valueRange ? valueRange[1] : keyRange[1]];
      else if (valueRange) [start, end] = [valueRange[0], valueRange[1]];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) break;
      if (item.range) [start, end] = [item.range[0], item.range[1]];
      node = item;
    } else break;
  }
  const s = lc.linePos(start);
  const e = lc.linePos(end);
  return { file, line: s.line, column: s.col, endLine: e.line, endColumn: e.col, exact: found === fullPath.length };
}

function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = [], depth = 0): Array<Array<string | number>> {
  out.push(prefix);
  if (depth > 12) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths(v, [...prefix, i], out, depth + 1));
    out.push([...prefix, value.length], [...prefix, 'missing']);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out, depth + 1);
    out.push([...prefix, 'missing'], [...prefix, 0]);
  }
  return out;
}

const TRICKY = `# comment before the first document
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  labels: &labels
    app: web
    "80": quoted-numeric-key
  annotations:
    empty:
    flow: {a: 1, b: [x, y]}
spec:
  replicas: 2
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        extra: yes
    spec:
      containers:
        - name: app
          ports: [{containerPort: 8080, name: http}, {containerPort: 9090}]
          args:
            - |
              multi
              line
            - &plain single
            - *plain
          env:
          -   name: A
              value: "1"
      dup: first
      dup: second
---
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: one}
    spec:
      ports:
      - port: 80
        targetPort: http
  - {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "two"}, "data": {"k": "v"}}
---
apiVersion: v1
kind: PodList
items:
- metadata:
    name: p
  spec:
    containers: []
`;

describe('position table', () => {
  it('locates every field, and every missing one, as a walk over the yaml Document does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-positions-'));
    writeFileSync(path.join(dir, 'tricky.yaml'), TRICKY);
    writeFileSync(path.join(dir, 'flow.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'j', labels: { a: 'b' } }, spec: { ports: [{ port: 1 }, { port: 2 }] } }, null, 1));
    const result = await collectManifests(['tricky.yaml', 'flow.json'], { cwd: dir });
    expect(result.objects.map((o) => o.object.metadata.name)).toEqual(['web', 'one', 'two', 'p', 'j']);

    const parsed = new Map<string, { docs: Document[]; lc: LineCounter }>();
    for (const file of ['tricky.yaml', 'flow.json']) {
      const lc = new LineCounter();
      const text = result.sources.files.get(file)!.text!;
      parsed.set(file, { docs: parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false, merge: true }) as Document[], lc });
    }
    let checked = 0;
    result.objects.forEach((o, id) => {
      const { docs, lc } = parsed.get(o.file)!;
      for (const p of paths(o.object)) {
        expect({ path: p, at: result.sources.locate(id, p) }).toEqual({ path: p, at: reference(docs[o.documentIndex]!, lc, o.file, [...o.base, ...p]) });
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(150);
  });

  it('knows no syntax error in a clean file and flags one in a broken file, for fix', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-positions-'));
    writeFileSync(path.join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n');
    writeFileSync(path.join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\na: [\n');
    const result = await collectManifests(['ok.yaml', 'bad.yaml'], { cwd: dir });
    expect(result.sources.files.get('ok.yaml')!.syntaxError).toBe(false);
    expect(result.sources.files.get('bad.yaml')!.syntaxError).toBe(true);
    expect(result.sources.locate(1, ['metadata', 'name'])).toEqual({ file: 'bad.yaml', line: 4, column: 3, endLine: 4, endColumn: 10, exact: true });
  });

  it('releases the file text when the command never edits (keepText false), and still locates every field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-positions-'));
    writeFileSync(path.join(dir, 'tricky.yaml'), TRICKY);
    const kept = await collectManifests(['tricky.yaml'], { cwd: dir });
    const released = await collectManifests(['tricky.yaml'], { cwd: dir, keepText: false });
    expect(kept.sources.files.get('tricky.yaml')!.text).toBe(TRICKY);
    expect(released.sources.files.get('tricky.yaml')!.text).toBeUndefined();
    expect(released.objects.map((o) => o.object)).toEqual(kept.objects.map((o) => o.object));
    let checked = 0;
    kept.objects.forEach((o, id) => {
      for (const p of paths(o.object)) {
        expect(released.sources.locate(id, p)).toEqual(kept.sources.locate(id, p));
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(100);
  });
});
