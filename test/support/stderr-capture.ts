import fs from 'node:fs';

/**
 * Collects what this process writes to stderr until the returned function is called: through
 * process.stderr, and straight to fd 2 with fs.writeSync, as the Lambda handlers write their log
 * lines (lib/edges/stderr-lines.ts). Each write is one string in `into`.
 */
export function captureStderr(into: string[]): () => void {
  const streamWrite = process.stderr.write.bind(process.stderr);
  const writeSync = fs.writeSync;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    into.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  fs.writeSync = ((fd: number, buffer: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    if (fd !== 2) return (writeSync as (...args: unknown[]) => number)(fd, buffer, ...rest);
    const bytes = typeof buffer === 'string' ? Buffer.from(buffer) : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const offset = typeof rest[0] === 'number' ? rest[0] : 0;
    into.push(bytes.subarray(offset).toString());
    return bytes.length - offset;
  }) as typeof fs.writeSync;
  return () => {
    process.stderr.write = streamWrite;
    fs.writeSync = writeSync;
  };
}
