import { CONFIG_RANGES } from '../core/config/config-ranges.ts';
import { CONFIG_DEFAULTS } from '../core/config/config-types.ts';
import { httpUrlProblem } from '../core/config/http-url.ts';
import { MAX_PUSHGATEWAYS, splitUrlList } from '../core/config/pushgateway-urls.ts';
import { withoutCredentials } from '../core/config/redact-url.ts';
import { isValidMetricName } from '../core/exposition/metric-names.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC, SUCCESS_METRIC } from '../core/probe/signal-metrics.ts';
import { labelNameProblem } from '../core/push/grouping-key.ts';
import type { PushDefaults } from '../runtime/environment-settings.ts';
import type { CliCommand } from './cli-command.ts';
import { isCommand, parseArguments, stringOption, usageError } from './parse-arguments.ts';
import { DEFAULT_PUSH_TIMEOUT_SECONDS } from './usage.ts';

/** Labels reserved for the grouping key's own parts or the samples' `service` label. */
const RESERVED_LABELS: Readonly<Record<string, string>> = {
  instance: 'use --instance to set the instance',
  service: 'the service label is set from --service on every sample',
};

/** The URL's shape, checked before any request; a URL with credentials is never echoed back. */
function pushgatewayUrlProblem(value: string, from: string): string | undefined {
  const problem = httpUrlProblem(value);
  return problem === undefined ? undefined : `push: ${from} ${problem}`;
}

/**
 * The Pushgateways to push to: each `--pushgateway` (repeatable, each a URL or a comma-separated
 * list), else `PUSHGATEWAY_URL` (one URL or a comma-separated list); a usage error line otherwise.
 */
function pushgatewayUrls(flags: readonly string[], fromEnvironment: string | undefined): readonly string[] | string {
  const from = flags.length > 0 ? '--pushgateway' : 'PUSHGATEWAY_URL';
  const given = flags.length > 0 ? flags : fromEnvironment === undefined || fromEnvironment === '' ? [] : [fromEnvironment];
  if (given.length === 0) return 'push: no Pushgateway URL: pass --pushgateway URL or set PUSHGATEWAY_URL';
  const urls: string[] = [];
  for (const value of given) {
    const split = splitUrlList(value, from);
    if ('problem' in split) return `push: ${split.problem}`;
    for (const url of split.urls) {
      const problem = pushgatewayUrlProblem(url, from);
      if (problem !== undefined) return problem;
      // Compared without credentials and trailing slashes, as the config compares them: two
      // logins to one Pushgateway would push the same signal to it twice.
      const bare = withoutCredentials(url).replace(/\/+$/, '');
      if (urls.some((known) => withoutCredentials(known).replace(/\/+$/, '') === bare)) return `push: ${from} names the same Pushgateway twice`;
      urls.push(url);
    }
  }
  if (urls.length > MAX_PUSHGATEWAYS) return `push: ${from} names ${urls.length} Pushgateways; at most ${MAX_PUSHGATEWAYS}`;
  return urls;
}

/** `push`'s arguments; `defaults` are what the environment gives when no flag does. */
export function parsePushArguments(args: readonly string[], defaults: PushDefaults): CliCommand {
  // Everything after the first `--` is the command to run, untouched.
  const separator = args.indexOf('--');
  const own = separator === -1 ? args : args.slice(0, separator);
  const command = separator === -1 ? undefined : args.slice(separator + 1);
  const parsed = parseArguments('push', own, {
    service: { type: 'string' },
    pushgateway: { type: 'string', multiple: true },
    job: { type: 'string' },
    instance: { type: 'string' },
    label: { type: 'string', multiple: true },
    start: { type: 'boolean' },
    fail: { type: 'boolean' },
    timeout: { type: 'string' },
    'heartbeat-metric': { type: 'string' },
  }, true);
  if (isCommand(parsed)) return parsed;
  if (parsed.values.help === true) return { kind: 'help' };
  const [stray] = parsed.positionals;
  if (stray !== undefined) return usageError(`push: unexpected argument ${JSON.stringify(stray)} (put the command to run after --)`);

  const service = stringOption(parsed, 'service');
  if (service === undefined || service === '') return usageError('push: --service NAME is required');
  const job = stringOption(parsed, 'job') ?? CONFIG_DEFAULTS.job;
  if (job === '') return usageError('push: --job must not be empty');
  const instance = stringOption(parsed, 'instance') ?? service;

  const flags = parsed.values.pushgateway;
  // An empty --pushgateway falls back on PUSHGATEWAY_URL, as it always has.
  const pushgatewayUrlList = pushgatewayUrls((Array.isArray(flags) ? flags : []).filter((flag): flag is string => typeof flag === 'string' && flag !== ''), defaults.pushgatewayUrl);
  if (typeof pushgatewayUrlList === 'string') return usageError(pushgatewayUrlList);
  const { bearer } = defaults;
  if ('problem' in bearer) return usageError(`push: ${bearer.problem}`);

  const labels: [string, string][] = [['instance', instance]];
  const rawLabels = parsed.values.label;
  for (const pair of Array.isArray(rawLabels) ? rawLabels : []) {
    if (typeof pair !== 'string') continue;
    const equals = pair.indexOf('=');
    if (equals === -1) return usageError(`push: --label takes NAME=VALUE, got ${JSON.stringify(pair)}`);
    const name = pair.slice(0, equals);
    const problem = labelNameProblem(name) ?? (Object.hasOwn(RESERVED_LABELS, name) ? RESERVED_LABELS[name] : undefined);
    if (problem !== undefined) return usageError(`push: --label ${JSON.stringify(pair)}: ${problem}`);
    if (labels.some(([known]) => known === name)) return usageError(`push: --label ${name} given twice`);
    labels.push([name, pair.slice(equals + 1)]);
  }

  const start = parsed.values.start === true;
  const fail = parsed.values.fail === true;
  if (start && fail) return usageError('push: give --start or --fail, not both');
  if (command !== undefined) {
    if (command.length === 0) return usageError('push: nothing to run after --');
    if (start || fail) return usageError('push: --start and --fail push one signal by hand; a command after -- is reported on by its exit code');
  }

  const heartbeatMetric = stringOption(parsed, 'heartbeat-metric') ?? SUCCESS_METRIC;
  if (!isValidMetricName(heartbeatMetric) || [START_METRIC, FAILURE_METRIC, RUN_DURATION_METRIC].includes(heartbeatMetric)) {
    return usageError(`push: --heartbeat-metric must be a metric name other than the start, failure and duration signals, got ${JSON.stringify(heartbeatMetric)}`);
  }

  const rawTimeout = stringOption(parsed, 'timeout');
  // Decimal seconds only, as Prometheus writes them: Number() would also take "0x10" or "1e1".
  const timeoutSeconds = rawTimeout === undefined ? DEFAULT_PUSH_TIMEOUT_SECONDS : /^\d+(\.\d+)?$/.test(rawTimeout) ? Number(rawTimeout) : Number.NaN;
  // The exporter's own timeout_seconds range: beyond it Node's timers clamp or throw.
  const { min, max } = CONFIG_RANGES.timeout_seconds;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < min || timeoutSeconds > max) {
    return usageError(`push: --timeout must be decimal seconds such as 10 or 2.5, from ${min} to ${max}, got ${JSON.stringify(rawTimeout)}`);
  }

  return {
    kind: 'push',
    options: {
      pushgatewayUrls: pushgatewayUrlList,
      bearerToken: bearer.token,
      service,
      heartbeatMetric,
      job,
      labels,
      signal: start ? 'start' : fail ? 'failure' : 'success',
      command,
      timeoutSeconds,
    },
  };
}
