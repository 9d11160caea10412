import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { digitsEnd, endOfQuoted, isDigit, lineEndOf, matchesAt, sameBytesAt, shown, viewOf, BAD_ESCAPE, UNTERMINATED } from '../../lib/core/exposition/byte-scanning.ts';
import { isMetricType } from '../../lib/core/exposition/exposition-types.ts';
import { helpText, metadataAt, metadataNameEnd, metadataNameStart, typeText } from '../../lib/core/exposition/metadata-lines.ts';
import { decodeSample, unescapeLabelValue } from '../../lib/core/exposition/sample-decoder.ts';

// Reading validated lines back (docs/testing.md#mutation-score): a sample decoded from its
// positions, a HELP/TYPE line's name and text, and the byte scans they share, at their boundaries.

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('exposition decoding › a sample line', () => {
  const decoded = (line: string, context?: string) => decodeSample(bytes(line), 0, Buffer.byteLength(line), context);

  it('reads name, labels (blanks and a trailing comma allowed), value and timestamp', () => {
    const sample = decoded('m{ job = "j" ,instance="i",\tservice="s", x="a\\"b\\\\c\\nd", } -1.5e1 \t 123 \t');
    assert.deepEqual({ ...sample, labels: { ...sample.labels } }, {
      name: 'm', value: -15, timestampMs: 123, family: 'm', job: 'j', instance: 'i', service: 's',
      labels: { job: 'j', instance: 'i', service: 's', x: 'a"b\\c\nd' },
    });
    assert.equal(Object.getPrototypeOf(sample.labels), null);
  });

  it('reads a value right after the label set, with no timestamp, and an empty label set', () => {
    assert.deepEqual([decoded('m{a="1"}7').value, decoded('m{a="1"}7').timestampMs], [7, undefined]);
    assert.deepEqual({ ...decoded('m{} 2').labels }, {});
    assert.deepEqual([decoded('m\t3 \t').value, decoded('m\t3 \t').timestampMs, decoded('m\t3 \t').job], [3, undefined, undefined]);
  });

  it('decodes only its own line of a longer body, up to `end`', () => {
    const body = bytes('a{x="1"} 1 5\nb{y="2"} 2 6\n');
    const sample = decodeSample(body, 13, 25, undefined);
    assert.deepEqual([sample.name, { ...sample.labels }, sample.value, sample.timestampMs], ['b', { y: '2' }, 2, 6]);
    const first = decodeSample(body, 0, 12, undefined);
    assert.deepEqual([first.name, { ...first.labels }, first.value, first.timestampMs], ['a', { x: '1' }, 1, 5]);
  });

  it('reads names with capitals A to Z, and with a colon first', () => {
    const sample = decoded('A:Z{Z_A="1",A="2"} 1');
    assert.deepEqual([sample.name, { ...sample.labels }], ['A:Z', { Z_A: '1', A: '2' }]);
    assert.equal(decoded(':m 1').name, ':m');
  });

  it('reads NaN and the three spellings of infinity', () => {
    assert.ok(Number.isNaN(decoded('m NaN').value));
    assert.deepEqual(['m +Inf', 'm Inf', 'm -Inf', 'm 1e3', 'm .5'].map((line) => decoded(line).value), [Infinity, Infinity, -Infinity, 1000, 0.5]);
  });

  it('puts a sample in the family in force when its name is the family or the family and one suffix', () => {
    for (const suffix of ['', '_bucket', '_sum', '_count', '_total', '_created', '_info', '_gsum', '_gcount']) {
      assert.equal(decoded(`rt${suffix} 1`, 'rt').family, 'rt', suffix);
    }
    for (const [name, context] of [['rt_max', 'rt'], ['rt_sum_sum', 'rt'], ['xrt_sum', 'rt'], ['rt', 'rt_sum'], ['rtsum', 'rt'], ['rt_bucketx', 'rt'], ['r', 'rt']]) {
      assert.equal(decoded(`${name} 1`, context).family, name, `${name} under ${context}`);
    }
    assert.equal(decoded('rt_sum 1').family, 'rt_sum');
    // A name of the right length that ends in a suffix but does not start with the family.
    assert.equal(decoded('ab_sum 1', 'rt').family, 'ab_sum');
    assert.equal(decoded('ab_count 1', 'rt').family, 'ab_count');
  });

  it('unescapes a label value only where it holds a backslash', () => {
    assert.equal(unescapeLabelValue(bytes('xa\\nb\\\\\\"y'), 1, 9), 'a\nb\\"');
    assert.equal(unescapeLabelValue(bytes('plain é'), 0, 8), 'plain é');
    assert.equal(unescapeLabelValue(bytes('\\\\n'), 0, 3), '\\n');
  });
});

