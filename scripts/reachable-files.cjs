// What an esbuild output's entries load: shared by the build (scripts/swap-build.mjs prunes the
// rest after a grace period) and the package step (scripts/serverless-package-chunks.cjs zips no more).
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

// The import specifiers esbuild writes between our files: static `from "./…"` and `import("./…")`.
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Every file under `dist` that `entries` import, directly or through other files, static or lazy. */
module.exports.reachableFiles = function reachableFiles(dist, entries) {
  const reachable = new Set();
  const pending = entries.map((entry) => join(dist, entry));
  while (pending.length > 0) {
    const file = pending.pop();
    if (reachable.has(file)) continue;
    reachable.add(file);
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(IMPORT)) pending.push(join(dirname(file), match[1]));
  }
  return reachable;
};
