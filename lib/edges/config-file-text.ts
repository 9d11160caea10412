// Reading a config file's text, bounded: only a regular file, at most MAX_CONFIG_FILE_BYTES, valid
// UTF-8 (docs/security-model.md#what-a-config-can-and-cannot-do).
import { describeError } from '../core/errors.ts';

/**
 * The largest config file read. A service takes about 60 bytes of YAML, so 10,000 take about 600 KB.
 * The bound keeps what the YAML parser spends bounded too: about a second of the event loop per MiB,
 * and memory that grows with the values written (a MiB of one-character list items is the worst).
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** Why a config file's text could not be had, in words a user acts on; `cause` is node:fs's error, when there was one. */
export class ConfigFileProblem extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'ConfigFileProblem';
  }
}

/** Why a config file's text could not be had, from what readConfigText rejected with (node:fs may throw a bad path itself). */
export function configFileReason(error: unknown): string {
  return error instanceof ConfigFileProblem ? error.reason : describeError(error);
}

/** The reason for a file node:fs could not open or read. */
function fsReason(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'no such file';
  if (error.code === 'EACCES') return 'permission denied';
  return error.message;
}

/** What a path that is no regular file is, for the one-line reason. */
function notAFile(stats: import('node:fs').Stats): string {
  if (stats.isDirectory()) return 'is a directory, not a file';
  if (stats.isFIFO()) return 'is a named pipe (FIFO), not a file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'is a device, not a file';
  if (stats.isSocket()) return 'is a socket, not a file';
  return 'is not a regular file';
}

const tooLarge = `is larger than ${MAX_CONFIG_FILE_BYTES} bytes (1 MiB), the most a config may hold`;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The first line whose bytes are not UTF-8 (a line feed never falls inside a UTF-8 character). */
function firstBadLine(bytes: Buffer): number {
  let line = 1;
  for (let start = 0; start < bytes.length; line += 1) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    try {
      strictUtf8.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    start = stop + 1;
  }
  return line;
}

/**
 * The file's text. Opened without blocking and checked with fstat before any read, so a named pipe
 * with no writer or a device such as /dev/zero is refused at once instead of holding a thread of
 * node's pool, or memory, for ever; never more than one byte past the limit is read. Through
 * node:fs's callbacks, reached with getBuiltinModule: an ES module import of node:fs also loads
 * fs/promises and the fs streams at a cold start (docs/performance.md). Rejects with a
 * ConfigFileProblem.
 */
export function readConfigText(path: string): Promise<string> {
  const fs = process.getBuiltinModule('node:fs');
  return new Promise((done, fail) => {
    const failed = (error: unknown): void => {
      fail(error instanceof ConfigFileProblem ? error : new ConfigFileProblem(fsReason(error as NodeJS.ErrnoException), { cause: error }));
    };
    fs.open(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0), (openError, fd) => {
      if (openError !== null) {
        failed(openError);
        return;
      }
      const finish = (outcome: { text: string } | { error: unknown }): void => {
        fs.close(fd, () => ('text' in outcome ? done(outcome.text) : failed(outcome.error)));
      };
      fs.fstat(fd, (statError, stats) => {
        if (statError !== null) return finish({ error: statError });
        if (!stats.isFile()) return finish({ error: new ConfigFileProblem(notAFile(stats)) });
        if (stats.size > MAX_CONFIG_FILE_BYTES) return finish({ error: new ConfigFileProblem(tooLarge) });
        // Sized by fstat, with a byte to spare; a file that reads past it gets a larger one, up to the limit.
        let buffer = Buffer.allocUnsafe(stats.size + 1);
        let filled = 0;
        const readMore = (): void => {
          if (filled === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(Math.min(buffer.length, MAX_CONFIG_FILE_BYTES + 1 - buffer.length))]);
          fs.read(fd, buffer, filled, buffer.length - filled, null, (readError, bytesRead) => {
            if (readError !== null) return finish({ error: readError });
            filled += bytesRead;
            if (filled > MAX_CONFIG_FILE_BYTES) return finish({ error: new ConfigFileProblem(tooLarge) });
            // The size fstat gave is read, as node's readFile reads it: no extra trip for the end,
            // but for a file that reports no size (one of /proc) or reads short of it.
            if (bytesRead > 0 && (stats.size === 0 || filled !== stats.size)) return readMore();
            const bytes = buffer.subarray(0, filled);
            try {
              finish({ text: strictUtf8.decode(bytes) });
            } catch {
              finish({ error: new ConfigFileProblem(`is not valid UTF-8 (line ${firstBadLine(bytes)}): save it as UTF-8`) });
            }
          });
        };
        readMore();
      });
    });
  });
}
