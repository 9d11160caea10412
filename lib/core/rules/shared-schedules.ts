import type { ScheduleParser } from './schedule-types.ts';

/**
 * `parse`, compiling each expression and time zone once: made for one config load, so services
 * that name the same schedule share it. A croner Cron holds about 80 KB, and services mostly share a
 * few schedules (20,000 services with one expression took 1.8 GB, a Cron each). Made anew per load,
 * so nothing outlives the config that named it.
 */
export function sharingSchedules(parse: ScheduleParser): ScheduleParser {
  const compiled = new Map<string, ReturnType<ScheduleParser>>();
  return (expression, timezone) => {
    const key = `${timezone}\u0000${expression}`;
    let parsed = compiled.get(key);
    if (parsed === undefined) {
      parsed = parse(expression, timezone);
      compiled.set(key, parsed);
    }
    return parsed;
  };
}
