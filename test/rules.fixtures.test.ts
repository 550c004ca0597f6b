import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { FIXTURES, listCases, runCase } from './harness.js';
import { RULES } from '../src/rules/index.js';

const cases = await listCases();

describe('rule fixtures', () => {
  it('every fixture directory names a rule', async () => {
    const ids = new Set(RULES.map((r) => r.meta.id));
    for (const dir of await fs.readdir(FIXTURES)) expect(ids, `fixtures/rules/${dir}`).toContain(dir);
  });

  it.each(RULES.map((r) => r.meta.id))('%s has cases that fire and cases that stay silent', (id) => {
    expect(cases.filter((c) => c.ruleId === id && c.kind === 'fires').length, `fires cases of ${id}`).toBeGreaterThan(0);
    expect(cases.filter((c) => c.ruleId === id && c.kind === 'silent').length, `silent cases of ${id}`).toBeGreaterThan(0);
  });

  for (const fixture of cases) {
    it(`${fixture.ruleId} ${fixture.kind}: ${fixture.name}`, async () => {
      const result = await runCase(fixture);
      expect(result.notEvaluated, 'the rule must be evaluated on its fixture').toEqual([]);
      const actual = result.findings
        .map((f) => ({ rule: f.ruleId, file: f.location?.file ?? '(none)', line: f.location?.line ?? 0, column: f.location?.column ?? 0 }))
        .sort(byPosition);
      if (fixture.kind === 'silent') {
        expect(actual, 'a silent case produces no finding').toEqual([]);
      } else {
        expect(fixture.expect.length, 'a fires case lists its expected findings').toBeGreaterThan(0);
        expect(actual).toEqual([...fixture.expect].sort(byPosition));
      }
    });
  }
});

function byPosition(a: { file: string; line: number; column: number; rule: string }, b: typeof a): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}
