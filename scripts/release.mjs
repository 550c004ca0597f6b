#!/usr/bin/env node
/**
 * Tags a release: `node scripts/release.mjs` (from a clean checkout of the
 * commit to release), or `--check` for the checks alone (CI runs them on every
 * change: test/release.test.ts).
 *
 * Checks, against package.json's version X.Y.Z:
 *   - every pre-commit pin `rev: vA.B.C` in README.md and docs/*.md is vX.Y.Z;
 *   - every GitHub Action pin `negdoctor/negdoctor@vN` there is vX (the major);
 *   - CHANGELOG.md has a `## X.Y.Z` section;
 *   - (tagging only) the working tree is clean and tag vX.Y.Z does not exist.
 * Then creates the annotated tag vX.Y.Z and moves the major tag vX (what
 * `uses: negdoctor/negdoctor@vX` follows) to it, and prints the push command.
 * Nothing is pushed or published.
 *
 * --dir DIR: the repository to check (default: this script's). Exit codes:
 * 0 done, 1 a check failed (one line per problem), 2 usage.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
let dir = path.resolve(import.meta.dirname, '..');
let checkOnly = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--check') checkOnly = true;
  else if (args[i] === '--dir' && args[i + 1]) dir = path.resolve(args[++i]);
  else {
    process.stderr.write(`release: unknown argument ${args[i]}\nusage: node scripts/release.mjs [--check] [--dir DIR]\n`);
    process.exit(2);
  }
}

const problems = [];
let version;
try {
  version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
} catch (error) {
  process.stderr.write(`release: cannot read ${path.join(dir, 'package.json')}: ${error.message}\n`);
  process.exit(2);
}
if (!/^\d+\.\d+\.\d+$/.test(version ?? '')) {
  process.stderr.write(`release: package.json version ${JSON.stringify(version)} is not X.Y.Z\n`);
  process.exit(2);
}
const tag = `v${version}`;
const major = `v${version.split('.')[0]}`;

const docs = ['README.md', ...(existsSync(path.join(dir, 'docs')) ? readdirSync(path.join(dir, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [])];
let pins = 0;
for (const file of docs) {
  if (!existsSync(path.join(dir, file))) continue;
  readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .forEach((line, index) => {
      for (const m of line.matchAll(/\brev:\s*(v\d+\.\d+\.\d+\S*)/g)) {
        pins++;
        if (m[1] !== tag) problems.push(`${file}:${index + 1}: rev: ${m[1]}, expected ${tag} (package.json)`);
      }
      for (const m of line.matchAll(/negdoctor\/negdoctor@(v[\w.-]+)/g)) {
        pins++;
        if (m[1] !== major) problems.push(`${file}:${index + 1}: negdoctor/negdoctor@${m[1]}, expected @${major} (package.json ${version})`);
      }
    });
}
if (pins === 0) problems.push('README.md: no `rev: vX.Y.Z` or `negdoctor/negdoctor@vN` pin found to check');

const changelog = path.join(dir, 'CHANGELOG.md');
if (!existsSync(changelog)) problems.push('CHANGELOG.md is missing');
else if (!new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(\\s|$)`, 'm').test(readFileSync(changelog, 'utf8'))) {
  problems.push(`CHANGELOG.md: no "## ${version}" section`);
}

const git = (...gitArgs) => execFileSync('git', ['-C', dir, ...gitArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
if (!checkOnly) {
  try {
    if (git('status', '--porcelain')) problems.push('the working tree has uncommitted changes; release a commit');
    if (git('tag', '--list', tag)) problems.push(`tag ${tag} exists already`);
  } catch (error) {
    problems.push(`git: ${error.message.split('\n')[0]}`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`release: ${problem}\n`);
  process.exit(1);
}
if (checkOnly) {
  process.stdout.write(`release: ${pins} pins match ${tag}, CHANGELOG.md has ${version}\n`);
  process.exit(0);
}
try {
  git('tag', '-a', tag, '-m', `negdoctor ${version}`);
  git('tag', '-f', major, `${tag}^{commit}`);
} catch (error) {
  process.stderr.write(`release: git tag failed: ${(error.stderr || error.message).trim().split('\n')[0]}\n`);
  process.exit(1);
}
process.stdout.write(`release: tagged ${tag} and moved ${major} to ${git('rev-parse', '--short', `${tag}^{commit}`)}\n  push: git push origin ${tag} && git push --force origin ${major}\n`);
