/**
 * The fixture harness: a case is a file (or a directory of files) under
 * `fixtures/rules/<rule-id>/{fires,silent}/`. Expected findings are written
 * in the case itself, ESLint RuleTester style:
 *
 *   # expect: <rule-id> <line>:<column>          (YAML comment, in the file it is about)
 *   # config: {"gkeVersion": "1.16"}             (optional .negdoctor.yaml content as JSON)
 *   # now: 2026-01-01T00:00:00Z                  (optional, for live-state dumps)
 *
 * A directory case may instead hold `expect.yaml` with
 * `expect: [{rule, file, line, column}]`, `config:` and `now:` (for JSON inputs,
 * which cannot carry comments), and `types: {file: TYPE[:QUALIFIER]}` for
 * inputs given with an explicit type (`negdoctor lint TYPE=FILE`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { resolveConfig } from '../src/config/config.js';
import { collectManifests } from '../src/collectors/manifests/index.js';
import { manifestSnapshot } from '../src/collectors/manifests/snapshot.js';
import { gcloudInputs } from '../src/collectors/gcloud-inputs.js';
import { runRules, type EngineResult, type Locator } from '../src/engine.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { RULES } from '../src/rules/index.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/rules');

export interface Expectation {
  rule: string;
  file: string;
  line: number;
  column: number;
}

export interface FixtureCase {
  ruleId: string;
  kind: 'fires' | 'silent';
  name: string;
  /** Directory the inputs are relative to. */
  root: string;
  inputs: string[];
  expect: Expectation[];
  config: Record<string, unknown>;
  now?: string;
  /** Explicit input types by file name. */
  types?: Record<string, string>;
}

export async function listCases(): Promise<FixtureCase[]> {
  const cases: FixtureCase[] = [];
  for (const ruleId of (await fs.readdir(FIXTURES)).sort()) {
    for (const kind of ['fires', 'silent'] as const) {
      const dir = path.join(FIXTURES, ruleId, kind);
      let entries: string[];
      try {
        entries = (await fs.readdir(dir)).sort();
      } catch {
        continue;
      }
      for (const entry of entries) cases.push(await readCase(ruleId, kind, path.join(dir, entry)));
    }
  }
  return cases;
}

async function readCase(ruleId: string, kind: 'fires' | 'silent', casePath: string): Promise<FixtureCase> {
  const stat = await fs.stat(casePath);
  const name = path.basename(casePath);
  const root = stat.isDirectory() ? casePath : path.dirname(casePath);
  const files = stat.isDirectory()
    ? (await fs.readdir(casePath)).filter((f) => f !== 'expect.yaml').sort()
    : [name];
  const fixture: FixtureCase = { ruleId, kind, name, root, inputs: files, expect: [], config: {} };
  for (const file of files) {
    const text = await fs.readFile(path.join(root, file), 'utf8');
    for (const line of text.split('\n')) {
      const expect = /^\s*#\s*expect:\s*([a-z0-9-]+)\s+(\d+):(\d+)\s*$/.exec(line);
      if (expect) fixture.expect.push({ rule: expect[1]!, file, line: Number(expect[2]), column: Number(expect[3]) });
      const config = /^\s*#\s*config:\s*(\{.*\})\s*$/.exec(line);
      if (config) Object.assign(fixture.config, JSON.parse(config[1]!));
      const now = /^\s*#\s*now:\s*(\S+)\s*$/.exec(line);
      if (now) fixture.now = now[1]!;
    }
  }
  if (stat.isDirectory()) {
    try {
      const meta = parseYaml(await fs.readFile(path.join(casePath, 'expect.yaml'), 'utf8')) as {
        expect?: Expectation[];
        config?: Record<string, unknown>;
        now?: string;
        types?: Record<string, string>;
      };
      fixture.expect.push(...(meta.expect ?? []));
      if (meta.types) fixture.types = meta.types;
      Object.assign(fixture.config, meta.config ?? {});
      if (meta.now) fixture.now = meta.now;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return fixture;
}

/** Runs the case's inputs through the real collector and engine with only the rule under test. */
export async function runCase(fixture: FixtureCase): Promise<EngineResult> {
  const { snapshot, locator } = await caseSnapshot(fixture);
  return runCaseOn(fixture, snapshot, locator);
}

/** Runs only the rule under test on a snapshot (e.g. one a test has changed). */
export function runCaseOn(fixture: FixtureCase, snapshot: Snapshot, locator?: Locator): EngineResult {
  const rule = RULES.find((r) => r.meta.id === fixture.ruleId);
  if (!rule) throw new Error(`fixtures/rules/${fixture.ruleId} names no rule`);
  const now = fixture.now ? new Date(fixture.now) : undefined;
  const config = resolveConfig(RULES, fixture.config, undefined);
  return runRules(snapshot, { rules: [rule], config, ...(locator ? { locator } : {}), ...(now ? { now } : {}) });
}

/** The snapshot the case's inputs make, through the real collector. */
export async function caseSnapshot(fixture: FixtureCase): Promise<{ snapshot: Snapshot; locator: Locator }> {
  const inputs = fixture.inputs.map((file) => (fixture.types?.[file] ? `${fixture.types[file]}=${file}` : file));
  const collection = await collectManifests(inputs, { cwd: fixture.root });
  const { cloud } = gcloudInputs(collection.foreign, collection.explicit, collection.logs);
  const now = fixture.now ? new Date(fixture.now) : undefined;
  const snapshot = manifestSnapshot(collection, {
    tool: { name: 'negdoctor', version: 'test' },
    ...(now ? { now } : {}),
    ...(cloud ? { cloud } : {}),
  });
  return { snapshot, locator: collection.sources };
}
