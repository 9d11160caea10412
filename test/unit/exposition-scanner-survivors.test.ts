import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpositionError } from '../../lib/core/errors.ts';
import { MAX_LINE_BYTES, scanExposition, scanStreamedExposition, type ExpositionSink } from '../../lib/core/exposition/exposition-scanner.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// The scan loop's boundaries (docs/testing.md#mutation-score): where it yields, which lines it
// skips, where a line ends, and what the sink hears of each line.

type Heard = (string | number)[];

/** A sink that writes down everything it hears, in order; `yields` marks where the scan yielded. */
function recorder(tolerant: boolean): { sink: ExpositionSink; heard: Heard[] } {
  const heard: Heard[] = [];
  const sink: ExpositionSink = {
    sample: (line) => heard.push(['sample', line.lineNumber, line.start, line.end, line.labelsAt, line.jobStart, line.jobEnd, line.instanceStart, line.instanceEnd, line.serviceStart, line.serviceEnd]),
    metadata: (line) => heard.push(['metadata', line.lineNumber, line.start, line.end, line.kind, line.nameStart, line.nameEnd]),
    skipped: (start, end, lineNumber) => heard.push(['skipped', start, end, lineNumber]),
  };
  if (tolerant) sink.invalid = (why, lineNumber, start, end) => heard.push(['invalid', why(), lineNumber, start, end]);
  return { sink, heard };
}

/** Everything the sink hears of `text`, with a `yield` entry (and how many lines were heard) where the scan yielded. */
function scannedWithYields(text: string | Buffer, tolerant = true): Heard[] {
  const { sink, heard } = recorder(tolerant);
  const work = scanExposition(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, sink, FIXED_HASH_SEED.base);
  while (work.next().done !== true) heard.push(['yield', heard.filter((entry) => entry[0] !== 'yield').length]);
  return heard;
}

/** What the sink hears of `text`, without the yields. */
const scanned = (text: string | Buffer, tolerant = true): Heard[] => scannedWithYields(text, tolerant).filter((entry) => entry[0] !== 'yield');

const yields = (heard: Heard[]): number[] => heard.filter((entry) => entry[0] === 'yield').map((entry) => entry[1] as number);

describe('exposition scanner › where it yields', () => {
  it('yields once the lines read reach 32 KiB, then every 32 KiB after', () => {
    // 4-byte lines: line 8,192 ends exactly at byte 32,768.
    assert.deepEqual(yields(scannedWithYields('x 1\n'.repeat(3 * 8192 + 5))), [8192, 2 * 8192, 3 * 8192]);
  });

  it('does not yield for a body that ends one byte short of 32 KiB', () => {
    // 8,190 lines of 4 bytes and one of 7: the last line feed is byte 32,767, so no line reaches 32 KiB.
    assert.deepEqual(yields(scannedWithYields(`${'x 1\n'.repeat(8190)}ab 123\n`)), []);
    assert.deepEqual(yields(scannedWithYields(`${'x 1\n'.repeat(8190)}abc 123\n`)), [8191]);
  });

  it('yields after every 1,024 invalid lines, however few bytes they take', () => {
    assert.deepEqual(yields(scannedWithYields('x\n'.repeat(2 * 1024 + 3))), [1024, 2048]);
    // Valid lines in between do not count towards the 1,024.
    assert.deepEqual(yields(scannedWithYields('x\ny 1\n'.repeat(1024))), [2047]);
  });
});

describe('exposition scanner › line bounds', () => {
  it('reads a line of exactly MAX_LINE_BYTES and skips one byte longer, unread', () => {
    const atLimit = `x ${'9'.repeat(MAX_LINE_BYTES - 2)}`;
    assert.deepEqual(scanned(`${atLimit}\n`), [['sample', 1, 0, MAX_LINE_BYTES, -1, -1, -1, -1, -1, -1, -1]]);
    assert.deepEqual(scanned(`a 1\n${atLimit}9\nb 2`), [
      ['sample', 1, 0, 3, -1, -1, -1, -1, -1, -1, -1],
      ['skipped', 4, 4 + MAX_LINE_BYTES + 1, 2],
      ['sample', 3, MAX_LINE_BYTES + 6, MAX_LINE_BYTES + 9, -1, -1, -1, -1, -1, -1, -1],
    ]);
  });

  it('ends a line before its carriage return and line feed, and reads a last line without one', () => {
    assert.deepEqual(scanned('a 1\r\nb 2\r\n\r\nc 3\r'), [
      ['sample', 1, 0, 3, -1, -1, -1, -1, -1, -1, -1],
      ['sample', 2, 5, 8, -1, -1, -1, -1, -1, -1, -1],
      ['sample', 4, 12, 15, -1, -1, -1, -1, -1, -1, -1],
    ]);
    // A carriage return inside a line is no line end: the value is then invalid.
    assert.deepEqual(scanned('a 1\rb\n'), [['invalid', 'invalid value "1\\rb" for a', 1, 0, 5]]);
  });

  it('counts blank and blank-only lines, and reads nothing from them', () => {
    assert.deepEqual(scanned('\n \t \n\r\n\ta 1\n'), [['sample', 4, 8, 11, -1, -1, -1, -1, -1, -1, -1]]);
    assert.deepEqual(scanned(''), []);
    assert.deepEqual(scanned('\n'), []);
  });

  it('gives a sample its start at the metric name, and a HELP/TYPE line its start at the line', () => {
    assert.deepEqual(scanned('  # TYPE  m\tgauge \n m{job="j",instance="i",service="s"} 1'), [
      ['metadata', 1, 0, 18, 'TYPE', 10, 11],
      ['sample', 2, 20, 57, 21, 27, 28, 40, 41, 52, 53],
    ]);
  });

  it('hands the positions of job, instance and service to the sink, and forgets them at the next line', () => {
    const text = 'm{service="s",job="jj"} 1\nm{instance="i"} 1\nm 1\nm{service="s",zone="z",jobs="j"} 1\n';
    assert.deepEqual(scanned(text).map((entry) => entry.slice(4)), [
      [1, 19, 21, -1, -1, 11, 12],
      [27, -1, -1, 38, 39, -1, -1],
      [-1, -1, -1, -1, -1, -1, -1],
      [49, -1, -1, -1, -1, 59, 60],
    ]);
  });
});

describe('exposition scanner › invalid lines', () => {
  it('tells the sink why, which line, and where it starts and ends, then goes on', () => {
    assert.deepEqual(scanned('a 1\r\n  b\r\n# TYPE c nope\nd 2\n'), [
      ['sample', 1, 0, 3, -1, -1, -1, -1, -1, -1, -1],
      ['invalid', 'expected a value after b', 2, 5, 8],
      ['invalid', 'unknown metric type "nope"', 3, 10, 23],
      ['sample', 4, 24, 27, -1, -1, -1, -1, -1, -1, -1],
    ]);
  });

  it('throws at the first invalid line without an `invalid` handler, naming it', () => {
    assert.throws(() => scanned('a 1\n\nb\nc\n', false), (error: unknown) => error instanceof ExpositionError && error.message === 'line 3: expected a value after b');
  });

  it('hands an invalid line nothing: no sample or metadata before the reason', () => {
    assert.deepEqual(scanned('m{job="j",job="k"} 1\n# HELP 9 x\n'), [
      ['invalid', 'duplicate label job in m', 1, 0, 20],
      ['invalid', '# HELP without a metric name', 2, 21, 31],
    ]);
  });
});

describe('exposition scanner › a body that streams in', () => {
  it('waits for a line feed or the end, reads each line once, and rebinds to each new body', () => {
    const whole = Buffer.from('a 1\nbb 22\nc 3');
    const source: { body: Buffer; length: number; complete: boolean } = { body: Buffer.alloc(0), length: 0, complete: false };
    const { sink, heard } = recorder(true);
    const rebound: number[] = [];
    sink.rebind = (bytes) => { rebound.push(bytes.length); };
    const work = scanStreamedExposition(source, sink, FIXED_HASH_SEED.base);
    const steps: (boolean | undefined)[] = [];
    const step = (length: number, complete = false): void => {
      // A copy of its own (Buffer.from would share the pool's memory): a newer body, as a slot's growth makes one.
      source.body = Buffer.alloc(length);
      whole.copy(source.body, 0, 0, length);
      source.length = length;
      source.complete = complete;
      const next = work.next();
      steps.push(next.done === true ? undefined : next.value);
    };
    steps.push(work.next().value as boolean); // nothing yet: waits
    step(2); // "a " : no line feed yet
    step(6); // "a 1\nbb": the first line
    step(9); // "a 1\nbb 22": the second line still open
    step(whole.length); // all in, not yet complete: "c 3" waits for more
    step(whole.length, true); // complete: the last line needs no line feed
    assert.deepEqual(steps, [true, true, true, true, true, undefined]);
    assert.deepEqual(heard.map((entry) => entry.slice(0, 4)), [['sample', 1, 0, 3], ['sample', 2, 4, 9], ['sample', 3, 10, 13]]);
    assert.deepEqual(rebound, [0, 2, 6, 9, whole.length, whole.length]);
  });

  it('yields false between quanta of a body that is all in, and true only while waiting for more', () => {
    const body = Buffer.from('x 1\n'.repeat(2 * 8192));
    const work = scanStreamedExposition({ body, length: body.length, complete: true }, recorder(true).sink, FIXED_HASH_SEED.base);
    const values: (boolean | void)[] = [];
    for (let step = work.next(); step.done !== true; step = work.next()) values.push(step.value);
    assert.deepEqual(values, [false, false]);
  });

  it('reads a longer length of the same body without a new copy', () => {
    const body = Buffer.from('a 1\nb 2\n');
    const source = { body, length: 4, complete: false };
    const { sink, heard } = recorder(true);
    const work = scanStreamedExposition(source, sink, FIXED_HASH_SEED.base);
    assert.equal(work.next().value, true);
    source.length = body.length;
    source.complete = true;
    assert.equal(work.next().done, true);
    assert.deepEqual(heard.map((entry) => entry.slice(0, 4)), [['sample', 1, 0, 3], ['sample', 2, 4, 7]]);
  });
});
