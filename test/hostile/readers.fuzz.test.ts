/**
 * Issue 20: property-based fuzz of the readers. A fixed seed in CI; `npm run
 * fuzz` runs many more iterations (FUZZ_RUNS, FUZZ_SEED to vary).
 *
 *   - JSON read by JSON.parse gives the value and the finding positions yaml
 *     gave for the same text (json-positions.ts against source-index.ts);
 *   - any text or bytes, as a file's contents, is read without throwing;
 *     bad input becomes problems and notices, never an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Composer, LineCounter, Parser } from 'yaml';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { readJson, NOT_JSON, lineStartsOf } from '../../src/collectors/manifests/json-positions.js';
import { SourceIndex } from '../../src/collectors/manifests/source-index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20);
const options = { numRuns: RUNS, seed: SEED };
const timeout = Math.max(60_000, RUNS * 50);

/** Every path into a value (object keys and array indexes), the root included. */
function pathsOf(value: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  return out;
}

function viaYaml(text: string): { value: unknown; index: SourceIndex } | undefined {
  const lineCounter = new LineCounter();
  const docs = [...new Composer({ uniqueKeys: false, merge: true }).compose(new Parser(lineCounter.addNewLine).parse(text))];
  if (docs.length !== 1 || docs[0]!.errors.length > 0) return undefined;
  const index = new SourceIndex();
  index.addFile('f', undefined, lineCounter.lineStarts, false);
  index.add(0, { file: 'f', root: index.rootOf(docs[0]!), base: [] });
  return { value: docs[0]!.toJS(), index };
}

function viaJson(text: string): { value: unknown; index: SourceIndex } {
  const value = readJson(text);
  expect(value).not.toBe(NOT_JSON);
  const index = new SourceIndex();
  index.addFile('f', undefined, lineStartsOf(text), false);
  index.add(0, { file: 'f', root: index.rootOfJson(text), base: [] });
  return { value, index };
}

/** A JSON text of an object or array, with the whitespace people and tools use. */
const jsonText = fc
  .tuple(
    fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue())),
    fc.constantFrom(0, 1, 2, 4, '\t'), // not a lone "\r": YAML takes it as text, JSON as space
    fc.constantFrom('', ' ', '\n', '\r\n'),
  )
  .map(([value, indent, around]) => `${around}${JSON.stringify(value, null, indent as number | string)}${around}`);

describe('JSON read without yaml: same value, same positions', () => {
  it(`JSON.parse and the position scan agree with yaml (${RUNS} runs, seed ${SEED})`, () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        const yaml = viaYaml(text);
        fc.pre(yaml !== undefined); // text yaml itself rejects (e.g. a tab where YAML forbids one) has nothing to compare
        const json = viaJson(text);
        expect(json.value).toEqual(yaml!.value);
        for (const path of pathsOf(json.value)) expect(json.index.locate(0, path)).toEqual(yaml!.index.locate(0, path));
      }),
      options,
    );
  }, timeout);
});

describe('any input is read without throwing', () => {
  const read = async (data: Buffer) => collectManifests(['-'], { readStdin: async () => data });
  const texts = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 400 }),
    jsonText,
    // YAML-ish fragments: indentation, anchors, aliases, tags, flow and block collections, document markers.
    fc
      .array(fc.constantFrom('---\n', 'a: ', '- ', '  ', '&x ', '*x', '!!str ', '!!js/function ', '<<: *x\n', '{', '}', '[', ']', ',', ':', '"', "'", '#', '\n', 'kind: Pod\n', 'apiVersion: v1\n', 'items:\n', 'x', '1', 'null', '\t', '? ', '|\n', '%YAML 1.2\n'), { maxLength: 80 })
      .map((parts) => parts.join('')),
  );
  it(`text (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        const result = await read(Buffer.from(text));
        expect(Array.isArray(result.problems)).toBe(true);
        for (const o of result.objects) expect(typeof o.object.kind).toBe('string');
      }),
      options,
    );
  }, timeout);

  it(`bytes (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const result = await read(Buffer.from(bytes));
        expect(result.files).toEqual(['<stdin>']);
      }),
      options,
    );
  }, timeout);
});
