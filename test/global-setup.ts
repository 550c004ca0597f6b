/**
 * End-to-end tests run the built CLI (bin/negdoctor.js → dist/, the esbuild bundle). Build once
 * before the suite unless the caller already did (.ci/run sets
 * NEGDOCTOR_SKIP_BUILD=1 after its own build step).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  if (process.env.NEGDOCTOR_SKIP_BUILD === '1') return;
  const root = path.resolve(import.meta.dirname, '..');
  // The same build users run (`npm run build`, also `prepare`): the e2e tests run the bundle.
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
}
