import type { CliOutput, PushOptions } from './cli-command.ts';
import { describeError } from '../core/errors.ts';
import type { Clock } from '../core/time/clock.ts';
import type { PushgatewayPusher, PushTarget } from '../edges/pushgateway/pushgateway-pusher.ts';
import type { RunSignal } from '../core/push/run-signals.ts';
import { pushSignal } from '../runtime/push-signal.ts';
import { runWrappedCommand } from './wrapped-command.ts';
import { pushToEach } from '../edges/pushgateway/pushgateway-fanout.ts';

function targetOf(options: PushOptions, pushgatewayUrl: string): PushTarget {
  return {
    pushgatewayUrl,
    job: options.job,
    labels: options.labels,
    bearerToken: options.bearerToken,
    timeoutMs: options.timeoutSeconds * 1000,
  };
}

/**
 * `push`: one signal now (exit 0, or 1 with a one-line error), or, with a command, start → run →
 * success or failure with the run's duration. A wrapped command's exit code is the result whatever
 * happens to the pushes: monitoring must never break the job it watches.
 */
export async function runPushCommand(
  options: PushOptions, output: CliOutput, ports: { readonly clock: Clock; readonly pusher: Pick<PushgatewayPusher, 'push'> },
): Promise<number> {
  const { clock, pusher } = ports;
  // To every Pushgateway at once: done when one accepted; each that failed is named on its own line.
  const push = async (signal: RunSignal, failed: (error: unknown) => void): Promise<boolean> => {
    const result = await pushToEach(options.pushgatewayUrls, (url) =>
      pushSignal(pusher, { target: targetOf(options, url), service: options.service, heartbeatMetric: options.heartbeatMetric, signal }));
    for (const failure of result.failed) failed(failure.error);
    return result.accepted.length > 0;
  };
  if (options.command === undefined) {
    const accepted = await push({ kind: options.signal, atSeconds: clock() / 1000 }, (error) => {
      output.stderr(`pushgateway-exporter: push failed: ${describeError(error)}\n`);
    });
    return accepted ? 0 : 1;
  }

  const warn = (what: string) => (error: unknown) => {
    output.stderr(`pushgateway-exporter: warning: could not push the ${what} of ${JSON.stringify(options.service)}: ${describeError(error)}\n`);
  };
  // The command starts at once, not after the start push: a slow Pushgateway must not delay it.
  const startPush = push({ kind: 'start', atSeconds: clock() / 1000 }, warn('start'));
  const outcome = await runWrappedCommand(options.command);
  if (outcome.startError !== undefined) output.stderr(`pushgateway-exporter: ${outcome.startError}\n`);
  // Settled before the result is pushed, so the group never sees a run end before it began.
  await startPush;
  const atSeconds = clock() / 1000;
  const result: RunSignal = outcome.exitCode === 0
    ? { kind: 'success', atSeconds, durationSeconds: outcome.durationSeconds }
    : { kind: 'failure', atSeconds, durationSeconds: outcome.durationSeconds };
  await push(result, warn(result.kind));
  return outcome.exitCode;
}
