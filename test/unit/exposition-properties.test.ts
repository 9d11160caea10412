import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// Generated exposition text that is valid by the format's rules (written here from the format's
// description, not with our renderer) parses into exactly the samples it was written from.

const RUNS = 500;
const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/).filter((name) => !name.startsWith('__'));
const labelValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.constantFrom('', '"', '\\', '\n', '\\n', 'a"b\\c\nd', '}', '{x="y"}', ' 1 2', '# HELP', 'ünïcødé 🙂'),
);
/** The text format's label-value escaping: backslash, double quote and line feed (and nothing else). */
const escapeValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const value = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map((n) => ({ text: String(n), value: n })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)).map((n) => ({ text: String(n), value: n })),
  fc.constantFrom({ text: '+Inf', value: Infinity }, { text: '-Inf', value: -Infinity }, { text: '1e3', value: 1000 }, { text: '-0.5', value: -0.5 }, { text: '.5', value: 0.5 }),
);
const sample = fc.record({
  name: metricName,
  labels: fc.uniqueArray(fc.tuple(labelName, labelValue), { maxLength: 4, selector: ([name]) => name }),
  value,
  timestampMs: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
  spacing: fc.constantFrom(' ', '  ', '\t'),
  trailingComma: fc.boolean(),
  metadata: fc.constantFrom('none', 'help', 'type', 'comment', 'blank'),
});

describe('generated valid exposition text (property-based)', () => {
  it('parses into exactly the samples written, in order', () => {
    let withSamples = 0;
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 8 }), (samples) => {
        const lines: string[] = [];
        for (const s of samples) {
          if (s.metadata === 'help') lines.push(`# HELP ${s.name} some \\\\ help\\n text`);
          if (s.metadata === 'type') lines.push(`# TYPE ${s.name} untyped`);
          if (s.metadata === 'comment') lines.push('# a free comment {x="1"} 2');
          if (s.metadata === 'blank') lines.push('');
          const pairs = s.labels.map(([name, text]) => `${name}="${escapeValue(text)}"`).join(',');
          const braces = s.labels.length === 0 ? '' : `{${pairs}${s.trailingComma ? ',' : ''}}`;
          lines.push(`${s.name}${braces}${s.spacing}${s.value.text}${s.timestampMs === undefined ? '' : ` ${s.timestampMs}`}`);
        }
        const parsed = parseExposition(`${lines.join('\n')}\n`, FIXED_HASH_SEED).samples;
        if (parsed.length > 0) withSamples += 1;
        assert.deepEqual(
          parsed.map((p) => [p.name, { ...p.labels }, p.value, p.timestampMs]),
          samples.map((s) => [s.name, Object.fromEntries(s.labels), s.value.value, s.timestampMs]),
        );
        for (const p of parsed) {
          assert.equal(p.job, p.labels.job);
          assert.equal(p.instance, p.labels.instance);
          assert.equal(p.service, p.labels.service);
        }
      }),
      { numRuns: RUNS },
    );
    assert.equal(withSamples, RUNS, 'every generated document parsed into samples');
  });
});
