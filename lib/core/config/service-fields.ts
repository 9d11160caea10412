import type { MaintenanceWindow } from '../rules/maintenance-window.ts';
import { parseOkWhenRule, type OkWhenRule } from '../rules/ok-when.ts';
import { toMicros } from '../time/microseconds.ts';
import { parseRfc3339 } from '../time/parse-rfc3339.ts';
import type { ScheduleParser } from '../rules/schedule-types.ts';
import type { ServiceDefaults, ServiceSchedule } from './config-types.ts';
import { isFields, show, type FieldReader } from './field-rules.ts';

const MAINTENANCE_KEYS = ['from', 'to', 'reason'] as const;

/**
 * `schedule`, `timezone` and `grace_seconds` of one service; the last two only make sense with the
 * first. `parseSchedule` is called only when the service has a `schedule`.
 */
export function serviceSchedule(
  read: FieldReader, defaults: Pick<ServiceDefaults, 'graceSeconds' | 'timezone'>, parseSchedule: ScheduleParser,
): ServiceSchedule | undefined {
  const expression = read.nonEmptyString('schedule');
  const zone = read.timezone('timezone');
  const grace = read.number('grace_seconds');
  if (!read.has('schedule')) {
    for (const key of ['timezone', 'grace_seconds']) {
      if (read.has(key)) read.problem(key, 'only applies with schedule (a cron expression such as "*/15 * * * *")');
    }
    return undefined;
  }
  if (expression === undefined || (read.has('timezone') && zone === undefined)) return undefined;
  const parsed = parseSchedule(expression, zone ?? defaults.timezone);
  if ('error' in parsed) {
    read.problem('schedule', `${parsed.error}, got ${show(expression)}`);
    return undefined;
  }
  return { schedule: parsed.schedule, graceSeconds: grace ?? defaults.graceSeconds };
}

/** `ok_when: "loop_status == 1"` or a list of such rules. */
export function okWhenRules(read: FieldReader): OkWhenRule[] {
  const value = read.value('ok_when');
  if (value === undefined) return [];
  const texts: unknown[] = Array.isArray(value) ? value : [value];
  const rules: OkWhenRule[] = [];
  texts.forEach((text, index) => {
    const where = Array.isArray(value) ? `ok_when[${index}]` : 'ok_when';
    if (typeof text !== 'string') {
      read.problem(where, `must be a rule such as "loop_status == 1", got ${show(text)}`);
      return;
    }
    const rule = parseOkWhenRule(text);
    if ('error' in rule) read.problem(where, `${rule.error}, got ${show(text)}`);
    else rules.push(rule);
  });
  return rules;
}

/** An RFC 3339 instant of a window (`from` or `to`), in unix seconds. */
function windowInstant(read: FieldReader, key: 'from' | 'to'): number | undefined {
  const text = read.value(key);
  if (text === undefined) {
    read.problem(key, 'required (an RFC 3339 time such as 2026-12-24T18:00:00+01:00)');
    return undefined;
  }
  const seconds = typeof text === 'string' ? parseRfc3339(text) : undefined;
  if (seconds === undefined) read.problem(key, `must be an RFC 3339 time with an offset, such as 2026-12-24T18:00:00Z, got ${show(text)}`);
  return seconds;
}

/** `maintenance: [{from, to, reason}]` with RFC 3339 times. */
export function maintenanceWindows(read: FieldReader): MaintenanceWindow[] {
  const value = read.value('maintenance');
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    read.problem('maintenance', `must be a list of {from, to} windows, got ${show(value)}`);
    return [];
  }
  const windows: MaintenanceWindow[] = [];
  value.forEach((entry: unknown, index: number) => {
    const where = `maintenance[${index}]`;
    if (!isFields(entry)) {
      read.problem(where, `must be a mapping with from and to, got ${show(entry)}`);
      return;
    }
    const window = read.nested(where, entry);
    window.unknownKeys(MAINTENANCE_KEYS);
    const fromSeconds = windowInstant(window, 'from');
    const toSeconds = windowInstant(window, 'to');
    const reason = window.nonEmptyString('reason');
    if (fromSeconds === undefined || toSeconds === undefined) return;
    // Compared as the probe compares them, in whole microseconds.
    if (toMicros(toSeconds) <= toMicros(fromSeconds)) {
      window.problem('to', 'must be later than from');
      return;
    }
    windows.push({ fromSeconds, toSeconds, reason });
  });
  return windows;
}
