import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Sample } from '../../lib/core/exposition/exposition-types.ts';
import { activeMaintenance } from '../../lib/core/rules/maintenance-window.ts';
import { evaluateOkWhenRule, parseOkWhenRule, type OkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { parseSchedule, type Schedule } from '../../lib/core/rules/schedule.ts';

// The edges of lib/core/rules that the mutation run (docs/testing.md) found untested: every
// comparison of ok_when at, below and above its threshold, the text a rule may be written in,
// chains of touching maintenance windows in any order, and cron text with odd spacing.

const rule = (text: string): OkWhenRule => {
  const parsed = parseOkWhenRule(text);
  if ('error' in parsed) assert.fail(`${text}: ${parsed.error}`);
  return parsed;
};
const samples = (metric: string, values: readonly number[]): Sample[] =>
  values.map((value) => ({ name: metric, value, timestampMs: undefined, family: metric, job: undefined, instance: undefined, service: undefined, labels: {} }));
const passes = (text: string, values: readonly number[]): boolean => evaluateOkWhenRule(rule(text), samples('m', values)).passed;

describe('ok_when comparisons at, below and above the threshold', () => {
  const table: { readonly op: string; readonly below: boolean; readonly at: boolean; readonly above: boolean }[] = [
    { op: '==', below: false, at: true, above: false },
    { op: '!=', below: true, at: false, above: true },
    { op: '<', below: true, at: false, above: false },
    { op: '<=', below: true, at: true, above: false },
    { op: '>', below: false, at: false, above: true },
    { op: '>=', below: false, at: true, above: true },
  ];
  for (const row of table) {
    it(`m ${row.op} 5`, () => {
      assert.deepEqual([passes(`m ${row.op} 5`, [4.5]), passes(`m ${row.op} 5`, [5]), passes(`m ${row.op} 5`, [5.5])], [row.below, row.at, row.above]);
      assert.equal(passes(`m ${row.op} 5`, [Number.NaN]), false, 'NaN vouches for nothing');
      assert.equal(passes(`m ${row.op} 5`, []), false, 'a metric never pushed vouches for nothing');
    });
  }

  it('every sample of the metric must hold, not just one', () => {
    assert.equal(passes('m == 1', [1, 0]), false);
    assert.equal(passes('m == 1', [1, 1]), true);
    assert.deepEqual(evaluateOkWhenRule(rule('m >= 1'), samples('m', [3, 2])).values, [3, 2]);
  });
});

describe('ok_when text', () => {
  it('takes surrounding and inner white space, and writes the rule back normalised', () => {
    assert.deepEqual(rule('  loop_status==1  '), { text: 'loop_status == 1', metric: 'loop_status', operator: '==', threshold: 1 });
    assert.equal(rule('\tm   <=\t2.5 ').text, 'm <= 2.5');
  });

  it('takes every decimal form: .5, 1., 1e10, -2E-3, +7', () => {
    assert.deepEqual(['m < .25', 'm < 1.', 'm < 1e10', 'm < -2E-3', 'm < +7', 'm < 12e+2'].map((text) => rule(text).threshold), [0.25, 1, 1e10, -0.002, 7, 1200]);
  });

  it('refuses text before the metric, after the number, and non-decimal numbers', () => {
    for (const text of ['-loop_status == 1', '1m == 1', 'loop_status == 1 x', 'loop_status == 1 == 2', 'm == 0x1F', 'm == 1e', 'm == .', 'm == Infinity', 'm == 1e999']) {
      assert.ok('error' in parseOkWhenRule(text), text);
    }
    assert.deepEqual(parseOkWhenRule('m == 0x1F'), { error: '"0x1F" is not a finite decimal number' });
  });
});

describe('maintenance windows chained in any order', () => {
  it('"until" follows a chain of touching windows whatever order they are listed in', () => {
    const chain = [{ fromSeconds: 1000, toSeconds: 2000 }, { fromSeconds: 2000, toSeconds: 3000 }, { fromSeconds: 3000, toSeconds: 4000 }];
    for (const order of [chain, [...chain].reverse(), [chain[2], chain[0], chain[1]]]) {
      assert.equal(activeMaintenance(order as typeof chain, 1500)?.untilSeconds, 4000, JSON.stringify(order));
    }
  });

  it('reasons are those of the windows in force, without blanks', () => {
    const windows = [{ fromSeconds: 0, toSeconds: 100 }, { fromSeconds: 50, toSeconds: 300, reason: 'b' }, { fromSeconds: 60, toSeconds: 70, reason: 'c' }];
    assert.deepEqual(activeMaintenance(windows, 65), { untilSeconds: 300, reasons: ['b', 'c'] });
    assert.deepEqual(activeMaintenance(windows, 20), { untilSeconds: 300, reasons: [] });
  });
});

describe('cron text', () => {
  const schedule = (expression: string, timezone = 'UTC'): Schedule => {
    const parsed = parseSchedule(expression, timezone);
    if ('error' in parsed) assert.fail(`${expression}: ${parsed.error}`);
    return parsed.schedule;
  };

  it('takes surrounding white space and several spaces between fields', () => {
    assert.equal(schedule('  0 9 * * *  ').nextAfter(0), 9 * 3600);
    assert.equal(schedule('0  9\t*  *   *').nextAfter(0), 9 * 3600);
    assert.equal(schedule(' @daily').nextAfter(0), 86_400);
  });

  it('names what croner refused, in one line', () => {
    assert.deepEqual(parseSchedule('61 * * * *', 'UTC'), { error: 'not a valid cron expression: Invalid value for minute: 61' });
    assert.deepEqual(parseSchedule('x * * * *', 'UTC'), { error: 'not a valid cron expression: configuration entry 1 (x) contains illegal characters.' });
    assert.deepEqual(parseSchedule('0 9 * * *', 'Mars/Olympus'), { error: 'unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin or UTC)' });
  });

  it('answers undefined, not an error, when the next run is past the last instant a Date holds', () => {
    assert.equal(schedule('0 0 1 1 *').nextAfter(8.64e12 - 40 * 86_400), undefined);
  });
});
