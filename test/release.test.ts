/**
 * scripts/release.mjs: the README's pins (`rev: vX.Y.Z` for pre-commit,
 * `negdoctor/negdoctor@vX` for the Action) and CHANGELOG.md against
 * package.json, on this repository and on throw-away ones; and the tagging
 * itself, in a throw-away git repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './e2e/cli.js';

const SCRIPT = path.join(ROOT, 'scripts/release.mjs');
const release = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: os.tmpdir(), GIT_CONFIG_NOSYSTEM: '1', GIT_COMMITTER_NAME: 'Release Manager', GIT_COMMITTER_EMAIL: 'release@negdoctor.invalid' } });
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.email=ci@negdoctor.invalid', '-c', 'user.name=negdoctor CI', ...args], { encoding: 'utf8' }).trim();

function repo(files: { version?: string; readme?: string; changelog?: string; docs?: string }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-release-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'negdoctor', version: files.version ?? '1.2.3' }));
  writeFileSync(path.join(dir, 'README.md'), files.readme ?? 'pre-commit:\n    rev: v1.2.3\nAction:\n      - uses: negdoctor/negdoctor@v1\n');
  if (files.changelog !== '') writeFileSync(path.join(dir, 'CHANGELOG.md'), files.changelog ?? '# Changelog\n\n## 1.2.3\n\n- things\n');
  if (files.docs) {
    mkdirSync(path.join(dir, 'docs'));
    writeFileSync(path.join(dir, 'docs/ci.md'), files.docs);
  }
  return dir;
}

describe('scripts/release.mjs --check', () => {
  it("passes on this repository: the README's pins are package.json's version", () => {
    const run = release('--check');
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^release: \\d+ pins match v${version.replace(/\./g, '\\.')}, CHANGELOG.md has ${version.replace(/\./g, '\\.')}\\n$`));
    expect(run.status).toBe(0);
  });

  it('names every pin that differs, with its file and line', () => {
    const dir = repo({ readme: 'x\n    rev: v1.2.2\n      - uses: negdoctor/negdoctor@v0\n', docs: 'a\nb\n    rev: v1.3.0 # newer\n' });
    const run = release('--check', '--dir', dir);
    expect(run.stderr.trim().split('\n')).toEqual([
      'release: README.md:2: rev: v1.2.2, expected v1.2.3 (package.json)',
      'release: README.md:3: negdoctor/negdoctor@v0, expected @v1 (package.json 1.2.3)',
      'release: docs/ci.md:3: rev: v1.3.0, expected v1.2.3 (package.json)',
    ]);
    expect(run.status).toBe(1);
  });

  it('wants a CHANGELOG section for the version, and at least one pin to check', () => {
    expect(release('--check', '--dir', repo({ changelog: '# Changelog\n\n## 1.2.2\n' })).stderr).toBe('release: CHANGELOG.md: no "## 1.2.3" section\n');
    expect(release('--check', '--dir', repo({ changelog: '' })).stderr).toBe('release: CHANGELOG.md is missing\n');
    const none = release('--check', '--dir', repo({ readme: 'no pins\n' }));
    expect(none.stderr).toMatch(/no `rev: vX\.Y\.Z` or `negdoctor\/negdoctor@vN` pin found/);
    expect(none.status).toBe(1);
    const bad = release('--check', '--dir', repo({ version: '1.2' }));
    expect(bad.stderr).toBe('release: package.json version "1.2" is not X.Y.Z\n');
    expect(bad.status).toBe(2);
  });
});

describe('scripts/release.mjs (tagging)', () => {
  it('tags vX.Y.Z, moves the major tag to it, and refuses a dirty tree or an existing tag', () => {
    const dir = repo({});
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'one');
    git(dir, 'tag', 'v1', 'HEAD'); // the previous release's major tag
    writeFileSync(path.join(dir, 'new.txt'), 'x');
    const dirty = release('--dir', dir);
    expect(dirty.stderr).toBe('release: the working tree has uncommitted changes; release a commit\n');
    expect(dirty.status).toBe(1);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'two');

    const run = release('--dir', dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('push: git push origin v1.2.3 && git push --force origin v1');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(git(dir, 'rev-parse', 'v1.2.3^{commit}')).toBe(head);
    expect(git(dir, 'rev-parse', 'v1^{commit}')).toBe(head);
    expect(git(dir, 'cat-file', '-t', 'v1.2.3')).toBe('tag'); // annotated

    const again = release('--dir', dir);
    expect(again.stderr).toBe('release: tag v1.2.3 exists already\n');
    expect(again.status).toBe(1);
  });
});
