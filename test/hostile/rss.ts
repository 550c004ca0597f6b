/** Peak RSS of one CLI run: the built CLI in a child process that reports its own maxRSS on exit. */
import { spawnSync } from 'node:child_process';
import { BIN, cliEnv, ROOT } from '../e2e/cli.js';

const WRAPPER = `
const bin = process.argv[1];
process.argv.splice(1, 1);
process.argv[1] = bin;
process.on('exit', () => require('node:fs').writeSync(2, '\\nMAXRSS ' + process.resourceUsage().maxRSS + '\\n'));
import(bin);
`;

export function peakRssKb(args: string[], timeout = 120_000): { status: number; kb: number; stderr: string } {
  const result = spawnSync(process.execPath, ['-e', WRAPPER, BIN, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: cliEnv(), timeout, maxBuffer: 1 << 28 });
  const match = /MAXRSS (\d+)/.exec(result.stderr ?? '');
  return { status: result.status ?? -1, kb: match ? Number(match[1]) : Number.POSITIVE_INFINITY, stderr: result.stderr ?? '' };
}
