/** Writes `buffer` from `offset` to file descriptor `fd` at once; the count written (fs.writeSync's shape). */
export type WriteToFd = (fd: number, buffer: Uint8Array, offset: number) => number;

/** What the lines fall back to: process.stderr in production. */
export interface LineStream {
  write(chunk: Uint8Array): unknown;
}

const STDERR_FD = 2;
const writeSync: WriteToFd = (fd, buffer, offset) => process.getBuiltinModule('node:fs').writeSync(fd, buffer, offset);

/**
 * Log lines to stderr, each handed on whole before the call returns. Written straight to fd 2
 * with fs.writeSync, as Lambda's own runtime writes its log fd: making process.stderr (a stream
 * over the pipe) costs a cold start about 3 ms, for its one `config loaded` line
 * (docs/performance.md#the-cold-starts-clock-and-log-line). On Linux, Node writes process.stderr
 * synchronously for pipes, files and terminals alike, so the order and the blocking are the same.
 * The first write that fails or writes nothing (EAGAIN on a pipe left non-blocking, EPIPE, EBADF)
 * sends the rest of its line and every later line to `stream()`, which handles them as it always
 * did: nothing is lost or reordered. `write` and `stream` are replaced in tests.
 */
export function stderrLines(write: WriteToFd = writeSync, stream: () => LineStream = () => process.stderr): (line: string) => void {
  let direct = true;
  return (line) => {
    const bytes = Buffer.from(`${line}\n`);
    let offset = 0;
    if (direct) {
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
      direct = false;
    }
    stream().write(offset === 0 ? bytes : bytes.subarray(offset));
  };
}
