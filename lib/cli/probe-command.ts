import type { CliOutput } from './cli.ts';
import { describeError } from '../core/errors.ts';
import type { ExporterEnvironment } from '../runtime/runtime.ts';
import { runtimeFromEnvironment } from '../runtime/production-ports.ts';
import { handleRequest } from '../http/routes.ts';

/** Exit codes of `probe`, for scripts and health checks. */
export const PROBE_EXIT = { success: 0, failure: 1, noAnswer: 2 } as const;

/** The value of the `probe_success` sample in an answer, or undefined when there is none. */
export function probeSuccessOf(body: string): number | undefined {
  const match = /^probe_success (\S+)$/m.exec(body);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * `probe`: one evaluation through the same exporter and route table the server uses, as
 * `GET /probe?target=NAME&debug=true`. Prints the report; 0 when `probe_success 1`, 1 when 0,
 * 2 when the route gave no probe answer (unknown target, no config).
 */
export async function runProbeCommand(target: string, env: ExporterEnvironment, cwd: string, output: CliOutput): Promise<number> {
  // Bearer tokens guard the HTTP routes against remote callers; a local run needs none.
  const local: ExporterEnvironment = { ...env, AUTH_TOKEN: undefined, AUTH_TOKEN_SSM_PARAMETER: undefined };
  // The exporter's JSON log lines would bury the report: shown only when LOG_LEVEL asks for them.
  const writeLog = env.LOG_LEVEL ? (line: string) => output.stderr(`${line}\n`) : () => undefined;
  const runtime = runtimeFromEnvironment(local, { cwd, writeLog });
  try {
    const response = await handleRequest(
      { method: 'GET', path: '/probe', query: new URLSearchParams({ target, debug: 'true' }), headers: {} },
      runtime,
    );
    if (response.status !== 200) {
      output.stderr(`pushgateway-exporter: no probe answer (HTTP ${response.status}): ${describeError(response.body)}\n`);
      return PROBE_EXIT.noAnswer;
    }
    output.stdout(response.body.endsWith('\n') ? response.body : `${response.body}\n`);
    const success = probeSuccessOf(response.body);
    if (success === 1) return PROBE_EXIT.success;
    if (success === 0) return PROBE_EXIT.failure;
    output.stderr('pushgateway-exporter: the probe answer has no probe_success sample\n');
    return PROBE_EXIT.noAnswer;
  } finally {
    await runtime.close();
  }
}
