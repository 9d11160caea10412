import type { CliOutput } from './cli-command.ts';
import { describeError } from '../core/errors.ts';
import { elapsedSeconds, startBudget } from '../core/probe/probe-budget.ts';
import { clip } from '../core/quote.ts';
import { roundSeconds } from '../core/time/round-seconds.ts';
import type { ExporterEnvironment } from '../runtime/environment-settings.ts';
import { probeReport, probeTarget, REFUSAL_STATUS } from '../runtime/probe-service.ts';
import { runtimeFromEnvironment } from '../runtime/production-ports.ts';

/** Exit codes of `probe`, for scripts and health checks. */
export const PROBE_EXIT = { success: 0, failure: 1, noAnswer: 2 } as const;

/**
 * `probe`: one evaluation through the same runtime and probe service the server uses, printed as
 * `GET /probe?target=NAME&debug=true` answers. 0 when the probe succeeds, 1 when it fails, 2 when
 * there is no probe answer (unknown target, no config), named by the HTTP status the server
 * would answer with.
 */
export async function runProbeCommand(target: string, env: ExporterEnvironment, cwd: string, output: CliOutput): Promise<number> {
  // Bearer tokens guard the HTTP routes against remote callers; a local run needs none.
  const local: ExporterEnvironment = { ...env, AUTH_TOKEN: undefined, AUTH_TOKEN_SSM_PARAMETER: undefined, PUSH_TOKEN: undefined, PUSH_TOKEN_SSM_PARAMETER: undefined };
  // The runtime's JSON log lines would bury the report: shown only when LOG_LEVEL asks for them.
  const writeLog = env.LOG_LEVEL ? (line: string) => output.stderr(`${line}\n`) : () => undefined;
  const runtime = runtimeFromEnvironment(local, { cwd, writeLog });
  const noAnswer = (status: number, message: string): number => {
    output.stderr(`pushgateway-exporter: no probe answer (HTTP ${status}): ${describeError(message)}\n`);
    return PROBE_EXIT.noAnswer;
  };
  try {
    if (runtime.startupProblem !== undefined) return noAnswer(503, `exporter misconfigured: ${runtime.startupProblem}`);
    const budget = startBudget(runtime.monotonicMs());
    const probed = await probeTarget(runtime, target, budget);
    if (probed.kind === 'refused') return noAnswer(REFUSAL_STATUS[probed.reason], probed.message);
    const { evaluation, read } = probed;
    runtime.logger.info('probe', {
      target: clip(target, 200), state: evaluation.state, success: evaluation.success, cache_hit: read.cacheHit, pushgateway_up: read.pushgatewayUp,
      duration_seconds: roundSeconds(elapsedSeconds(budget, runtime.monotonicMs()), 'micro'),
    });
    const report = await probeReport(probed);
    output.stdout(report.endsWith('\n') ? report : `${report}\n`);
    return evaluation.success ? PROBE_EXIT.success : PROBE_EXIT.failure;
  } catch (error) {
    // A bug, as the server would answer it: logged, and one line here.
    runtime.logger.error('probe failed', { error: describeError(error) });
    return noAnswer(500, 'internal error while handling the request; see the exporter logs');
  } finally {
    await runtime.close();
  }
}
