/**
 * Helpers for the integration tests that install negdoctor the way users do
 * (pre-commit, the GitHub Action): a throw-away git clone of the working tree
 * (tracked and untracked files, not ignored ones, so uncommitted changes are
 * what gets tested) and the rule for Debian tools a test drives.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Whether a tool the test drives is installed. Missing under CI=true: a failing
 * test says so; on a developer machine the tests are skipped with a message.
 */
export function requireTool(command: string, args: string[], debianPackage: string): boolean {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.status === 0) return true;
  const message = `${command} is not installed (Debian package ${debianPackage}, listed in .ci/debian-packages.txt)`;
  if (process.env.CI === 'true') {
    it(`${command} is installed (CI=true)`, () => {
      throw new Error(message);
    });
  } else {
    console.warn(`skipped: ${message}`);
  }
  return false;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=ci@negdoctor.invalid', '-c', 'user.name=negdoctor CI', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

/** Copies the working tree (what `git ls-files -co --exclude-standard` lists) into `dir`, commits it and returns the commit. */
export function cloneWorkingTree(dir: string): string {
  const files = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  fs.mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree, not yet in the index
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
    fs.chmodSync(path.join(dir, file), fs.statSync(from).mode);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'negdoctor under test');
  return git(dir, 'rev-parse', 'HEAD');
}
