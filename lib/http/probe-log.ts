import type { LogLevel } from '../edges/logger.ts';

// What a request's log line is worth: healthy answers are logged at debug (blackbox_exporter logs
// probes only at debug), failures at warn and a service's change of state at info, so a healthy
// fleet writes nothing at the default level (docs/operations.md#logs-and-self-metrics). A 401 or
// a 404 is what anyone on the internet can make a public function URL answer, as often as they
// like: logged at debug, so junk requests cost no log bytes; the function URL's Url4xxCount
// metric counts them for free (docs/operations.md#cloudwatch-alarms).

/** Unlisted targets (`allow_unlisted_targets`) whose last state is remembered; the oldest is dropped past this. */
export const UNLISTED_STATES_CAP = 1_000;
/** A target is remembered by at most this many characters, so the memory is bounded in bytes too. */
const TARGET_KEY_CHARS = 200;

/**
 * The last state seen per target, so a change is logged once. Bounded whatever callers send: the
 * configured services, plus at most UNLISTED_STATES_CAP unlisted targets.
 */
export class LastStates {
  private readonly listed = new Map<string, string>();
  private readonly unlisted = new Map<string, string>();

  /**
   * Records `state` for `target` and returns the state before it when it differs; the first state
   * seen for a target is no change (a new container knows no history).
   * `listedCount`: how many services the config in force lists.
   */
  change(target: string, state: string, listed: boolean, listedCount: number): string | undefined {
    const memory = listed ? this.listed : this.unlisted;
    const key = target.slice(0, TARGET_KEY_CHARS);
    const before = memory.get(key);
    if (before === state) return undefined;
    // Full (a config that dropped services leaves their entries): the oldest entry goes, the others keep their history.
    if (before === undefined && memory.size >= (listed ? listedCount : UNLISTED_STATES_CAP)) memory.delete(memory.keys().next().value as string);
    memory.set(key, state);
    return before;
  }
}

/**
 * Answers anyone can provoke: no or a wrong bearer token (401), a path that is no route (404); and
 * a check-in over its rate bound (429), which a looping job provokes at the rate it loops.
 */
const UNSOLICITED_STATUSES: ReadonlySet<number> = new Set([401, 404, 429]);

/**
 * What a route says of its answer for the log: the least level it wants, raised by the status
 * (to warn for a 4xx, error for a 5xx), except a 401 or 404, which stay at the level wanted
 * (debug unless the route asks for more).
 */
export function requestLogLevel(status: number, wanted: LogLevel): LogLevel {
  if (status >= 500) return 'error';
  if (UNSOLICITED_STATUSES.has(status)) return wanted;
  if (status >= 400) return wanted === 'error' ? 'error' : 'warn';
  return wanted;
}

/** A probe's level: warn when it failed, info when its state changed, else debug. */
export const probeLogLevel = (success: boolean, changed: boolean): LogLevel => (!success ? 'warn' : changed ? 'info' : 'debug');
