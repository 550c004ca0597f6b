/**
 * `negdoctor fix` round trips: only the edited fields change (comments, key
 * order, quoting and the other documents keep their bytes), a second run
 * changes nothing, and unsafe edits and files are refused, not guessed.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixCommand } from '../../src/commands/fix.js';
import type { CommonOptions } from '../../src/pipeline/options.js';
import { applyFix, FileFixer, UnsafeEdit } from '../../src/fix/index.js';

const MULTI = `# Shop manifests: comments, quoting and layout must survive a fix.
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    cloud.google.com/neg: '{"ingress": true}'   # quoted JSON stays quoted
spec:
  selector: {app: web}
  ports:
    - name: http
      port: 80
      targetPort: http
---
# The workload.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3   # three zones
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: "0"      # was a string on purpose
      maxUnavailable: 1  # oops
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app                # sequence not indented under its key
        image: "example/web:1"
        ports:
        - name: http
          containerPort: 8080
        readinessProbe:
          httpGet: {path: /healthz, port: http}
---
apiVersion: v1
kind: ConfigMap   # untouched document
metadata:
  name: settings
data:
  key: "value"    # keeps its quotes
`;

let dir: string;
let cwd: string;
const out: string[] = [];
const err: string[] = [];

function options(dryRun = false): CommonOptions & { dryRun: boolean } {
  return { format: 'text', failOn: 'error', failOnExplicit: false, enable: [], disable: [], color: false, quiet: false, dryRun };
}

async function runFix(paths: string[], dryRun = false, beforeWrite?: (file: string) => Promise<void>): Promise<number> {
  out.length = 0;
  err.length = 0;
  return fixCommand(paths, options(dryRun), { out: (t) => out.push(t), err: (t) => err.push(t), ...(beforeWrite ? { beforeWrite } : {}) });
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'negdoctor-fix-'));
  cwd = process.cwd();
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(cwd);
  await fs.chmod(path.join(dir, 'app.yaml'), 0o644).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

/** Lines of `before` that no longer appear, in order, in `after`: what an edit replaced. */
function missingLines(before: string, after: string): string[] {
  const kept = after.split('\n');
  let j = 0;
  const missing: string[] = [];
  for (const line of before.split('\n')) {
    const at = kept.indexOf(line, j);
    if (at === -1) missing.push(line);
    else j = at + 1;
  }
  return missing;
}

