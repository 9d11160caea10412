/** A cron schedule in an IANA time zone: when a scheduled job is expected to report. */
export interface Schedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first scheduled time strictly after `seconds` (unix seconds); undefined if it never fires again. */
  nextAfter(seconds: number): number | undefined;
}

export type ScheduleParse = { readonly schedule: Schedule } | { readonly error: string };

/**
 * What compiles a service's `schedule` (lib/core/rules/schedule.ts): handed to the config's
 * validation, so only a config with a schedule loads croner (docs/deploying.md#cold-start).
 */
export type ScheduleParser = (expression: string, timezone: string) => ScheduleParse;
