/**
 * The package's root folder (where package.json and schemas/ are). This module
 * sits one level below it both as source (src/) and bundled (dist/, whose chunks
 * are flat: see scripts/build.mjs), so one relative URL serves both.
 */
export const PACKAGE_ROOT = new URL('../', import.meta.url);
