/**
 * End-to-end tests run the built CLI (bin/negdoctor.js → dist/). Build once
 * before the suite unless the caller already did (.ci/run sets
 * NEGDOCTOR_SKIP_BUILD=1 after its own build step).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  if (process.env.NEGDOCTOR_SKIP_BUILD === '1') return;
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
