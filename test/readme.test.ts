import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderRulesMarkdown } from '../src/reporters/rule-docs.js';
import { RULES } from '../src/rules/index.js';
import { renderShapesMarkdown } from '../src/collectors/shapes.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every rule exactly as the metadata says (run `npm run build && npm run docs` after changing a rule)', () => {
    const start = readme.indexOf('<!-- rules:start -->') + '<!-- rules:start -->'.length;
    const end = readme.indexOf('<!-- rules:end -->');
    expect(readme.slice(start, end).trim()).toBe(renderRulesMarkdown(RULES).trim());
  });

  it('documents the input shapes exactly as src/collectors/shapes.ts has them (run `npm run build && npm run docs`)', () => {
    const start = readme.indexOf('<!-- shapes:start -->') + '<!-- shapes:start -->'.length;
    const end = readme.indexOf('<!-- shapes:end -->');
    expect(end).toBeGreaterThan(start);
    expect(readme.slice(start, end).trim()).toBe(renderShapesMarkdown().trim());
  });

  it('gives a quick start of exactly two commands', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
    const commands = [...quickStart.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(commands).toEqual(['npm ci && npm run demo', 'npm test']);
  });
});
