// Zips only the chunks the packaged functions import. dist/ keeps chunks of older builds for an
// hour (scripts/swap-build.mjs: a process started on an older entry may still import() them), so
// `dist/**` alone would ship them too: dead weight in every deployment package.
const { readFileSync, readdirSync } = require('node:fs');
const { dirname, join } = require('node:path');

// The import specifiers esbuild writes between our files: static `from "./…"` and `import("./…")`.
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Every file under `dist` that `entries` import, directly or through other files, static or lazy. */
function reachableFiles(dist, entries) {
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
}

/** `!dist/chunks/<file>` for each chunk in `dist/chunks` that no entry of `entries` reaches. */
function unreachableChunkPatterns(dist, entries) {
  const reachable = reachableFiles(dist, entries);
  let chunks = [];
  try {
    chunks = readdirSync(join(dist, 'chunks'));
  } catch {
    return [];
  }
  return chunks.filter((name) => !reachable.has(join(dist, 'chunks', name))).map((name) => `!dist/chunks/${name}`);
}

class ServerlessPackageChunks {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:createDeploymentArtifacts': () => this.excludeStaleChunks() };
  }

  excludeStaleChunks() {
    const service = this.serverless.service;
    // The reaper's entry only when REAP_SCHEDULE added its function (scripts/serverless-reaper.cjs).
    const entries = ['probe.mjs', ...(service.functions?.reaper === undefined ? [] : ['reaper.mjs'])];
    const dist = join(this.serverless.serviceDir ?? this.serverless.config.servicePath ?? '.', 'dist');
    service.package.patterns = [...(service.package.patterns ?? []), ...unreachableChunkPatterns(dist, entries)];
  }
}

module.exports = ServerlessPackageChunks;
module.exports.unreachableChunkPatterns = unreachableChunkPatterns;
