import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExpositionError } from '../../lib/core/errors.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { hashBytes, HASH_PRIME, MIN_HASH_BASE, type HashSeed } from '../../lib/core/snapshot/byte-hash.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// The syntax of one line at its boundaries (docs/testing.md#mutation-score): values, timestamps,
// label sets, HELP/TYPE lines, and the exact reason for each refused line.

const parse = (text: string) => parseExposition(text, FIXED_HASH_SEED);

/** Why the scanner refuses `line`, as an ExpositionError says it. */
function refusal(line: string, hashSeed: HashSeed = FIXED_HASH_SEED): string {
  try {
    parseExposition(line, hashSeed);
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

  it('refuses a line exactly when a name repeats, naming the first repeat: names of one to four characters (one number each) and longer, on any seed (property-based)', () => {
    // Past eight names a line, names go into the set, their slots picked by tabulation of a key: a
    // short name's number, a longer name's hash. Lines of 9 to 80 names, most with one name repeated.
    const character = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz');
    const name = fc.tuple(fc.constantFrom('a', 'Z', '_'), fc.array(character, { maxLength: 5 })).map(([first, rest]) => first + rest.join(''));
    const seed = fc.record({ base: fc.integer({ min: MIN_HASH_BASE, max: HASH_PRIME - 1 }), pairBase: fc.constant(FIXED_HASH_SEED.pairBase) });
    const repeat = fc.option(fc.tuple(fc.nat(), fc.nat()), { freq: 4, nil: undefined });
    let throughTheSet = 0;
    fc.assert(
      fc.property(fc.array(name, { minLength: 9, maxLength: 80, size: 'max' }), repeat, seed, (names, again, hashSeed) => {
        const labels = [...names];
        if (again !== undefined) labels.splice(again[1] % (labels.length + 1), 0, names[again[0] % names.length] as string);
        const seen = new Set<string>();
        const first = labels.findIndex((label) => seen.has(label) || (seen.add(label), false));
        if (first >= 8) throughTheSet++;
        assert.equal(refusal(line(labels), hashSeed), first === -1 ? 'accepted' : `duplicate label ${labels[first]} in m`);
      }),
      { numRuns: 400 },
    );
    assert.ok(throughTheSet >= 100, `only ${throughTheSet} lines found their repeat in the set`);
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
  const sameHash: readonly [string, string] = ['tubauaaa', 'wqmeaela'];
  const prefixSameHash: readonly [string, string] = ['plcbaa', 'plcbaarrs'];
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

  it('holds only the names of the line, not empty ranges: a label named as the body\'s first bytes, wherever its slot falls', () => {
    // Were the first eight names kept out of the direct slots, the set would hold eight empty ranges
    // at the body's start, and a label named as the metric would pass for one of them whenever its
    // probe reaches their run of slots: some of sixty names do, wherever the tables put that run.
    for (const name of Array.from({ length: 60 }, (_, k) => `n${k}`)) {
      assert.equal(refusal(`${name}{${[...names(9), name].map((label) => `${label}="1"`).join(',')}} 1`), 'accepted', name);
    }
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
