type CollectGarbage = (options?: { type?: 'minor' | 'major' }) => void;

let collect: CollectGarbage | null | undefined;

/**
 * V8's own `gc()` (a process started with --expose-gc has it; otherwise it is enabled for a fresh
 * context, which leaves the program's globals as they are). Undefined when neither works.
 * node:v8 and node:vm load here, on the first read large enough to collect after, not at a cold
 * Lambda's init (docs/deploying.md#cold-start).
 */
function garbageCollector(): CollectGarbage | undefined {
  if (collect === undefined) {
    collect = (globalThis as { gc?: CollectGarbage }).gc ?? null;
    if (collect === null) {
      try {
        process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
        collect = process.getBuiltinModule('node:vm').runInNewContext('gc') as CollectGarbage;
      } catch {
        collect = null;
      }
    }
  }
  return collect ?? undefined;
}

/**
 * Frees the buffers a read has finished with (the socket's chunks, copied into the snapshot's
 * memory) now, with a young-generation collection (a millisecond or so: the young generation is
 * small). Left to itself, V8 collects memory outside its heap only once 64 MB or more of it has
 * piled up — half of a 128 MB Lambda — since a read allocates next to nothing inside the heap.
 */
export function collectYoungGarbage(): void {
  garbageCollector()?.({ type: 'minor' });
}
