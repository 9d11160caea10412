import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpositionError } from '../../lib/core/errors.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

describe('parseExposition', () => {
  it('parses what Pushgateway writes: HELP, TYPE, labels in any order, push_time_seconds', () => {
    const { samples, families } = parseExposition(
      [
        '# HELP loop_heartbeat_timestamp_seconds Last heartbeat.',
        '# TYPE loop_heartbeat_timestamp_seconds gauge',
        'loop_heartbeat_timestamp_seconds{instance="service1",job="heartbeat",service="service1"} 1.764e+09',
        'loop_heartbeat_timestamp_seconds{service="service2", job="heartbeat",instance="service2",} 1764000001',
        '# HELP push_time_seconds Last Unix time when changing this group in the Pushgateway succeeded.',
        '# TYPE push_time_seconds gauge',
        'push_time_seconds{instance="service1",job="heartbeat"} 1.7640000001234567e+09',
        '',
      ].join('\n'),
      FIXED_HASH_SEED,
    );
    assert.equal(samples.length, 3);
    assert.deepEqual({ ...samples[0]?.labels }, { instance: 'service1', job: 'heartbeat', service: 'service1' });
    assert.equal(samples[0]?.value, 1_764_000_000);
    assert.deepEqual(Object.keys(samples[1]?.labels ?? {}), ['service', 'job', 'instance']);
    assert.equal(samples[2]?.value, 1764000000.1234567);
    assert.equal(families.get('loop_heartbeat_timestamp_seconds')?.type, 'gauge');
    assert.equal(families.get('push_time_seconds')?.help, 'Last Unix time when changing this group in the Pushgateway succeeded.');
  });

  it('unescapes quotes, backslashes and newlines in label values and HELP', () => {
    const { samples, families } = parseExposition(
      '# HELP m a \\\\ b\\nc\nm{a="say \\"hi\\"",b="C:\\\\dir",c="line1\\nline2",d="{},= #"} 1\n',
      FIXED_HASH_SEED,
    );
    assert.deepEqual({ ...samples[0]?.labels }, { a: 'say "hi"', b: 'C:\\dir', c: 'line1\nline2', d: '{},= #' });
    assert.equal(families.get('m')?.help, 'a \\ b\nc');
  });

  it('parses NaN, ±Inf, exponents, negative values and timestamps', () => {
    const { samples } = parseExposition('a NaN\nb +Inf\nc -Inf\nd 1.5e-3\ne -2E+2\nf 7 1764000000123\ng Inf\n', FIXED_HASH_SEED);
    assert.ok(Number.isNaN(samples[0]?.value));
    assert.equal(samples[1]?.value, Number.POSITIVE_INFINITY);
    assert.equal(samples[2]?.value, Number.NEGATIVE_INFINITY);
    assert.equal(samples[3]?.value, 0.0015);
    assert.equal(samples[4]?.value, -200);
    assert.equal(samples[5]?.value, 7);
    assert.equal(samples[5]?.timestampMs, 1764000000123);
    assert.equal(samples[6]?.value, Number.POSITIVE_INFINITY);
  });

  it('accepts a value right after the label set, as Prometheus does', () => {
    assert.equal(parseExposition('x{a="b"}1\n', FIXED_HASH_SEED).samples[0]?.value, 1);
  });

  it('skips ordinary comments and blank lines, and accepts CRLF and a missing final newline', () => {
    const { samples } = parseExposition('# just a comment\r\n\r\n  \nx{a="1"} 2\r\ny 3', FIXED_HASH_SEED);
    assert.deepEqual(samples.map((s) => [s.name, s.value]), [['x', 2], ['y', 3]]);
  });

  it('assigns histogram and summary samples to their family', () => {
    const { samples } = parseExposition(
      '# TYPE rt histogram\nrt_bucket{le="+Inf"} 3\nrt_sum 1.5\nrt_count 3\n# TYPE other gauge\nother 1\nrt_sum 9\n',
      FIXED_HASH_SEED,
    );
    assert.deepEqual(samples.map((s) => s.family), ['rt', 'rt', 'rt', 'other', 'rt_sum']);
  });

  const malformed: Record<string, string> = {
    heartbeat: 'line 1: expected a value after heartbeat',
    'metric without a value': 'line 1: invalid value "without" for metric',
    'x{a="1" 2': 'line 1: expected "," or "}" in labels of x',
    'x{a="unterminated} 2': 'line 1: unterminated value for label a',
    'x{a=1} 2': 'line 1: expected a quoted value for label a',
    'x{a="\\q"} 2': 'line 1: invalid escape in value of label a',
    'x{a="1",a="2"} 2': 'line 1: duplicate label a in x',
    'x 0x10': 'line 1: invalid value "0x10" for x',
    'x 12abc': 'line 1: invalid value "12abc" for x',
    'ok 1\nx 1 notatime': 'line 2: invalid timestamp "notatime" for x',
    '# TYPE x gauges': 'line 1: unknown metric type "gauges"',
    '<html><body>502 Bad Gateway</body></html>': 'line 1: expected a metric name',
    '{a="1"} 2': 'line 1: expected a metric name',
  };
  for (const [input, message] of Object.entries(malformed)) {
    it(`rejects ${JSON.stringify(input)} naming the line`, () => {
      assert.throws(() => parseExposition(input, FIXED_HASH_SEED), (error: unknown) => {
        assert.ok(error instanceof ExpositionError);
        assert.equal(error.code, 'EXPOSITION_INVALID');
        assert.equal(error.message, message);
        return true;
      });
    });
  }

  it('parses and indexes 10,000 groups', () => {
    let text = '# TYPE loop_heartbeat_timestamp_seconds untyped\n';
    for (let i = 0; i < 10_000; i++) {
      text += `loop_heartbeat_timestamp_seconds{instance="svc${i}",job="heartbeat",service="svc${i}"} ${1_764_000_000 + i}\n`;
      text += `loop_errors_total{instance="svc${i}",job="heartbeat"} ${i}\n`;
      text += `push_time_seconds{instance="svc${i}",job="heartbeat"} ${1_764_000_000.5 + i}\n`;
    }
    const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
    assert.equal(snapshot.sampleCount, 30_000);
    assert.equal(snapshot.groups.size, 10_000);
    const group = snapshot.groups.get(groupKey('heartbeat', 'svc9999'));
    assert.equal(group?.samples.length, 3);
    assert.equal(group?.pushTimeSeconds, 1_764_009_999.5);
    assert.equal(snapshot.samplesOfService('svc42')[0]?.value, 1_764_000_042);
  });
});

describe('indexSnapshot', () => {
  it("ignores Pushgateway's own unlabelled metrics and indexes pushed ones by group and service", () => {
    const snapshot = indexSnapshot(
      'pushgateway_build_info{version="1.5.1"} 1\n' +
        'hb{job="heartbeat",instance="a",service="s"} 10\n' +
        'hb{job="heartbeat",instance="b",service="s"} 20\n' +
        'hb{job="other"} 30\n', FIXED_HASH_SEED,
    );
    assert.deepEqual([...snapshot.groups.keys()], [groupKey('heartbeat', 'a'), groupKey('heartbeat', 'b'), groupKey('other', '')]);
    assert.deepEqual(snapshot.samplesOfService('s').map((s) => s.value), [10, 20]);
  });
});
