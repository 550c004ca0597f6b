#!/usr/bin/env node
// Answer --version without loading the CLI: it is what scripts call most often.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // Node 22.1+ keeps V8's compiled code for these modules between runs (os.tmpdir()/node-compile-cache);
  // absent on Node 20, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  (await import('node:module')).enableCompileCache?.();
  const { main } = await import('../dist/cli.js');
  // Exit as soon as the report is out: a Google Cloud call that a stopped or timed-out scan
  // abandoned must not keep the process alive until its server answers. Output still queued
  // (pipes are asynchronous on macOS) is flushed first: a write's callback runs after the writes before it.
  const code = await main(args);
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => (stream.destroyed ? resolve() : stream.write('', resolve)))));
  process.exit(code);
}
