import { Cron } from 'croner';
import { cronScheduleParser } from './cron-schedule.ts';
import type { ScheduleParser } from './schedule-types.ts';

export type { Schedule, ScheduleParse } from './schedule-types.ts';

/** Compiles a service's `schedule` with croner (lib/core/rules/cron-schedule.ts). */
export const parseSchedule: ScheduleParser = cronScheduleParser(Cron);
