#!/usr/bin/env node
// Regenerates the rule docs in README.md from the rule metadata (run `npm run build` first).
// test/readme.test.ts fails when README.md and the metadata drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRulesMarkdown } from '../dist/reporters/rule-docs.js';
import { RULES } from '../dist/rules/index.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const start = '<!-- rules:start -->';
const end = '<!-- rules:end -->';
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
if (!readme.includes(start) || !readme.includes(end)) throw new Error('README.md lacks the rules markers');
writeFileSync(file, `${before}\n${renderRulesMarkdown(RULES)}${after}`);
console.log(`README.md: ${RULES.length} rules documented`);
