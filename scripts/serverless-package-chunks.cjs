// Zips only the chunks the packaged functions import. dist/ keeps chunks of older builds for an
// hour (scripts/swap-build.mjs: a process started on an older entry may still import() them), so
// `dist/**` alone would ship them too: dead weight in every deployment package.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { reachableFiles } = require('./reachable-files.cjs');

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
