import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ATOMIC_LINE_BYTES, stderrLines, type LineStream, type WriteToFd } from '../../lib/edges/stderr-lines.ts';

/** What one direct write does: write up to `count` bytes, write nothing, or fail as a full non-blocking pipe does. */
type Outcome = { readonly kind: 'write'; readonly count: number } | { readonly kind: 'none' } | { readonly kind: 'eagain' };

const eagain = (): Error => Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });

/** A fake fd 2 that follows `outcomes` (then writes whole), and a fake stream, recording every byte in the order handed on. */
function fakeStderr(outcomes: readonly Outcome[]) {
  const output: number[] = [];
  const calls = { direct: 0, stream: 0, directAfterStream: 0, fds: new Set<number>() };
  let next = 0;
  const write: WriteToFd = (fd, buffer, offset) => {
    calls.fds.add(fd);
    calls.direct += 1;
    if (calls.stream > 0) calls.directAfterStream += 1;
    const outcome = outcomes[next++] ?? { kind: 'write', count: Number.MAX_SAFE_INTEGER };
    if (outcome.kind === 'eagain') throw eagain();
    if (outcome.kind === 'none') return 0;
    const count = Math.min(outcome.count, buffer.length - offset);
    output.push(...buffer.subarray(offset, offset + count));
    return count;
  };
  const stream: LineStream = {
    write(chunk) {
      calls.stream += 1;
      output.push(...chunk);
      return true;
    },
  };
  return { write, stream, output: () => Buffer.from(output).toString('utf8'), calls };
}

const outcome: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 40 }).map((count): Outcome => ({ kind: 'write', count })) },
  { weight: 1, arbitrary: fc.constant<Outcome>({ kind: 'none' }) },
  { weight: 1, arbitrary: fc.constant<Outcome>({ kind: 'eagain' }) },
);

/** Mostly short lines of any characters, sometimes one around the atomic write's size. */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: ATOMIC_LINE_BYTES - 3, max: ATOMIC_LINE_BYTES + 2 }).map((length) => 'x'.repeat(length)) },
);

describe('stderrLines: log lines straight to fd 2, the stream after the first failed write', () => {
  it('hands on every byte of every line, in order, whatever the writes do (property-based)', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.array(outcome, { maxLength: 30 }), (lines, outcomes) => {
        const stderr = fakeStderr(outcomes);
        const writeLine = stderrLines(stderr.write, () => stderr.stream);
        for (const line of lines) writeLine(line);
        assert.equal(stderr.output(), lines.map((line) => `${line}\n`).join(''));
        // Only fd 2; once the stream has a line, nothing more goes to the fd.
        assert.ok([...stderr.calls.fds].every((fd) => fd === 2));
        assert.equal(stderr.calls.directAfterStream, 0);
        const failed = outcomes.findIndex((next) => next.kind !== 'write');
        const failureMet = failed >= 0 && failed < stderr.calls.direct;
        const longLine = lines.some((text) => Buffer.byteLength(`${text}\n`) > ATOMIC_LINE_BYTES);
        // The stream is used exactly when a write failed or wrote nothing, or a line did not fit in one atomic write.
        assert.equal(stderr.calls.stream > 0, failureMet || longLine);
      }),
    );
  });

  it('writes whole lines straight to the fd while it takes them, never making the stream', () => {
    const stderr = fakeStderr([]);
    let streams = 0;
    const writeLine = stderrLines(stderr.write, () => {
      streams += 1;
      return stderr.stream;
    });
    writeLine('{"msg":"config loaded"}');
    writeLine('{"msg":"é ✓ 🦀"}');
    assert.equal(stderr.output(), '{"msg":"config loaded"}\n{"msg":"é ✓ 🦀"}\n');
    assert.equal(stderr.calls.direct, 2);
    assert.equal(streams, 0);
  });

  it('sends the rest of a line cut by EAGAIN, and every later line, to the stream', () => {
    const stderr = fakeStderr([{ kind: 'write', count: 4 }, { kind: 'eagain' }]);
    const writeLine = stderrLines(stderr.write, () => stderr.stream);
    writeLine('first line');
    writeLine('second');
    assert.equal(stderr.output(), 'first line\nsecond\n');
    assert.deepEqual({ direct: stderr.calls.direct, stream: stderr.calls.stream }, { direct: 2, stream: 2 });
  });

  it('treats a write of nothing as a failure instead of looping on it', () => {
    const stderr = fakeStderr([{ kind: 'none' }]);
    const writeLine = stderrLines(stderr.write, () => stderr.stream);
    writeLine('line');
    assert.equal(stderr.output(), 'line\n');
    assert.deepEqual({ direct: stderr.calls.direct, stream: stderr.calls.stream }, { direct: 1, stream: 1 });
  });

  it('sends a line longer than one atomic pipe write, and every later line, to the stream; one that just fits goes straight', () => {
    const stderr = fakeStderr([]);
    const writeLine = stderrLines(stderr.write, () => stderr.stream);
    const fits = 'f'.repeat(ATOMIC_LINE_BYTES - 1);
    const long = 'l'.repeat(ATOMIC_LINE_BYTES);
    writeLine(fits);
    assert.deepEqual({ direct: stderr.calls.direct, stream: stderr.calls.stream }, { direct: 1, stream: 0 });
    writeLine(long);
    writeLine('short');
    assert.equal(stderr.output(), `${fits}\n${long}\nshort\n`);
    assert.deepEqual({ direct: stderr.calls.direct, stream: stderr.calls.stream }, { direct: 1, stream: 2 });
  });
});
