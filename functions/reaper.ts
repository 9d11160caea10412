import { describeError } from '../lib/core/errors.ts';
import { PushgatewayGroups } from '../lib/edges/pushgateway/pushgateway-groups.ts';
import { PushgatewayPusher } from '../lib/edges/pushgateway/pushgateway-pusher.ts';
import { stderrLines } from '../lib/edges/stderr-lines.ts';
import { runtimeFromEnvironment } from '../lib/runtime/production-ports.ts';
import { REREAD_VALID_MS, sweep, SWEEP_REQUEST_TIMEOUT_MS } from '../lib/runtime/reaper.ts';

// The scheduled reaper (REAP_SCHEDULE at package time, scripts/serverless-reaper.cjs): one sweep
// per invocation, the same as `pushgateway-exporter reap` (docs/operations.md#expiring-dead-groups).

/**
 * Stops before the next re-read this long before Lambda's timeout: what may follow it is a re-read,
 * the DELETEs of its window, and the push of the sweep's metrics, each request up to
 * SWEEP_REQUEST_TIMEOUT_MS.
 */
const STOP_MARGIN_MS = 3 * SWEEP_REQUEST_TIMEOUT_MS + REREAD_VALID_MS + 5_000;

// Bearer tokens and check-in keys guard HTTP routes; the reaper serves none, and its role may not
// read their parameters.
const runtime = runtimeFromEnvironment(
  { ...process.env, AUTH_TOKEN: undefined, AUTH_TOKEN_SSM_PARAMETER: undefined, PUSH_TOKEN: undefined, PUSH_TOKEN_SSM_PARAMETER: undefined },
  // Log lines straight to fd 2, as the probe handler's (lib/edges/stderr-lines.ts).
  { cwd: process.cwd(), writeLog: stderrLines() },
);
const groups = new PushgatewayGroups();
const pusher = new PushgatewayPusher();

interface LambdaContext {
  getRemainingTimeInMillis?(): number;
}

/** One sweep; throws on failure so Lambda counts an error (its metrics are pushed either way). */
export async function handler(_event: unknown, context?: LambdaContext): Promise<{ deleted: number; kept: number; groups: number }> {
  if (runtime.startupProblem !== undefined) throw new Error(`reaper misconfigured: ${runtime.startupProblem}`);
  const { value: config, error } = await runtime.config.read();
  if (config === undefined) throw new Error(`reaper has no config: ${error ?? 'not loaded'}`);
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  const result = await sweep(config, {
    groups, pusher, clock: runtime.clock, monotonicMs: runtime.monotonicMs, logger: runtime.logger,
    stopNow: remaining === undefined ? undefined : () => remaining() < STOP_MARGIN_MS,
  }, { dryRun: false });
  if (!result.success) throw new Error(`reap failed: ${describeError(result.error)}`);
  return { deleted: result.deleted.length, kept: result.kept, groups: result.groups };
}
