/**
 * CommonJS libraries that only some inputs need, loaded synchronously on first
 * use: a lint that never meets a `gkeVersion` or an IP range does not pay for
 * loading them at start-up.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let semverModule: typeof import('semver') | undefined;
let ipaddrModule: typeof import('ipaddr.js') | undefined;

export function semverLib(): typeof import('semver') {
  return (semverModule ??= require('semver') as typeof import('semver'));
}

export function ipaddrLib(): typeof import('ipaddr.js') {
  return (ipaddrModule ??= require('ipaddr.js') as typeof import('ipaddr.js'));
}
