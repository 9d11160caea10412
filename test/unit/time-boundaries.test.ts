import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ConfigError } from '../../lib/core/errors.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import { activeMaintenance } from '../../lib/core/rules/maintenance-window.ts';
import { EMPTY_SNAPSHOT } from '../../lib/core/snapshot/snapshot.ts';
import { parseRfc3339 } from '../../lib/core/time/parse-rfc3339.ts';
import { serviceConfig } from '../support/service-config.ts';

// Boundaries of the config's times (docs/configuration.md, docs/configuration-ranges.md): RFC 3339
// offsets of either sign and their range, fractional seconds, empty and touching maintenance
// windows, and the UTC default time zone of a schedule.

const at = (iso: string): number => Date.parse(iso) / 1000;
const base = 'pushgateway_url: http://127.0.0.1:9091\n';
const windowsOf = (from: string, to: string) =>
  parseConfig(`${base}services:\n  - name: a\n    maintenance:\n      - {from: "${from}", to: "${to}"}\n`).services.get('a')?.maintenance;
function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('config was accepted');
}

describe('RFC 3339 offsets: the sign and the range', () => {
  const table: { text: string; utc: string }[] = [
    { text: '2026-12-24T18:00:00-05:00', utc: '2026-12-24T23:00:00Z' },
    { text: '2026-12-24T18:00:00-08:00', utc: '2026-12-25T02:00:00Z' },
    { text: '2026-12-24T18:00:00+05:30', utc: '2026-12-24T12:30:00Z' },
    { text: '2026-12-24T18:00:00-09:30', utc: '2026-12-25T03:30:00Z' },
    { text: '2026-12-24T18:00:00+23:59', utc: '2026-12-23T18:01:00Z' },
    { text: '2026-12-24T18:00:00-23:59', utc: '2026-12-25T17:59:00Z' },
    { text: '2026-12-24T18:00:00-00:00', utc: '2026-12-24T18:00:00Z' },
  ];
  for (const row of table) {
    it(`${row.text} is ${row.utc}`, () => assert.equal(parseRfc3339(row.text), at(row.utc)));
  }

  it('refuses offsets out of range, of either sign', () => {
    for (const text of ['2026-12-24T18:00:00+24:00', '2026-12-24T18:00:00-24:00', '2026-12-24T18:00:00+05:60', '2026-12-24T18:00:00-05:60', '2026-12-24T18:00:00+99:00']) {
      assert.equal(parseRfc3339(text), undefined, text);
    }
  });

  it('a US-zone maintenance window in the config covers the UTC hours it names', () => {
    assert.deepEqual(windowsOf('2026-07-04T09:00:00-04:00', '2026-07-04T17:00:00-04:00'), [
      { fromSeconds: at('2026-07-04T13:00:00Z'), toSeconds: at('2026-07-04T21:00:00Z'), reason: undefined },
    ]);
    assert.deepEqual(
      problemsOf(`${base}services:\n  - name: a\n    maintenance:\n      - {from: "2026-07-04T09:00:00-24:00", to: "2026-07-04T17:00:00Z"}\n`),
      ['services[0].maintenance[0].from: must be an RFC 3339 time with an offset, such as 2026-12-24T18:00:00Z, got "2026-07-04T09:00:00-24:00"'],
    );
  });
});

describe('fractional seconds', () => {
  it('are kept to the microsecond, with a negative offset too', () => {
    assert.equal(parseRfc3339('2026-12-24T18:00:00.5Z'), at('2026-12-24T18:00:00Z') + 0.5);
    assert.equal(parseRfc3339('2026-12-24T18:00:00.123456-01:00'), at('2026-12-24T19:00:00Z') + 0.123456);
    assert.equal(parseRfc3339('2026-12-24T18:00:00.000001Z'), at('2026-12-24T18:00:00Z') + 0.000001);
  });

  it('a window ending at .5 s pauses until then and not a microsecond longer', () => {
    const windows = windowsOf('2026-12-24T18:00:00.25Z', '2026-12-24T18:00:00.5Z') ?? [];
    const from = at('2026-12-24T18:00:00Z');
    assert.equal(activeMaintenance(windows, from + 0.249999), undefined);
    assert.deepEqual(activeMaintenance(windows, from + 0.25), { untilSeconds: from + 0.5, reasons: [] });
    assert.deepEqual(activeMaintenance(windows, from + 0.499999), { untilSeconds: from + 0.5, reasons: [] });
    assert.equal(activeMaintenance(windows, from + 0.5), undefined);
  });
});

