/**
 * The house rules of src/ (SPEC §2), checked over the import graph so the
 * layering stays true: imports point down the layers, there are no cycles,
 * src/rules/ holds rules only and is reached from outside through its
 * registry, and no file grows past what a reader holds.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES } from '../src/rules/index.js';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Top to bottom; a module may import from its own layer's folder and from any layer below. */
const LAYERS: string[][] = [
  ['cli'],
  ['commands'],
  ['serve'],
  ['pipeline'],
  ['reporters'],
  ['fix'],
  ['engine', 'baseline'],
  ['correlate'],
  ['rules'],
  ['collectors', 'config'],
  ['model'],
  ['analysis'],
  ['snapshot', 'util', 'findings', 'exit', 'version', 'package-root'],
];
/** The ground floor's parts may use each other; elsewhere two folders of one layer stay independent. */
const GROUND = LAYERS.length - 1;
const MAX_LINES = 600;

interface Module {
  file: string;
  unit: string;
  imports: string[];
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The folder under src/, or the file name for a top-level file. */
function unitOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length > 0 ? first! : first!.replace(/\.tsx?$/, '');
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function resolveImport(from: string, spec: string, known: Set<string>): string {
  const base = path.resolve(path.dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (known.has(candidate)) return candidate;
  throw new Error(`${path.relative(SRC, from)} imports ${spec}, which is no source file`);
}

function readModules(): Module[] {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  return files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(IMPORT)].map((m) => resolveImport(file, (m[1] ?? m[2] ?? m[3])!, known));
    return { file, unit: unitOf(file), imports, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) };
  });
}

function layerOf(unit: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(unit));
  if (index < 0) throw new Error(`src/${unit} is in no layer: add it to LAYERS in test/architecture.test.ts`);
  return index;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cycles(modules: Module[]): string[][] {
  const byFile = new Map(modules.map((m) => [m.file, m]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of byFile.get(file)!.imports) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(path.relative(SRC, member));
      } while (member !== file);
      if (component.length > 1 || byFile.get(file)!.imports.includes(file)) found.push(component.sort());
    }
  };
  for (const m of modules) if (!index.has(m.file)) visit(m.file);
  return found;
}

const modules = readModules();
const rel = (file: string) => path.relative(SRC, file);

describe('the layering of src/', () => {
  it('puts every folder and top-level file in a layer', () => {
    for (const m of modules) expect(() => layerOf(m.unit), rel(m.file)).not.toThrow();
  });

  it('has imports that point down the layers only', () => {
    const upward: string[] = [];
    for (const m of modules) {
      const from = layerOf(m.unit);
      for (const target of m.imports) {
        const unit = unitOf(target);
        if (unit === m.unit) continue;
        const to = layerOf(unit);
        if (to > from || (to === from && from === GROUND)) continue;
        upward.push(`${rel(m.file)} → ${rel(target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles(modules)).toEqual([]);
  });

  it('is reached in src/rules/ only through the registry and defineRule', () => {
    const entry = new Set(['rules/index.ts']);
    const reachedFromOutside = modules.flatMap((m) =>
      m.unit === 'rules' ? [] : m.imports.filter((t) => unitOf(t) === 'rules' && !entry.has(rel(t))).map((t) => `${rel(m.file)} → ${rel(t)}`),
    );
    expect(reachedFromOutside).toEqual([]);
  });

  it('keeps one file per rule in src/rules/, named by its id, and nothing else', () => {
    const ids = new Set(RULES.map((r) => r.meta.id));
    const files = readdirSync(path.join(SRC, 'rules'), { withFileTypes: true });
    const others = files
      .filter((f) => !(f.isDirectory() && f.name === 'catalog'))
      .map((f) => f.name)
      .filter((name) => !['index.ts', 'define-rule.ts'].includes(name) && !ids.has(name.replace(/\.ts$/, '')));
    expect(others).toEqual([]);
    for (const id of ids) expect(files.some((f) => f.name === `${id}.ts`), `src/rules/${id}.ts`).toBe(true);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    expect(modules.filter((m) => m.lines > MAX_LINES).map((m) => `${rel(m.file)} (${m.lines})`)).toEqual([]);
  });
});

describe('the import graph reader', () => {
  it('finds a cycle and an upward import when there is one', () => {
    const a = path.join(SRC, 'model/a.ts');
    const b = path.join(SRC, 'model/b.ts');
    expect(cycles([
      { file: a, unit: 'model', imports: [b], lines: 1 },
      { file: b, unit: 'model', imports: [a], lines: 1 },
    ])).toEqual([['model/a.ts', 'model/b.ts']]);
    expect(layerOf('analysis')).toBeGreaterThan(layerOf('model'));
  });

  it('reads static, type-only, re-export and dynamic imports', () => {
    const text = "import type { A } from './a.js';\nexport { B } from '../b/index.js';\nconst c = await import('./c.js');\nimport './d.js';\n";
    expect([...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3])).toEqual(['./a.js', '../b/index.js', './c.js', './d.js']);
  });
});
