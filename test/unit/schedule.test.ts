import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSchedule, type Schedule } from '../../lib/core/rules/schedule.ts';

const at = (text: string): number => Date.parse(text) / 1000;
const iso = (seconds: number | undefined): string | undefined => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());

function schedule(expression: string, timezone = 'UTC'): Schedule {
  const parsed = parseSchedule(expression, timezone);
  if ('error' in parsed) assert.fail(parsed.error);
  return parsed.schedule;
}

describe('parseSchedule', () => {
  it('gives the first scheduled time strictly after an instant', () => {
    const every15 = schedule('*/15 * * * *');
    assert.equal(iso(every15.nextAfter(at('2026-01-01T10:07:00Z'))), '2026-01-01T10:15:00.000Z');
    assert.equal(iso(every15.nextAfter(at('2026-01-01T10:15:00Z'))), '2026-01-01T10:30:00.000Z', 'a heartbeat exactly at a scheduled time covers that run');
    assert.equal(iso(every15.nextAfter(at('2026-01-01T10:14:59.900Z'))), '2026-01-01T10:15:00.000Z', 'a fraction before the time does not');
  });

  it('reads wall-clock times in the given time zone', () => {
    assert.equal(iso(schedule('0 9 * * *', 'Europe/Berlin').nextAfter(at('2026-01-10T00:00:00Z'))), '2026-01-10T08:00:00.000Z', 'CET is UTC+1');
    assert.equal(iso(schedule('0 9 * * *', 'Europe/Berlin').nextAfter(at('2026-07-10T00:00:00Z'))), '2026-07-10T07:00:00.000Z', 'CEST is UTC+2');
    assert.equal(iso(schedule('0 * * * *', 'Asia/Kolkata').nextAfter(at('2026-01-01T00:10:00Z'))), '2026-01-01T00:30:00.000Z', 'a half-hour offset');
  });

  it('fires a time skipped by the spring-forward change at the first instant after it', () => {
    // Europe/Berlin jumps from 02:00 CET to 03:00 CEST on 2026-03-29: 02:30 does not exist that day.
    const daily0230 = schedule('30 2 * * *', 'Europe/Berlin');
    assert.equal(iso(daily0230.nextAfter(at('2026-03-28T12:00:00Z'))), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(daily0230.nextAfter(at('2026-03-29T01:00:00Z'))), '2026-03-30T00:30:00.000Z', 'and returns to 02:30 CEST the next day');
    // Quarter-hour runs go straight from 01:45 CET to 03:00 CEST: one hour of wall clock, 15 minutes of real time.
    assert.equal(iso(schedule('*/15 * * * *', 'Europe/Berlin').nextAfter(at('2026-03-29T00:45:00Z'))), '2026-03-29T01:00:00.000Z');
  });

  it('fires a time repeated by the fall-back change once', () => {
    // On 2026-10-25 Europe/Berlin goes from 03:00 CEST back to 02:00 CET: 02:30 happens twice.
    const daily0230 = schedule('30 2 * * *', 'Europe/Berlin');
    assert.equal(iso(daily0230.nextAfter(at('2026-10-24T12:00:00Z'))), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(daily0230.nextAfter(at('2026-10-25T00:30:00Z'))), '2026-10-26T01:30:00.000Z', 'not again at 02:30 CET an hour later');
  });

  it('accepts six fields (seconds first) and nicknames', () => {
    assert.equal(iso(schedule('*/30 * * * * *').nextAfter(at('2026-01-01T00:00:10Z'))), '2026-01-01T00:00:30.000Z');
    assert.equal(iso(schedule('@daily').nextAfter(at('2026-01-01T05:00:00Z'))), '2026-01-02T00:00:00.000Z');
  });

  it('rejects expressions it cannot use, with a reason', () => {
    const errorOf = (expression: string, timezone = 'UTC'): string => {
      const parsed = parseSchedule(expression, timezone);
      assert.ok('error' in parsed, `${expression} was accepted`);
      return parsed.error;
    };
    assert.equal(errorOf('* * *'), 'not a valid cron expression: 3 fields; use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)');
    assert.match(errorOf('0 0 12 * * * 2026'), /^not a valid cron expression: 7 fields; /, 'a year field would make the config expire');
    assert.match(errorOf('61 * * * *'), /^not a valid cron expression/);
    assert.equal(errorOf('0 0 31 2 *'), 'never fires (no date matches it)');
    assert.equal(errorOf('* * * * *', 'Mars/Olympus'), 'unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin or UTC)');
  });
});

describe('schedules shared within a config', () => {
  it('compiles each expression and time zone once, however many services name it', async () => {
    const { parseConfig } = await import('../../lib/core/config/parse-config.ts');
    const services = Array.from({ length: 3 }, (_, i) => `  - name: s${i}\n    schedule: "*/5 * * * *"\n`).join('');
    const config = parseConfig(`pushgateway_url: http://pg:9091\nservices:\n${services}  - name: berlin\n    schedule: "*/5 * * * *"\n    timezone: Europe/Berlin\n`);
    const schedule = (name: string) => config.services.get(name)?.schedule?.schedule;
    assert.ok(schedule('s0') !== undefined);
    assert.equal(schedule('s1'), schedule('s0'));
    assert.equal(schedule('s2'), schedule('s0'));
    assert.notEqual(schedule('berlin'), schedule('s0'));
    assert.equal(schedule('berlin')?.timezone, 'Europe/Berlin');
  });
});
