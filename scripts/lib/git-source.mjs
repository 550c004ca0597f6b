/**
 * The source repository of a vendoring script: `node SCRIPT GIT_DIR [REV]`,
 * GIT_DIR a clone or a bare mirror. Returns `git(...args)` run against it and
 * the commit REV resolves to; prints the usage and exits 2 without GIT_DIR.
 */
import { execFileSync } from 'node:child_process';

export function gitSource(usage, defaultRev) {
  const [gitDir, rev = defaultRev] = process.argv.slice(2);
  if (!gitDir) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  // --git-dir reads a bare mirror as well as a clone's .git; a work tree is found from its top directory too.
  const dir = execFileSync('git', ['-C', gitDir, 'rev-parse', '--git-dir'], { encoding: 'utf8' }).trim();
  const gitDirAbs = dir.startsWith('/') ? dir : `${gitDir}/${dir}`;
  const git = (...args) => execFileSync('git', ['--git-dir', gitDirAbs, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { git, rev, commit: git('rev-parse', `${rev}^{commit}`).trim() };
}
