import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpositionError } from '../../lib/core/errors.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { hashBytes } from '../../lib/core/snapshot/byte-hash.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// The syntax of one line at its boundaries (docs/testing.md#mutation-score): values, timestamps,
// label sets, HELP/TYPE lines, and the exact reason for each refused line.

const parse = (text: string) => parseExposition(text, FIXED_HASH_SEED);

/** Why the scanner refuses `line`, as an ExpositionError says it. */
function refusal(line: string): string {
  try {
    parse(line);
  } catch (error) {
    assert.ok(error instanceof ExpositionError);
    return error.message.replace(/^line 1: /, '');
  }
  return 'accepted';
}

describe('exposition lines › values', () => {
  const valid: Record<string, number> = {
    '1': 1, '-1': -1, '+1': 1, '.5': 0.5, '5.': 5, '1.5': 1.5, '-0.25': -0.25, '1e3': 1000, '1E3': 1000, '1e+3': 1000,
    '1e-3': 0.001, '.5e1': 5, '0': 0, '007': 7, '+Inf': Infinity, '-Inf': -Infinity, Inf: Infinity,
  };
  for (const [text, value] of Object.entries(valid)) {
    it(`reads ${text} as ${value}`, () => {
      assert.equal(parse(`m ${text}\n`).samples[0]?.value, value);
    });
  }

  const invalid = ['.', '-', '+', '+.', 'e3', '1e', '1e+', '1e-', '1.5.', '1x', '1 e3x', 'NaNx', 'Nan', 'nan', 'inf', '+NaN', '-NaN', 'Infinity', '+In', 'I', 'N', '--1', '1e3.5', '0x1', '1_000'];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)} as a value`, () => {
      const value = text.split(' ')[0] as string;
      const why = refusal(`m ${text}`);
      assert.ok(why === `invalid value ${JSON.stringify(value)} for m` || (text.includes(' ') && why.startsWith('invalid timestamp')), why);
    });
  }

  it('reads NaN', () => {
    assert.ok(Number.isNaN(parse('m NaN').samples[0]?.value));
  });

  it('refuses a label set with nothing after it, and a name with nothing after it', () => {
    assert.equal(refusal('m{a="b"}'), 'invalid value "" for m');
    assert.equal(refusal('m{a="b"}   '), 'invalid value "" for m');
    assert.equal(refusal('m'), 'expected a value after m');
    // A name runs to the first byte that is not a name's: what follows must be a blank or a label set.
    assert.equal(refusal('m-1'), 'expected a value after m');
    assert.equal(refusal('m.5 1'), 'expected a value after m');
    assert.equal(refusal('A:Z{Z_A="1",A="2"} 1'), 'accepted');
    assert.equal(refusal(':m 1'), 'accepted');
    assert.equal(refusal('m{a="b"}\t2'), 'accepted');
    assert.equal(refusal('m\t2'), 'accepted');
    assert.equal(refusal('m    2'), 'accepted');
  });
});

describe('exposition lines › timestamps', () => {
  it('reads a timestamp in milliseconds, negative ones too, and ignores blanks after it', () => {
    const { samples } = parse('a 1 1764000000123\nb 1 -5\nc 1 12 \t\nd 1\t \n');
    assert.deepEqual(samples.map((s) => s.timestampMs), [1764000000123, -5, 12, undefined]);
  });

  for (const [line, shown] of [['m 1 -', '-'], ['m 1 1.5', '1.5'], ['m 1 5 6', '5 6'], ['m 1 12a  ', '12a'], ['m 1 -x', '-x'], ['m 1 +5', '+5'], ['m 1 --5', '--5']]) {
    it(`refuses the timestamp in ${JSON.stringify(line)}, shown trimmed`, () => {
      assert.equal(refusal(line as string), `invalid timestamp ${JSON.stringify(shown)} for m`);
    });
  }
});

describe('exposition lines › label sets', () => {
  it('allows blanks around names, "=", values and separators, a trailing comma, and an empty set', () => {
    const { samples } = parse('m{ a = "1" ,\tb="2", } 1\nn{} 2\n');
    assert.deepEqual(samples.map((s) => [s.name, { ...s.labels }, s.value]), [['m', { a: '1', b: '2' }, 1], ['n', {}, 2]]);
  });

  const refused: Record<string, string> = {
    'm{,} 1': 'invalid label name in m',
    'm{': 'invalid label name in m',
    'm{1a="b"} 1': 'invalid label name in m',
    'm{a:b="c"} 1': 'expected "=" after label a',
    'm{a "b"} 1': 'expected "=" after label a',
    'm{a': 'expected "=" after label a',
    'm{a=': 'expected a quoted value for label a',
    'm{a= b} 1': 'expected a quoted value for label a',
    'm{a="b\\': 'unterminated value for label a',
    'm{a="b': 'unterminated value for label a',
    'm{a="\\t"} 1': 'invalid escape in value of label a',
    'm{a="b"c="d"} 1': 'expected "," or "}" in labels of m',
    'm{a="b"': 'expected "," or "}" in labels of m',
    'm{a="b",': 'invalid label name in m',
    'm{a="b" ,, c="d"} 1': 'invalid label name in m',
  };
  for (const [line, why] of Object.entries(refused)) {
    it(`refuses ${JSON.stringify(line)}: ${why}`, () => {
      assert.equal(refusal(line), why);
    });
  }

  it('reads escaped quotes, backslashes and newlines in a value, and a value ending in an escaped backslash', () => {
    const { samples } = parse('m{a="\\\\",b="x\\"y",c="\\n"} 1\n');
    assert.deepEqual({ ...samples[0]?.labels }, { a: '\\', b: 'x"y', c: '\n' });
  });

  it('clips a long name in a reason to 120 characters', () => {
    const long = `l${'x'.repeat(130)}`;
    assert.equal(refusal(`m{${long}="1",${long}="2"} 1`), `duplicate label ${long.slice(0, 120)}… in m`);
    const exact = `l${'x'.repeat(119)}`;
    assert.equal(refusal(`m{${exact}="1",${exact}="2"} 1`), `duplicate label ${exact} in m`);
  });
});

describe('exposition lines › duplicate label names, any number of them', () => {
  const names = (count: number): string[] => Array.from({ length: count }, (_, k) => `l${k}`);
  const line = (labels: string[]): string => `m{${labels.map((name, k) => `${name}="${k}"`).join(',')}} 1`;

  it('accepts up to hundreds of distinct names, prefixes of each other included', () => {
    for (const count of [7, 8, 9, 16, 17, 300]) assert.equal(refusal(line(names(count))), 'accepted', `${count} names`);
    assert.equal(refusal(line(Array.from({ length: 40 }, (_, k) => 'a'.repeat(k + 1)))), 'accepted');
    assert.equal(refusal(line(Array.from({ length: 40 }, (_, k) => 'a'.repeat(40 - k)))), 'accepted');
  });

  it('finds a duplicate among the first eight names, at the ninth, and far beyond', () => {
    for (const [count, duplicate] of [[2, 0], [8, 6], [8, 7], [9, 0], [9, 8], [10, 8], [12, 3], [300, 150], [300, 299]]) {
      const labels = [...names(count as number), `l${duplicate}`];
      assert.equal(refusal(line(labels)), `duplicate label l${duplicate} in m`, `${count} names, then l${duplicate} again`);
    }
  });

  it('finds a duplicate written with a blank before its "=", among few names and many', () => {
    assert.equal(refusal('m{a="1",a ="2"} 1'), 'duplicate label a in m');
    assert.equal(refusal(`m{${names(9).map((name) => `${name}="1"`).join(',')},l3 ="2"} 1`), 'duplicate label l3 in m');
    assert.equal(refusal(`m{${names(9).map((name) => `${name} ="1"`).join(',')},l3="2"} 1`), 'duplicate label l3 in m');
  });

  // Found by a birthday search under FIXED_HASH_SEED: each pair has one hash, so past the eighth name
  // the second lands on the first's slot and only the bytes tell them apart.
  const sameHash: readonly [string, string] = ['pnikmele', 'ikglmryw'];
  const prefixSameHash: readonly [string, string] = ['paaaoy', 'paaaoydkv'];
  const hashOf = (name: string): number => hashBytes(Buffer.from(name, 'latin1'), 0, name.length, FIXED_HASH_SEED.base);

  it('tells apart two names with the same hash, one a prefix of the other included', () => {
    for (const [a, b] of [sameHash, prefixSameHash]) {
      assert.equal(hashOf(a), hashOf(b), `${a} and ${b} collide under the test seed`);
      assert.equal(refusal(line([...names(8), a, b])), 'accepted', `${a} then ${b}`);
      assert.equal(refusal(line([...names(8), b, a])), 'accepted', `${b} then ${a}`);
      assert.equal(refusal(line([a, b, ...names(7)])), 'accepted', `${a} and ${b} among the first eight`);
    }
  });

  it('finds a real duplicate among names with the same hash', () => {
    for (const [a, b] of [sameHash, prefixSameHash]) {
      assert.equal(refusal(line([...names(8), a, b, b])), `duplicate label ${b} in m`);
      assert.equal(refusal(line([...names(8), a, b, a])), `duplicate label ${a} in m`);
      assert.equal(refusal(line([a, b, ...names(7), b])), `duplicate label ${b} in m`);
    }
  });

  it('holds only the names of the line, not empty ranges, even for a name with the empty range\'s hash', () => {
    // `oaurvi` hashes to 1 under the test seed, as the empty range does; it also starts the body, where an empty range would point.
    assert.equal(hashOf('oaurvi'), hashOf(''));
    assert.equal(refusal('oaurvi{oaurvi="1"} 1'), 'accepted');
    assert.equal(refusal(`oaurvi{${[...names(9), 'oaurvi'].map((name) => `${name}="1"`).join(',')}} 1`), 'accepted');
  });

  it('starts every line with an empty set', () => {
    const text = `${line(names(20))}\n${line(names(20))}\n${line(names(3))}\n${line(names(3))}\n`;
    assert.equal(parse(text).samples.length, 4);
  });
});

describe('exposition lines › HELP, TYPE and other comments', () => {
  it('reads HELP and TYPE with any blanks, and leaves other comments alone', () => {
    assert.equal(refusal('# TYPEX m nonsense'), 'accepted');
    assert.equal(refusal('# HELPX'), 'accepted');
    const { families, samples } = parse('#HELP a one\n#\tTYPE\ta\tcounter \t\n# HELPx b\n# help c d\n#\n#  TYPE b untyped\n# HELP c\n');
    assert.deepEqual([...families.values()].map((f) => ({ ...f })), [
      { name: 'a', help: 'one', type: 'counter' },
      { name: 'b', help: undefined, type: 'untyped' },
      { name: 'c', help: '', type: undefined },
    ]);
    assert.equal(samples.length, 0);
  });

  it('accepts every metric type and refuses any other word', () => {
    for (const type of ['counter', 'gauge', 'histogram', 'summary', 'untyped']) assert.equal(parse(`# TYPE m ${type}\n`).families.get('m')?.type, type);
    assert.equal(refusal('# TYPE m'), 'unknown metric type ""');
    assert.equal(refusal('# TYPE m   '), 'unknown metric type ""');
    assert.equal(refusal('# TYPE m Gauge'), 'unknown metric type "Gauge"');
    assert.equal(refusal('# TYPE m gauge x'), 'unknown metric type "gauge x"');
  });

  it('refuses HELP and TYPE without a valid metric name', () => {
    assert.equal(refusal('# HELP'), '# HELP without a metric name');
    assert.equal(refusal('# TYPE  '), '# TYPE without a metric name');
    assert.equal(refusal('# HELP 1m x'), '# HELP without a metric name');
    assert.equal(refusal('# TYPE m.b gauge'), 'invalid metric name in # TYPE');
    assert.equal(refusal('# HELP m-b'), 'invalid metric name in # HELP');
    assert.equal(refusal('# HELP a:b_9 x'), 'accepted');
  });

  it('keeps the HELP text after one separator, unescaping only \\\\ and \\n', () => {
    const { families } = parse('# HELP a  two spaces \n# HELP b x\\ty\\\\n\\n\n# HELP c\tz\n');
    assert.equal(families.get('a')?.help, ' two spaces ');
    assert.equal(families.get('b')?.help, 'x\\ty\\n\n');
    assert.equal(families.get('c')?.help, 'z');
  });
});