describe('negdoctor fix', () => {
  it('edits only the affected fields of a multi-document file with comments, and a second run changes nothing', async () => {
    await fs.writeFile('app.yaml', MULTI);
    expect(await runFix(['app.yaml'])).toBe(0);
    const fixed = await fs.readFile('app.yaml', 'utf8');

    // The first and last documents keep their exact bytes.
    const docsBefore = parseAllDocuments(MULTI);
    const docsAfter = parseAllDocuments(fixed);
    expect(docsAfter).toHaveLength(3);
    for (const i of [0, 2]) {
      expect(fixed.slice(docsAfter[i]!.range[0], docsAfter[i]!.range[2])).toBe(MULTI.slice(docsBefore[i]!.range[0], docsBefore[i]!.range[2]));
    }
    // Every original line is still there, in order, except the two edited scalars.
    const missing = missingLines(MULTI, fixed);
    expect(missing).toEqual(['      maxSurge: "0"      # was a string on purpose', '      maxUnavailable: 1  # oops']);
    // The edits: scalars replaced in place (comments kept), new keys in the file's own style.
    expect(fixed).toContain('      maxSurge: 1      # was a string on purpose\n      maxUnavailable: 0  # oops\n');
    expect(fixed).toContain(
      [
        '          httpGet: {path: /healthz, port: http}',
        '        lifecycle:',
        '          preStop:',
        '            sleep:',
        '              seconds: 15',
        '      terminationGracePeriodSeconds: 60',
        '---',
      ].join('\n'),
    );
    expect(out.join('')).toMatch(/fixed app\.yaml: set maxUnavailable to 0 and maxSurge to 1 \(max-unavailable-nonzero, Deployment shop\/web\)/);

    // Idempotent: nothing left to fix, the file is untouched.
    expect(await runFix(['app.yaml'])).toBe(0);
    expect(await fs.readFile('app.yaml', 'utf8')).toBe(fixed);
    expect(err.join('')).toContain('applied 0 fixes in 0 files');
  });

  it('--dry-run prints a unified diff and writes nothing', async () => {
    await fs.writeFile('app.yaml', MULTI);
    expect(await runFix(['app.yaml'], true)).toBe(0);
    expect(await fs.readFile('app.yaml', 'utf8')).toBe(MULTI);
    const diff = out.join('');
    expect(diff).toContain('--- a/app.yaml\n+++ b/app.yaml\n');
    expect(diff).toContain('-      maxSurge: "0"      # was a string on purpose\n-      maxUnavailable: 1  # oops\n+      maxSurge: 1      # was a string on purpose\n+      maxUnavailable: 0  # oops\n');
    expect(diff).toContain('+      terminationGracePeriodSeconds: 60\n');
    expect(diff).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    expect(err.join('')).toContain('would apply');
  });

  it('fixes an object inside a kind: List at the right indentation', async () => {
    const list = MULTI.split('---\n')
      .slice(0, 2)
      .map((d) => d.replace(/^#.*\n/gm, ''));
    const yamlList = `apiVersion: v1\nkind: List\nitems:\n${list.map((d) => d.trimEnd().split('\n').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n')).join('\n')}\n`;
    await fs.writeFile('app.yaml', yamlList);
    expect(await runFix(['app.yaml'])).toBe(0);
    const fixed = await fs.readFile('app.yaml', 'utf8');
    expect(fixed).toContain('\n        terminationGracePeriodSeconds: 60\n');
    expect(missingLines(yamlList, fixed), 'only the two edited scalars lose their line').toEqual([
      '        maxSurge: "0"      # was a string on purpose',
      '        maxUnavailable: 1  # oops',
    ]);
    expect(await runFix(['app.yaml'])).toBe(0);
    expect(await fs.readFile('app.yaml', 'utf8')).toBe(fixed);
  });

  describe('refuses and leaves the file untouched', () => {
    it('a symlink', async () => {
      await fs.writeFile('real.yaml', MULTI);
      await fs.symlink('real.yaml', 'app.yaml');
      expect(await runFix(['app.yaml'])).toBe(1);
      expect(err.join('')).toMatch(/not fixing app\.yaml: it is a symbolic link/);
      expect(await fs.readFile('real.yaml', 'utf8')).toBe(MULTI);
      expect((await fs.lstat('app.yaml')).isSymbolicLink()).toBe(true);
    });

    it('a read-only file', async () => {
      await fs.writeFile('app.yaml', MULTI);
      await fs.chmod('app.yaml', 0o444);
      expect(await runFix(['app.yaml'])).toBe(1);
      expect(err.join('')).toMatch(/not fixing app\.yaml: it is read-only/);
      expect(await fs.readFile('app.yaml', 'utf8')).toBe(MULTI);
    });

    it('a file with a syntax error', async () => {
      const broken = `${MULTI}---\nkind: [unclosed\n`;
      await fs.writeFile('app.yaml', broken);
      expect(await runFix(['app.yaml'])).toBe(1);
      expect(err.join('')).toMatch(/not fixing app\.yaml: it has a YAML syntax error/);
      expect(await fs.readFile('app.yaml', 'utf8')).toBe(broken);
    });

    it('a file that changed since it was read', async () => {
      await fs.writeFile('app.yaml', MULTI);
      const edited = `${MULTI}# edited by someone else meanwhile\n`;
      expect(await runFix(['app.yaml'], false, async (file) => fs.writeFile(file, edited))).toBe(1);
      expect(err.join('')).toMatch(/not fixing app\.yaml: it changed since it was read/);
      expect(await fs.readFile('app.yaml', 'utf8')).toBe(edited);
    });
  });
});

describe('FileFixer: a fix parses only its own document, and gives what applyFix on the whole file gives', () => {
  const request = (documentIndex: number, path: Array<string | number>, value: unknown) => ({
    documentIndex,
    base: [],
    fix: { description: 'test', edits: [{ op: 'set' as const, path, value }] },
  });
  const splice = (text: string, edit: { start: number; end: number; text: string }) => text.slice(0, edit.start) + edit.text + text.slice(edit.end);

  it('edits one document of a stream the way the whole-file edit does, in every kind of document', () => {
    const streams = [
      '# lead\na: 1\n---\nb: 2\n# c\n--- # marker comment\nc: 5\nd:\n  e: 3\n...\n---\ne: 4\n',
      // Directives before a document: it is edited through the whole file.
      'a: 1\n...\n%YAML 1.1\n---\nb: yes\n---\nc: 3\n',
      // An indented first document does not read the same alone.
      '  a: 1\n  b: 2\n---\nc: 3\n',
      // CRLF, no final newline.
      'a: 1\r\n---\r\nb: 2',
    ];
    let checked = 0;
    for (const text of streams) {
      const docs = parseAllDocuments(text).length;
      for (let i = 0; i < docs; i++) {
        const value = parseAllDocuments(text)[i]!.toJS() as Record<string, unknown>;
        const key = Object.keys(value)[0]!;
        const whole = applyFix(text, request(i, [key], 9));
        const fixer = new FileFixer(text);
        expect(splice(text, fixer.replacement(request(i, [key], 9))), `${JSON.stringify(text)} #${i}`).toBe(whole);
        fixer.apply(request(i, [key], 9));
        expect(fixer.text).toBe(whole);
        checked++;
      }
    }
    expect(checked).toBe(11);
  });

  it('applies several fixes one after another, to the same and to other documents', () => {
    const text = 'a: 1\n---\nb: 2\nc: 3\n---\nd: 4\n';
    const fixer = new FileFixer(text);
    fixer.apply(request(1, ['b'], 20));
    fixer.apply(request(1, ['c'], 30));
    fixer.apply(request(2, ['e'], 5));
    expect(fixer.text).toBe('a: 1\n---\nb: 20\nc: 30\n---\nd: 4\ne: 5\n');
    // The replacement is always against the file as read.
    expect(splice(text, fixer.replacement(request(0, ['a'], 7)))).toBe('a: 7\n---\nb: 2\nc: 3\n---\nd: 4\n');
  });

  it('refuses as applyFix does, and changes nothing when it refuses', () => {
    const text = 'a: 1\n---\ndefaults: &d\n  x: 1\nspec: *d\n';
    const fixer = new FileFixer(text);
    expect(() => fixer.apply(request(1, ['spec', 'x'], 2))).toThrow(/alias/);
    expect(() => fixer.apply(request(5, ['a'], 2))).toThrow(/document 6 no longer exists/);
    expect(fixer.text).toBe(text);
    expect(() => new FileFixer('a: 1\n---\nb: [\n').replacement(request(0, ['a'], 2))).toThrow(/syntax error/);
  });
});

describe('applyFix: unsafe edits are reported, not guessed', () => {
  const request = (path: Array<string | number>, value: unknown) => ({
    documentIndex: 0,
    base: [],
    fix: { description: 'test', edits: [{ op: 'set' as const, path, value }] },
  });

  it('refuses edits inside an anchored node or through an alias', () => {
    const text = 'defaults: &d\n  maxUnavailable: 1\nspec:\n  strategy: *d\n';
    expect(() => applyFix(text, request(['defaults', 'maxUnavailable'], 0))).toThrow(/anchor &d/);
    expect(() => applyFix(text, request(['spec', 'strategy', 'maxUnavailable'], 0))).toThrow(/alias/);
  });

  it('refuses flow collections and merge keys', () => {
    expect(() => applyFix('spec: {strategy: {maxUnavailable: 1}}\n', request(['spec', 'strategy', 'maxUnavailable'], 0))).toThrow(/flow-style/);
    expect(() => applyFix('base: {a: 1}\nspec:\n  <<: {b: 2}\n  c: 3\n', request(['spec', 'd'], 0))).toThrow(/merge key/);
  });

  it('refuses empty values and new list items', () => {
    expect(() => applyFix('spec:\n  lifecycle:\n  x: 1\n', request(['spec', 'lifecycle', 'preStop'], { sleep: { seconds: 5 } }))).toThrow(UnsafeEdit);
    expect(() => applyFix('spec:\n  containers:\n    - name: a\n', request(['spec', 'containers', 1, 'name'], 'b'))).toThrow(/list item/);
  });

  it('keeps quoting style of a replaced string and CRLF line endings of inserted lines', () => {
    expect(applyFix("a: 'x'\nb: 1\n", request(['a'], "it's"))).toBe("a: 'it''s'\nb: 1\n");
    expect(applyFix('a:\r\n  b: 1\r\nc: 2\r\n', request(['a', 'd'], 3))).toBe('a:\r\n  b: 1\r\n  d: 3\r\nc: 2\r\n');
  });

  it('leaves other documents byte-identical and does nothing when the value is already set', () => {
    const text = 'a: 1\n---\n# keep\nb:   "2"\n';
    expect(applyFix(text, request(['a'], 1))).toBe(text);
    expect(applyFix(text, request(['c'], 3))).toBe('a: 1\nc: 3\n---\n# keep\nb:   "2"\n');
  });
});
