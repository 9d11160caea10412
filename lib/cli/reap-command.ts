import type { CliOutput } from './cli-command.ts';
import { describeGroup, type ExpiredGroup } from '../core/reap/expiry.ts';
import { quote } from '../core/quote.ts';
import type { Clock } from '../core/time/clock.ts';
import { PushgatewayGroups } from '../edges/pushgateway/pushgateway-groups.ts';
import { PushgatewayPusher } from '../edges/pushgateway/pushgateway-pusher.ts';
import type { ExporterEnvironment } from '../runtime/environment-settings.ts';
import { runtimeFromEnvironment } from '../runtime/production-ports.ts';
import { sweep, type SweepPorts } from '../runtime/reaper.ts';

/** How long a group's age reads: whole seconds below a minute, else the largest unit, one decimal. */
function age(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)}m`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

const line = (verb: string, expired: ExpiredGroup): string =>
  `${verb} ${describeGroup(expired.group.labels)} age ${age(expired.ageSeconds)} (expire_after_seconds ${expired.expireAfterSeconds}) service ${quote(expired.service, 200)}\n`;

/**
 * `reap`: one sweep with the config the exporter would use (CONFIG_FILE, `--config`, or SSM),
 * listing each deletion on stdout and logging it as a JSON line on stderr. 0 when the sweep
 * succeeds, 1 with one line when it cannot (no config, Pushgateway unreachable). `hooks` lets a
 * test set the clock and race the sweep (lib/runtime/reaper.ts).
 */
export async function runReapCommand(
  options: { readonly dryRun: boolean }, env: ExporterEnvironment, cwd: string, output: CliOutput,
  hooks: Pick<SweepPorts, 'beforeReread'> & { readonly clock?: Clock } = {},
): Promise<number> {
  // Only the config is read: bearer tokens guard HTTP routes, which a sweep has none of.
  const local: ExporterEnvironment = { ...env, AUTH_TOKEN: undefined, AUTH_TOKEN_SSM_PARAMETER: undefined, PUSH_TOKEN: undefined, PUSH_TOKEN_SSM_PARAMETER: undefined };
  const { beforeReread, ...replace } = hooks;
  const runtime = runtimeFromEnvironment(local, { cwd, writeLog: (text) => output.stderr(`${text}\n`), ...replace });
  const groups = new PushgatewayGroups();
  const pusher = new PushgatewayPusher();
  try {
    if (runtime.startupProblem !== undefined) {
      output.stderr(`pushgateway-exporter: reap: ${runtime.startupProblem}\n`);
      return 1;
    }
    const { value: config, error } = await runtime.config.read();
    if (config === undefined) {
      output.stderr(`pushgateway-exporter: reap: no config: ${error ?? 'not loaded'}\n`);
      return 1;
    }
    const result = await sweep(config, {
      groups, clock: runtime.clock, monotonicMs: runtime.monotonicMs, logger: runtime.logger, pusher: options.dryRun ? undefined : pusher, beforeReread,
    }, options);
    const verb = options.dryRun ? 'would delete' : 'deleted';
    // What was deleted is listed even when the sweep failed part-way.
    for (const expired of result.deleted) output.stdout(line(verb, expired));
    if (!result.success) {
      output.stderr(`pushgateway-exporter: reap failed after ${result.deleted.length} deletions: ${result.error ?? 'unknown error'}\n`);
      return 1;
    }
    output.stdout(`reap: ${verb} ${result.deleted.length} of ${result.groups} groups; ${result.kept} pushed again since the read and kept; `
      + `${result.unattributed} not attributed to one configured service, never deleted\n`);
    return 0;
  } finally {
    await Promise.all([groups.close(), pusher.close(), runtime.close()]);
  }
}
