#!/usr/bin/env node
// Regenerates the rule docs in README.md from the rule metadata (run `npm run build` first).
// test/readme.test.ts fails when README.md and the metadata drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRulesMarkdown } from '../dist/reporters/rule-docs.js';
import { RULES } from '../dist/rules/index.js';
import { renderShapesMarkdown } from '../dist/collectors/shapes.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const start = '<!-- rules:start -->';
const end = '<!-- rules:end -->';
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
if (!readme.includes(start) || !readme.includes(end)) throw new Error('README.md lacks the rules markers');
let next = `${before}\n${renderRulesMarkdown(RULES)}${after}`;
// The input shape table (src/collectors/shapes.ts).
const shapesStart = '<!-- shapes:start -->';
const shapesEnd = '<!-- shapes:end -->';
if (!next.includes(shapesStart) || !next.includes(shapesEnd)) throw new Error('README.md lacks the shapes markers');
next = `${next.slice(0, next.indexOf(shapesStart) + shapesStart.length)}\n${renderShapesMarkdown()}${next.slice(next.indexOf(shapesEnd))}`;
writeFileSync(file, next);
console.log(`README.md: ${RULES.length} rules documented, input shapes table written`);