describe('exposition decoding › HELP and TYPE lines', () => {
  it('finds the family name of a HELP or TYPE line, with any blanks', () => {
    for (const [line, name] of [['# HELP abc text', 'abc'], ['#TYPE\tab_c:d  gauge', 'ab_c:d'], ['  #  HELP  x', 'x'], ['# TYPE y\n# HELP z', 'y']]) {
      const body = bytes(line as string);
      const start = metadataNameStart(body, 0);
      assert.equal(body.toString('latin1', start, metadataNameEnd(body, start)), name, line);
    }
  });

  it('says -1 for a line that is not one', () => {
    for (const line of ['x 1', 'x HELP a', 'x TYPE a', '# HELPx y', '# HEL', '# HELP', '# TYPE', '# comment', '#', '', '# help x']) {
      assert.equal(metadataNameStart(bytes(line), 0), -1, line);
    }
    assert.equal(metadataNameEnd(bytes('abc'), -1), -1);
    assert.equal(metadataNameEnd(bytes('ab c'), 0), 2);
  });

  it('starts at the line asked for', () => {
    const body = bytes('m 1\n# HELP a b\n');
    assert.equal(metadataNameStart(body, 0), -1);
    assert.equal(metadataNameStart(body, 4), 11);
  });

  it('reads a line back: name, kind and text', () => {
    const body = bytes('x 1\n# HELP h a\\nb \n#\tTYPE  t \tcounter \t\n');
    assert.deepEqual(metadataAt(body, 4, 18), { name: 'h', kind: 'HELP', text: 'a\nb ' });
    assert.deepEqual(metadataAt(body, 19, 39), { name: 't', kind: 'TYPE', text: 'counter' });
  });

  it('reads HELP text after one separator, and TYPE text trimmed', () => {
    const body = bytes('name  a \\\\ \\n \\t ');
    assert.equal(helpText(body, 4, body.length), ' a \\ \n \\t ');
    assert.equal(helpText(body, 4, 4), '');
    assert.equal(helpText(body, 4, 5), '');
    assert.equal(typeText(bytes('n \t gauge \t'), 1, 11), 'gauge');
    assert.equal(typeText(bytes('n  '), 1, 3), '');
  });

  it('knows the five metric types and nothing else', () => {
    assert.deepEqual(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'Gauge', '', undefined].map(isMetricType), [true, true, true, true, true, false, false, false]);
  });
});

