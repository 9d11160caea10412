/** Writes `buffer` from `offset` to file descriptor `fd` at once; the count written (fs.writeSync's shape). */
export type WriteToFd = (fd: number, buffer: Uint8Array, offset: number) => number;

/** What the lines fall back to: process.stderr in production. */
export interface LineStream {
  write(chunk: Uint8Array): unknown;
}

const STDERR_FD = 2;
/** POSIX's PIPE_BUF on Linux: a write of at most this many bytes to a pipe is never split or interleaved with another writer's. */
export const ATOMIC_LINE_BYTES = 4096;
const writeSync: WriteToFd = (fd, buffer, offset) => process.getBuiltinModule('node:fs').writeSync(fd, buffer, offset);

/**
 * The Lambda handlers' log lines (functions/probe.ts, functions/reaper.ts), written to fd 2 with
 * fs.writeSync, as Lambda's own runtime writes its log fd: making process.stderr (a stream over
 * the pipe) costs a cold start about 3 ms, for its one `config loaded` line
 * (docs/performance.md#the-cold-starts-clock-and-log-line).
 *
 * A line goes straight to the fd only while it fits in one atomic pipe write, so it never lands
 * inside another writer's bytes (a worker thread's, or what libuv is still flushing for
 * process.stderr). From the first line that does not fit, or the first write that fails or writes
 * nothing (EAGAIN once something made fd 2 non-blocking, EPIPE, EBADF), the rest of that line and
 * every later line go to `stream()`, which handles them as process.stderr always did: our own lines
 * keep their order. A blocking fd 2 (what a process starts with) blocks on a full pipe until its
 * reader reads, where the stream would have queued the lines in memory.
 */
export function stderrLines(write: WriteToFd = writeSync, stream: () => LineStream = () => process.stderr): (line: string) => void {
  let direct = true;
  return (line) => {
    const bytes = Buffer.from(`${line}\n`);
    let offset = 0;
    if (direct && bytes.length <= ATOMIC_LINE_BYTES) {
      try {
        while (offset < bytes.length) {
          const written = write(STDERR_FD, bytes, offset);
          if (!(written > 0)) break;
          offset += written;
        }
      } catch {
        // Falls through to the stream with what is left of the line.
      }
      if (offset === bytes.length) return;
    }
    direct = false;
    stream().write(offset === 0 ? bytes : bytes.subarray(offset));
  };
}
