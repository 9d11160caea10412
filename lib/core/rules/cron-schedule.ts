import type { Cron } from 'croner';
import { MICROS_PER_SECOND, toMicros } from '../time/microseconds.ts';
import type { ScheduleParser } from './schedule-types.ts';
import { isKnownTimezone } from './timezone.ts';

/**
 * The instants croner can start from: a Date holds ±8.64e12 s, and croner's time-zone step fails at
 * the very edge. A pushed heartbeat may hold any number, so beyond these a probe must not throw.
 */
const EARLIEST_SECONDS = -8.64e12 + 86_400;
const LATEST_SECONDS = 8.64e12 - 86_400;

/** 2000-01-01T00:00:00Z: where the check that a schedule fires at all starts looking. */
const NEVER_FIRES_CHECK_FROM_MS = 946_684_800_000;

/**
 * The parser that compiles a cron expression (5 fields, or 6 with seconds first; `@daily`-style
 * nicknames) with croner's `Cron`, which resolves wall-clock times in `timezone` across DST
 * changes: a time skipped by a spring-forward fires at the first valid instant after it, a repeated
 * one fires once. croner comes as an argument, so a loader can import it only for a config with a
 * schedule (lib/core/rules/schedule.ts passes it statically; docs/deploying.md#cold-start).
 */
export const cronScheduleParser = (CronClass: typeof Cron): ScheduleParser => (expression, timezone) => {
  if (!isKnownTimezone(timezone)) return { error: `unknown time zone ${JSON.stringify(timezone)} (use an IANA name such as Europe/Berlin or UTC)` };
  // croner also takes a seventh field, the year: a config that stops being valid once that year
  // has passed would fail the exporter's next cold start, so it is refused.
  const fields = expression.trim().split(/\s+/);
  if (!expression.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    return { error: `not a valid cron expression: ${fields.length} fields; use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)` };
  }
  let cron: Cron;
  try {
    cron = new CronClass(expression, { timezone, paused: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: `not a valid cron expression: ${message.replace(/^CronPattern: /, '').split('\n')[0]}` };
  }
  // Whether a pattern ever fires does not depend on when it is asked: with no year field it repeats
  // within the 400-year Gregorian cycle, well inside croner's search. Asking from a fixed instant
  // instead of the clock keeps parsing a config pure.
  if (cron.nextRun(new Date(NEVER_FIRES_CHECK_FROM_MS)) === null) return { error: 'never fires (no date matches it)' };
  return {
    schedule: {
      expression,
      timezone,
      nextAfter(seconds) {
        if (Number.isNaN(seconds) || seconds > LATEST_SECONDS) return undefined;
        // Before any Date, the first run is as overdue as it gets: start from the earliest one.
        const from = Math.max(seconds, EARLIEST_SECONDS);
        // croner works in whole seconds and answers strictly after the instant it is given; the
        // instant is rounded to the microsecond first, as every time rule rounds it.
        const next = cron.nextRun(new Date(Math.floor(toMicros(from) / MICROS_PER_SECOND) * 1000));
        return next === null ? undefined : next.getTime() / 1000;
      },
    },
  };
};
