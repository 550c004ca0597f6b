#!/usr/bin/env node
// Regenerates the generated parts of docs/rules.md (the rule reference, from
// the rule metadata) and docs/inputs.md (the input shape table, from
// src/collectors/shapes.ts). Run `npm run build` first: it reads dist/.
// Each file keeps its hand-written prose; only the text between its markers
// is replaced. test/readme.test.ts fails when they drift from the metadata.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRulesReference } from '../dist/reporters/rule-docs.js';
import { RULES } from '../dist/rules/index.js';
import { renderShapesMarkdown } from '../dist/collectors/shapes.js';

/** Replaces what lies between `<!-- NAME:start -->` and `<!-- NAME:end -->` in FILE (relative to the repository). */
function fill(file, name, content) {
  const url = new URL(`../${file}`, import.meta.url);
  const text = readFileSync(url, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!text.includes(start) || !text.includes(end)) throw new Error(`${file} lacks the ${name} markers`);
  const next = `${text.slice(0, text.indexOf(start) + start.length)}\n${content}${text.slice(text.indexOf(end))}`;
  writeFileSync(url, next);
}

fill('docs/rules.md', 'rules', renderRulesReference(RULES));
fill('docs/inputs.md', 'shapes', renderShapesMarkdown());
console.log(`docs/rules.md: ${RULES.length} rules documented; docs/inputs.md: input shape table written`);
