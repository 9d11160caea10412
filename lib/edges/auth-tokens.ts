import { parseAuthTokens } from '../core/config/bearer-tokens.ts';
import type { Clock } from '../core/time/clock.ts';
import type { Logger } from './logger.ts';
import { parsedOnChange, ReloadingValue } from './cache/reloading-value.ts';
import { andThen, type MaybePromise } from '../core/maybe-promise.ts';
import type { SsmParameters } from './ssm/ssm-parameter.ts';

/** How often tokens from SSM are re-read: a rotated token takes effect within this. */
export const AUTH_TOKEN_TTL_SECONDS = 60;

/**
 * The bearer tokens that unlock the exporter (or, built for check-ins, the push keys): from `AUTH_TOKEN`, from the SSM parameter named by
 * `AUTH_TOKEN_SSM_PARAMETER`, or both (any of them is accepted, so a token can move between them).
 */
export class AuthTokens {
  private readonly fromSsm: ReloadingValue<readonly string[]> | undefined;

  constructor(
    private readonly fromEnv: readonly string[],
    parameter: string | undefined,
    clock: Clock,
    monotonicMs: () => number,
    logger: Logger,
    ssm: SsmParameters,
    /** What the log calls them: the scrape's bearer tokens, or the check-ins' push keys. */
    what = 'bearer tokens',
  ) {
    this.fromSsm = parameter
      ? new ReloadingValue({
          load: parsedOnChange(() => ssm.read(parameter), (text) => {
            // A parameter with no token is a failed load: logged, and the last good tokens (or,
            // before any, none: every protected route closed) stay in force.
            const parsed = parseAuthTokens(text, `SSM parameter ${parameter}`);
            if ('problem' in parsed) throw new Error(parsed.kind === 'empty' ? `${parsed.problem}: put one or more tokens separated by commas in it` : parsed.problem);
            return parsed.tokens;
          }),
          ttlSeconds: () => AUTH_TOKEN_TTL_SECONDS,
          clock, monotonicMs, logger, what, source: `ssm:${parameter}`,
          describe: (tokens) => ({ tokens: tokens.length }),
        })
      : undefined;
  }

  get enabled(): boolean {
    return this.fromEnv.length > 0 || this.fromSsm !== undefined;
  }

  /**
   * The tokens in force, or why there are none yet (then every protected request is refused); at
   * once unless a reload from SSM is due.
   */
  read(maxWaitMs?: number): MaybePromise<{ tokens: readonly string[]; error: string | undefined }> {
    if (this.fromSsm === undefined) return { tokens: this.fromEnv, error: undefined };
    return andThen(this.fromSsm.read(maxWaitMs), ({ value, error }) => ({ tokens: [...this.fromEnv, ...(value ?? [])], error: value === undefined ? error : undefined }));
  }
}
