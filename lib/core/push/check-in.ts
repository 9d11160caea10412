import type { RunSignal } from './run-signals.ts';
import { CHECK_IN_PREFIX, isCheckInPath } from './check-in-path.ts';

export { base64ByteLength, CHECK_IN_PREFIX, isCheckInPath, redactCheckInPath } from './check-in-path.ts';

// Check-ins (docs/check-ins.md): Healthchecks-style URLs that push the CLI's run signals.
// `/ping/<key>/<service>[/<suffix>]`, or `/ping/<service>[/<suffix>]` when the key comes as
// `Authorization: Bearer <key>`. Pure: the path, a header's presence and sizes in, data out.

/** The largest request body a check-in accepts (it is read and ignored); more answers 413. */
export const MAX_CHECK_IN_BODY_BYTES = 10_240;

/** The methods a check-in answers, as Healthchecks does. */
export const CHECK_IN_METHODS: readonly string[] = ['GET', 'POST', 'HEAD'];

/** What a check-in path names: the key (absent in the header form), the service and the suffix. */
export interface CheckInPath {
  readonly key: string | undefined;
  readonly service: string;
  /** `start`, `fail`, an exit code, or undefined for a plain check-in. */
  readonly suffix: string | undefined;
}

/** What a suffix asks: a signal, or why it cannot be one (`unknown` answers 404, `bad-exit-code` 400). */
export type SuffixRead =
  | { readonly kind: 'signal'; readonly signal: RunSignal['kind'] }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'bad-exit-code'; readonly problem: string };

/** One path segment percent-decoded, or undefined when it is empty or not valid UTF-8 percent-encoding. */
function decodeSegment(segment: string): string | undefined {
  if (segment === '') return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Splits a check-in path: with `keyInHeader`, `/ping/<service>[/<suffix>]`, else
 * `/ping/<key>/<service>[/<suffix>]`. Undefined for any other shape (an empty segment, a segment
 * too many or too few, bad percent-encoding): such a path is no route (404).
 */
export function splitCheckInPath(path: string, keyInHeader: boolean): CheckInPath | undefined {
  if (!isCheckInPath(path)) return undefined;
  const raw = path.slice(CHECK_IN_PREFIX.length).split('/');
  const keySegments = keyInHeader ? 0 : 1;
  if (raw.length < keySegments + 1 || raw.length > keySegments + 2) return undefined;
  const segments: string[] = [];
  for (const segment of raw) {
    const decoded = decodeSegment(segment);
    if (decoded === undefined) return undefined;
    segments.push(decoded);
  }
  const [first, second, third] = segments;
  if (keyInHeader) return first === undefined ? undefined : { key: undefined, service: first, suffix: second };
  return first === undefined || second === undefined ? undefined : { key: first, service: second, suffix: third };
}

/** An exit code as a shell gives it: 0 to 255, no sign, no leading zero. */
const EXIT_CODE = /^(0|[1-9][0-9]{0,2})$/;

/** The signal a suffix asks for: none → success, `start`, `fail`, exit code 0 → success, 1–255 → failure. */
export function readSuffix(suffix: string | undefined): SuffixRead {
  if (suffix === undefined) return { kind: 'signal', signal: 'success' };
  if (suffix === 'start') return { kind: 'signal', signal: 'start' };
  if (suffix === 'fail') return { kind: 'signal', signal: 'failure' };
  if (!/^[0-9]+$/.test(suffix)) return { kind: 'unknown' };
  const code = EXIT_CODE.test(suffix) ? Number(suffix) : Number.NaN;
  if (!(code <= 255)) return { kind: 'bad-exit-code', problem: `exit code must be a whole number from 0 to 255, got ${JSON.stringify(suffix.slice(0, 12))}` };
  return { kind: 'signal', signal: code === 0 ? 'success' : 'failure' };
}
