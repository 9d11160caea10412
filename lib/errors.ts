/** Stable codes so logs and tests match on codes, not prose. */
export type ExporterErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNAVAILABLE'
  | 'SSM_UNAVAILABLE'
  | 'PUSHGATEWAY_UNREACHABLE'
  | 'PUSHGATEWAY_BAD_RESPONSE'
  | 'PUSHGATEWAY_TIMEOUT'
  | 'EXPOSITION_INVALID'
  | 'GROUPING_KEY_INVALID'
  | 'PUSH_REJECTED'
  /** A Pushgateway read stopped because a newer one replaced it (a config change, or a read given up as hung). */
  | 'PUSHGATEWAY_READ_SUPERSEDED'
  /** A snapshot read after its memory went to a newer read: a bug, never a state to answer from. */
  | 'SNAPSHOT_RELEASED';

export class ExporterError extends Error {
  readonly code: ExporterErrorCode;

  constructor(code: ExporterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExporterError';
    this.code = code;
  }
}

/** Config rejected as a whole; `problems` lists every issue, each prefixed by its path. */
export class ConfigError extends ExporterError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], source?: string) {
    const where = source ? ` in ${source}` : '';
    super('CONFIG_INVALID', `invalid config${where}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export class ExpositionError extends ExporterError {
  constructor(message: string, readonly line: number) {
    super('EXPOSITION_INVALID', `line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

export class PushgatewayError extends ExporterError {
  constructor(
    code: 'PUSHGATEWAY_UNREACHABLE' | 'PUSHGATEWAY_BAD_RESPONSE' | 'PUSHGATEWAY_TIMEOUT' | 'PUSH_REJECTED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'PushgatewayError';
  }
}

/** A job or grouping label the Pushgateway would reject or misread; found before anything is sent. */
export class GroupingKeyError extends ExporterError {
  constructor(message: string) {
    super('GROUPING_KEY_INVALID', message);
    this.name = 'GroupingKeyError';
  }
}

/** One line, never a stack: safe to return to HTTP clients and to log. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A connection failure in one line, led by its errno code (ECONNREFUSED…) when the message does not already name it. */
export function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  const message = describeError(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
