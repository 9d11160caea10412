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
  | 'SNAPSHOT_RELEASED'
  /** discover_services failed on a snapshot for another reason than its release: a bug (docs/discovery.md#while-discovery-runs). */
  | 'DISCOVERY_FAILED';

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
  // Line breaks fold to a space; any other control character (an escape sequence or a bell a
  // Pushgateway's error body sent, say) is written as \u00XX, so it never reaches a terminal raw.
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim().replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Control characters other than tab, line breaks (folded before) and the two JavaScript line separators. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The Pushgateway's host name in the shipped config.yml and local/docker-compose.yml: a compose service name. */
const COMPOSE_PUSHGATEWAY_HOST = 'pushgateway';

/** A connection failure in one line, led by its errno code (ECONNREFUSED…) when the message does not already name it. */
export function describeNetworkError(error: unknown): string {
  const { code, hostname } = (error ?? {}) as { code?: unknown; hostname?: unknown };
  const message = describeError(error);
  const line = typeof code === 'string' && code !== '' && !message.includes(code) ? `${code}: ${message}` : message;
  // The shipped config.yml names the compose service, which no resolver outside that network knows.
  const composeName = hostname === COMPOSE_PUSHGATEWAY_HOST && (code === 'ENOTFOUND' || code === 'EAI_AGAIN');
  return composeName
    ? `${line} (the name ${COMPOSE_PUSHGATEWAY_HOST} resolves only inside the Docker compose network; elsewhere set PUSHGATEWAY_URL, e.g. PUSHGATEWAY_URL=http://127.0.0.1:9091 for the local stack)`
    : line;
}
