#!/usr/bin/env node
/**
 * `npm run build` (and `prepare`, so a fresh clone's `npm ci` builds): bundles
 * the CLI with esbuild into dist/ as ES modules with code splitting. A run
 * loads dist/cli.js plus the chunks its command needs: every `import()` with a
 * literal path in src/ (the commands cli.ts wires, the report formats, the
 * collectors) becomes a chunk of its own, so a new command or format needs no
 * change here. Type errors are `npm run typecheck`'s job.
 *
 * Packages stay in node_modules (external), except the few every lint run
 * loads at start-up (bundling them saves resolving and reading their files):
 * the cloud SDKs, ink and ajv stay lazy, loaded only by the code that needs them.
 * Prints nothing on stdout: `npm pack` runs this as `prepare` (see .npmrc).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
/** Bundled: small, and on the start-up path of `lint`. */
const BUNDLED = new Set(['yaml', 'commander']);
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !BUNDLED.has(name));

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/cli.ts', out: 'cli' },
    // What scripts/update-docs.mjs imports.
    { in: 'src/reporters/rule-docs.ts', out: 'reporters/rule-docs' },
    { in: 'src/rules/index.ts', out: 'rules/index' },
    { in: 'src/collectors/shapes.ts', out: 'collectors/shapes' },
  ],
  outdir: 'dist',
  // Chunks sit beside cli.js: src/version.ts reads ../package.json relative to its module.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: `node${pkg.engines.node.replace(/^>=\s*/, '')}`,
  // Packages ship CommonJS (yaml, commander): let their require() calls work inside ES modules.
  banner: { js: "import { createRequire as __ndCreateRequire } from 'node:module'; const require = __ndCreateRequire(import.meta.url);" },
  external: [...external, ...external.map((name) => `${name}/*`)],
  // yaml's ES module build (its "default" export condition; Node gets CommonJS): the same code, and
  // esbuild drops what negdoctor never calls instead of evaluating all of yaml at start-up.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
if (result.errors.length > 0) process.exit(1);
