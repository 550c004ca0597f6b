import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';
import { FALLBACK, fastToJS } from '../../src/collectors/manifests/to-js.js';

const ROOT = path.resolve(__dirname, '../..');

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (entry === 'node_modules' || entry.startsWith('tmp-')) continue;
    if (statSync(full).isDirectory()) yamlFiles(full, out);
    else if (/\.(ya?ml|json)$/.test(entry)) out.push(full);
  }
  return out;
}

/** As the collector parses. */
function docs(text: string): Document[] {
  return parseAllDocuments(text, { uniqueKeys: false, merge: true }) as Document[];
}

/** yaml's toJS, or its error message. */
function reference(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('fastToJS', () => {
  it('gives what yaml toJS gives for every fixture document, or falls back', () => {
    let fast = 0;
    for (const file of [...yamlFiles(path.join(ROOT, 'fixtures')), ...yamlFiles(path.join(ROOT, 'test'))]) {
      for (const doc of docs(readFileSync(file, 'utf8'))) {
        if (doc.errors.length > 0 || doc.contents === null) continue;
        const value = fastToJS(doc);
        if (value === FALLBACK) continue;
        fast++;
        expect(isDeepStrictEqual(value, reference(doc)), file).toBe(true);
      }
    }
    expect(fast).toBeGreaterThan(100);
  });

  it('gives an alias the anchored value (an equal copy when the document is copied compact)', () => {
    const [doc] = docs('a: &l {x: 1}\nb: *l\nc: &s 2\nd: *s\n');
    const value = fastToJS(doc!) as Record<string, unknown>;
    expect(value).toEqual(doc!.toJS());
    expect(value.b).toEqual({ x: 1 });
  });

  it('copies a document compact, except when JSON would change a number or aliases would multiply it', () => {
    // Compact: fresh objects and strings, not slices of the file text.
    const [plain] = docs('metadata:\n  name: a-name-longer-than-thirteen\n  labels: &l {app: web}\nspec: {selector: *l}\n');
    const copied = fastToJS(plain!) as { metadata: { labels: unknown }; spec: { selector: unknown } };
    expect(copied).toEqual(plain!.toJS());
    expect(copied.spec.selector).not.toBe(copied.metadata.labels);
    // Numbers JSON cannot carry keep the walk's value.
    const [numbers] = docs('a: .inf\nb: -.inf\nc: .nan\nd: -0\ne: 1\n');
    const kept = fastToJS(numbers!) as Record<string, number>;
    expect(kept.a).toBe(Infinity);
    expect(kept.b).toBe(-Infinity);
    expect(kept.c).toBeNaN();
    expect(Object.is(kept.d, -0)).toBe(true);
    // 50 aliases of a 40-node anchor: a copy would be 50 times the anchor; the shared value is kept.
    const big = `a: &a {${Array.from({ length: 20 }, (_, i) => `k${i}: v${i}`).join(', ')}}\nb: [${Array.from({ length: 50 }, () => '*a').join(', ')}]\n`;
    const [bomb] = docs(big);
    const shared = fastToJS(bomb!) as { a: unknown; b: unknown[] };
    expect(shared).toEqual(bomb!.toJS());
    expect(shared.b[49]).toBe(shared.a);
  });

  it('resolves an alias to the last anchor of that name before it', () => {
    const [doc] = docs('a: &x 1\nb: &x {c: &x 3, d: *x}\ne: *x\n');
    expect(fastToJS(doc!)).toEqual(doc!.toJS());
  });

  it('handles duplicate, inherited and __proto__ keys and non-string keys like yaml', () => {
    for (const text of ['a: 1\na: 2\n', '__proto__: {x: 1}\ntoString: 2\n', '1: a\ntrue: b\nnull: c\n~: d\n0x1F: e\n', '? \n: v\n']) {
      const [doc] = docs(text);
      const value = fastToJS(doc!);
      if (value === FALLBACK) continue;
      expect(isDeepStrictEqual(value, reference(doc!)), text).toBe(true);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    }
  });

  it('falls back for merge keys, collection keys, tags with their own classes, self-references and alias bombs', () => {
    const bomb = `a: &a [x]\nb: [${Array.from({ length: 200 }, () => '*a').join(', ')}]\n`;
    const nested = 'a: &a [x]\nb: &b [*a, *a]\nc: [*b, *b]\n';
    for (const text of [
      'base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n',
      '? [a, b]\n: 1\n',
      '? {a: 1}\n: 1\n',
      '&a [*a]\n',
      'a: *missing\n',
      bomb,
      nested,
      '%YAML 1.1\n---\ns: !!set {a, b}\no: !!omap [a: 1]\n',
    ]) {
      const [doc] = docs(text);
      expect(fastToJS(doc!), text).toBe(FALLBACK);
    }
  });
});
