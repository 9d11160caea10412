// Moves a finished esbuild output into dist/ without ever removing or half-writing a file that a
// running process may load, so any script can build while the local stack runs:
// - chunks are named by their content hash, so a chunk already in place is the same file: it is
//   kept, and a new one is renamed in before any entry file that imports it;
// - entry files (probe.mjs, server/server.mjs, cli/pushgateway-exporter.mjs) are replaced by
//   rename(2), which is atomic: a reader sees the old file or the new one, never a mix;
// - chunks no current entry imports stay for CHUNK_GRACE_MS, so a process started on an older
//   entry can still import() its lazy chunks (the AWS SDK, a CLI subcommand), then they go.
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import reachableFilesModule from './reachable-files.cjs';

const { reachableFiles } = reachableFilesModule;

export const CHUNK_GRACE_MS = 60 * 60 * 1000;

async function filesUnder(root) {
  const found = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(relative(root, join(entry.parentPath ?? entry.path, entry.name)));
  }
  return found;
}

const isChunk = (file) => file.split('/').includes('chunks');

/** Installs every file of `staging` into `dist` (same file system), then removes `staging`. */
export async function swapBuild(staging, dist) {
  const files = await filesUnder(staging);
  // Chunks first: an entry must never land before the chunks it imports.
  const ordered = [...files.filter(isChunk), ...files.filter((file) => !isChunk(file))];
  const now = new Date();
  for (const file of ordered) {
    const target = join(dist, file);
    await mkdir(dirname(target), { recursive: true });
    if (isChunk(file)) {
      const existing = await stat(target).catch(() => undefined);
      if (existing !== undefined) {
        // Same hash, same content: keep the file a process may be reading, refresh its age.
        await utimes(target, now, now);
        continue;
      }
    }
    await rename(join(staging, file), target);
  }
  await rm(staging, { recursive: true, force: true });
}

/** Deletes chunks under `dist` that no entry file imports (directly or through other chunks) and that are older than the grace period. */
export async function pruneChunks(dist, entries, nowMs = Date.now()) {
  const reachable = reachableFiles(dist, entries);
  for (const file of await filesUnder(dist)) {
    const path = join(dist, file);
    if (!isChunk(file) || reachable.has(path)) continue;
    const { mtimeMs } = await stat(path);
    if (nowMs - mtimeMs > CHUNK_GRACE_MS) await rm(path, { force: true });
  }
}