describe('exposition decoding › byte scans', () => {
  it('finds the end of a line before its line feed and carriage return', () => {
    const body = bytes('ab\r\ncd\n\r\nef\r');
    assert.deepEqual([0, 4, 7, 9].map((start) => lineEndOf(body, start)), [2, 6, 7, 11]);
    assert.equal(lineEndOf(bytes('\n'), 0), 0);
    assert.equal(lineEndOf(bytes('\r'), 0), 0);
    assert.equal(lineEndOf(bytes('abc'), 1), 3);
  });

  it('matches a word where it stands', () => {
    const body = bytes('xHELPy');
    assert.deepEqual([matchesAt(body, 1, 6, 'HELP'), matchesAt(body, 1, 5, 'HELP'), matchesAt(body, 1, 4, 'HELP'), matchesAt(body, 0, 6, 'HELP'), matchesAt(body, 1, 6, 'HELX')], [true, true, false, false, false]);
  });

  it('clips what a message shows at 120 characters', () => {
    const text = 'a'.repeat(121);
    assert.equal(shown(bytes(text), 0, 120), 'a'.repeat(120));
    assert.equal(shown(bytes(text), 0, 121), `${'a'.repeat(120)}…`);
    assert.equal(shown(bytes(`é${text}`), 0, 2), 'é');
  });

  it('ends a quoted value at its closing quote, past escapes, or says why not', () => {
    const at = (text: string, from = 0): number => endOfQuoted(bytes(text), from, Buffer.byteLength(text));
    assert.deepEqual([at('ab"c'), at('"'), at('a\\"b"'), at('\\\\"'), at('\\n"'), at('x"', 1)], [2, 0, 4, 2, 2, 1]);
    assert.deepEqual([at(''), at('abc'), at('a\\'), at('a\\"'), at('\\t"'), at('\\"')], [UNTERMINATED, UNTERMINATED, UNTERMINATED, UNTERMINATED, BAD_ESCAPE, UNTERMINATED]);
    assert.equal(endOfQuoted(bytes('ab"'), 0, 2), UNTERMINATED);
    assert.equal(endOfQuoted(bytes('a\\"'), 0, 2), UNTERMINATED);
  });

  it('compares two ranges of a body as a byte compare does, whatever their sizes and wherever they differ, reading nothing past them (property-based)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), fc.nat(), fc.nat(255), (text, offset, at, byte) => {
        // The body holds the range twice, the second copy with one byte changed or not (byte may
        // equal it), each followed by a byte the other is not: a compare that reads past the ranges errs.
        const body = Buffer.alloc(offset + 2 * text.length + 2);
        const a = offset;
        const b = offset + text.length + 1;
        body.set(text, a);
        body[a + text.length] = 0xaa;
        body.set(text, b);
        body[b + text.length] = 0x55;
        if (text.length > 0) body[b + (at % text.length)] = byte;
        assert.equal(sameBytesAt(viewOf(body), a, b, text.length), body.subarray(a, a + text.length).equals(body.subarray(b, b + text.length)));
      }),
      { numRuns: 3000 },
    );
  });

  // The digit scan reads four bytes at a time: bodies mostly of digits, else of their neighbours in
  // value (0x2f, and 0x3a–0x3f, which share a digit's high nibble) or any byte, from every alignment.
  const digitHeavy = fc.array(fc.oneof(
    { arbitrary: fc.integer({ min: 0x30, max: 0x39 }), weight: 12 },
    { arbitrary: fc.constantFrom(0x2f, 0x3a, 0x3b, 0x3f, 0x20, 0x0a, 0x2e, 0x65, 0xb0, 0xf9), weight: 2 },
    { arbitrary: fc.nat(255), weight: 1 },
  ), { minLength: 12, maxLength: 48 }).map((picked) => Uint8Array.from(picked));

  it('ends a run of digits where a byte-by-byte scan does, at every alignment and at the body\'s end (property-based)', () => {
    let longRuns = 0;
    fc.assert(
      fc.property(digitHeavy, fc.nat(8), (body, from) => {
        const start = Math.min(from, body.length);
        let expected = start;
        while (expected < body.length && isDigit(body[expected] as number)) expected++;
        if (expected - start >= 8) longRuns += 1;
        assert.equal(digitsEnd(Buffer.from(body.buffer, body.byteOffset, body.length), viewOf(body), start), expected);
      }),
      { numRuns: 5000 },
    );
    assert.ok(longRuns > 500, `runs of eight digits or more: ${longRuns}`);
    assert.equal(digitsEnd(bytes('12345678'), viewOf(bytes('12345678')), 0), 8);
    assert.equal(digitsEnd(bytes('0123/9:8'), viewOf(bytes('0123/9:8')), 0), 4);
  });
});