describe('empty and touching maintenance windows', () => {
  it('a window whose start equals its end is refused; one a microsecond long is kept', () => {
    assert.deepEqual(problemsOf(`${base}services:\n  - name: a\n    maintenance:\n      - {from: "2026-12-24T18:00:00Z", to: "2026-12-24T18:00:00Z"}\n`), [
      'services[0].maintenance[0].to: must be later than from',
    ]);
    // The same instant written in two offsets is still empty.
    assert.deepEqual(problemsOf(`${base}services:\n  - name: a\n    maintenance:\n      - {from: "2026-12-24T18:00:00Z", to: "2026-12-24T13:00:00-05:00"}\n`), [
      'services[0].maintenance[0].to: must be later than from',
    ]);
    assert.deepEqual(windowsOf('2026-12-24T18:00:00Z', '2026-12-24T18:00:00.000001Z'), [
      { fromSeconds: at('2026-12-24T18:00:00Z'), toSeconds: at('2026-12-24T18:00:00Z') + 0.000001, reason: undefined },
    ]);
  });

  it('an empty window (from = to) pauses at no instant', () => {
    const empty = [{ fromSeconds: 2000, toSeconds: 2000 }];
    for (const now of [1999.999999, 2000, 2000.000001]) assert.equal(activeMaintenance(empty, now), undefined, String(now));
  });

  it('touching windows pause without a gap, and "until" is the end of the last one', () => {
    const windows = [{ fromSeconds: 1000, toSeconds: 2000, reason: 'first' }, { fromSeconds: 2000, toSeconds: 3000, reason: 'second' }, { fromSeconds: 3000.000001, toSeconds: 4000, reason: 'after a gap' }];
    assert.deepEqual(activeMaintenance(windows, 1999.999999), { untilSeconds: 3000, reasons: ['first'] });
    assert.deepEqual(activeMaintenance(windows, 2000), { untilSeconds: 3000, reasons: ['second'] });
    assert.equal(activeMaintenance(windows, 3000), undefined, 'the 1 µs gap is not maintenance');
    assert.deepEqual(activeMaintenance(windows, 3000.000001), { untilSeconds: 4000, reasons: ['after a gap'] });
    // Listed in any order.
    assert.deepEqual(activeMaintenance([...windows].reverse(), 1500), { untilSeconds: 3000, reasons: ['first'] });
  });

  it('the probe says until when, with a negative offset turned into UTC', () => {
    const windows = windowsOf('2026-07-04T09:00:00-04:00', '2026-07-04T17:00:00-04:00') ?? [];
    const service = serviceConfig({ maintenance: windows });
    const result = evaluateProbe({ maxClockSkewSeconds: 300 }, EMPTY_SNAPSHOT, service, 'service1', at('2026-07-04T13:00:00Z'));
    assert.deepEqual([result.state, result.rule], ['paused', 'maintenance']);
    assert.equal(explainDecision(result), 'in a maintenance window until 2026-07-04T21:00:00.000Z');
    assert.equal(evaluateProbe({ maxClockSkewSeconds: 300 }, EMPTY_SNAPSHOT, service, 'service1', at('2026-07-04T12:59:59.999999Z')).state, 'never');
  });
});

describe('the default time zone is UTC', () => {
  // The host's zone must not leak in: a schedule without `timezone` fires on UTC wall-clock time
  // whatever TZ the process runs under.
  const saved = process.env.TZ;
  before(() => {
    process.env.TZ = 'America/Los_Angeles';
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('an unzoned "0 9 * * *" fires at 09:00 UTC', () => {
    assert.notEqual(new Date(0).getTimezoneOffset(), 0, 'the host zone under test is not UTC');
    const config = parseConfig(`${base}services: [{name: daily, schedule: "0 9 * * *"}]`);
    const schedule = config.services.get('daily')?.schedule?.schedule;
    assert.equal(config.defaults.timezone, 'UTC');
    assert.equal(schedule?.timezone, 'UTC');
    assert.equal(schedule?.nextAfter(at('2026-01-10T00:00:00Z')), at('2026-01-10T09:00:00Z'));
    assert.equal(schedule?.nextAfter(at('2026-07-10T09:00:00Z')), at('2026-07-11T09:00:00Z'));
  });

  it('defaults.timezone applies to every unzoned schedule, and a service may override it', () => {
    const config = parseConfig(`${base}defaults: {timezone: America/New_York}\nservices: [{name: a, schedule: "0 9 * * *"}, {name: b, schedule: "0 9 * * *", timezone: UTC}]`);
    assert.equal(config.services.get('a')?.schedule?.schedule.nextAfter(at('2026-01-10T00:00:00Z')), at('2026-01-10T14:00:00Z'));
    assert.equal(config.services.get('b')?.schedule?.schedule.nextAfter(at('2026-01-10T00:00:00Z')), at('2026-01-10T09:00:00Z'));
  });
});
