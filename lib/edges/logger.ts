import type { Clock } from '../core/time/clock.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Whether a line at `level` would be written: a caller skips building the fields of a line that would not. */
  enabled(level: LogLevel): boolean;
}

const isLogLevel = (text: string): text is LogLevel => Object.hasOwn(LEVELS, text);

/** `LOG_LEVEL`: one of the four levels (any case); unset or empty is info. `problem` names a value that is none of them. */
export function parseLogLevel(value: string | undefined): { level: LogLevel; problem?: string } {
  const level = (value ?? '').trim().toLowerCase();
  if (level === '') return { level: 'info' };
  if (isLogLevel(level)) return { level };
  return { level: 'info', problem: `LOG_LEVEL must be one of ${Object.keys(LEVELS).join(', ')}, got ${JSON.stringify((value ?? '').slice(0, 40))}; logging at info` };
}

/**
 * One JSON object per line (stderr in production): what CloudWatch and `docker logs` index best.
 * `timestamp` (RFC 3339) and `level` are the keys Lambda's JSON log format reads to filter by
 * level (docs/operations.md#logs-and-self-metrics). The timestamp comes from the runtime's clock,
 * so a test's clock stamps its log lines too.
 */
export function createLogger(level: LogLevel, write: (line: string) => void, clock: Clock): Logger {
  const threshold = LEVELS[level];
  const log = (at: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LEVELS[at] < threshold) return;
    write(JSON.stringify({ timestamp: new Date(clock()).toISOString(), level: at, msg: message, ...fields }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), enabled: (at) => LEVELS[at] >= threshold };
}
