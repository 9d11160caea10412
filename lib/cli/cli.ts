import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CONFIG_RANGES } from '../core/config/config-ranges.ts';
import { CONFIG_DEFAULTS } from '../core/config/config-types.ts';
import { readPushgatewayBearerToken } from '../runtime/environment-settings.ts';
import { labelNameProblem, type GroupingLabels } from '../core/push/grouping-key.ts';
import { httpUrlProblem } from '../core/config/http-url.ts';
import { isValidMetricName } from '../core/exposition/metric-names.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC, SUCCESS_METRIC } from '../core/probe/signal-metrics.ts';
import { quote } from '../core/quote.ts';

export const CLI_NAME = 'pushgateway-exporter';
/** Long enough for a loaded Pushgateway, short enough that a cron run never hangs on one. */
export const DEFAULT_PUSH_TIMEOUT_SECONDS = 10;

export const USAGE = `Usage: ${CLI_NAME} <command> [options]

Commands:
  push --service NAME [options] [-- COMMAND [ARG...]]
      Without COMMAND: push a success (the heartbeat) for NAME now, or a start (--start) or a
      failure (--fail). With COMMAND: push a start, run COMMAND, push a success or a failure with
      the run's duration, and exit with COMMAND's exit code (a failed push only warns).
        --pushgateway URL    Pushgateway base URL (default: $PUSHGATEWAY_URL);
                             http://user:password@host:9091 sends basic auth
        --job JOB            grouping key job (default: ${CONFIG_DEFAULTS.job})
        --instance NAME      grouping key instance (default: the service name)
        --label NAME=VALUE   one more grouping label; repeat for more
        --start | --fail     push a start or a failure instead of a success
        --heartbeat-metric NAME  the success metric, for a service with its own heartbeat_metric
                             (default: ${SUCCESS_METRIC})
        --timeout SECONDS    how long one push may take (default: ${DEFAULT_PUSH_TIMEOUT_SECONDS})
  check-config FILE...
      Validate config files as the exporter does ($PUSHGATEWAY_URL overrides pushgateway_url);
      exit 1 listing every problem.
  probe --target NAME [--config FILE]
      Evaluate one probe as GET /probe?target=NAME&debug=true does and print the report;
      exit 0 when probe_success is 1, 1 when it is 0, 2 when there is no probe answer.
  help, --help       show this help
  --version          show the version

Environment: PUSHGATEWAY_URL, PUSHGATEWAY_BEARER_TOKEN (sent as Authorization: Bearer),
CONFIG_FILE, CONFIG_SSM_PARAMETER, LOG_LEVEL (probe logs nothing unless it is set).
`;

export type PushSignalKind = 'success' | 'start' | 'failure';

export interface PushOptions {
  /** May carry `user:password@`. */
  readonly pushgatewayUrl: string;
  readonly bearerToken: string | undefined;
  readonly service: string;
  /** The metric a success is pushed as: the service's `heartbeat_metric`. */
  readonly heartbeatMetric: string;
  readonly job: string;
  /** The whole grouping key after `job`: `instance` first, then each `--label`. */
  readonly labels: GroupingLabels;
  /** What a push without a command reports. */
  readonly signal: PushSignalKind;
  /** The command to run and report on, when given after `--`. */
  readonly command: readonly string[] | undefined;
  readonly timeoutSeconds: number;
}

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'push'; readonly options: PushOptions }
  | { readonly kind: 'check-config'; readonly files: readonly string[] }
  | { readonly kind: 'probe'; readonly target: string; readonly configFile: string | undefined }
  /** Wrong arguments: the one-line message, then the usage, on stderr; exit 2. */
  | { readonly kind: 'usage-error'; readonly message: string };

/** Where the CLI's commands write; the entry point binds them to stdout and stderr. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The environment variables the CLI's argument defaults come from. */
export interface CliEnvironment {
  readonly PUSHGATEWAY_URL?: string | undefined;
  readonly PUSHGATEWAY_BEARER_TOKEN?: string | undefined;
}

const usageError = (message: string): CliCommand => ({ kind: 'usage-error', message });

/** Labels reserved for the grouping key's own parts or the samples' `service` label. */
const RESERVED_LABELS: Readonly<Record<string, string>> = {
  instance: 'use --instance to set the instance',
  service: 'the service label is set from --service on every sample',
};

/** node:util's messages carry a second sentence of advice meant for programmers; the first says what is wrong. */
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split(/\.\s/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

type Parsed = ReturnType<typeof parseArgs>;

function parse(command: string, args: readonly string[], options: ParseArgsConfig['options'], allowPositionals: boolean): Parsed | CliCommand {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    return usageError(`${command}: ${parseArgsMessage(error)}`);
  }
}

const isCommand = (value: Parsed | CliCommand): value is CliCommand => 'kind' in value;

function stringOption(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The URL's shape, checked before any request; a URL with credentials is never echoed back. */
function pushgatewayUrlProblem(value: string, from: string): string | undefined {
  const problem = httpUrlProblem(value);
  return problem === undefined ? undefined : `push: ${from} ${problem}`;
}

function parsePush(args: readonly string[], env: CliEnvironment): CliCommand {
  // Everything after the first `--` is the command to run, untouched.
  const separator = args.indexOf('--');
  const own = separator === -1 ? args : args.slice(0, separator);
  const command = separator === -1 ? undefined : args.slice(separator + 1);
  const parsed = parse('push', own, {
    service: { type: 'string' },
    pushgateway: { type: 'string' },
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

  const fromFlag = stringOption(parsed, 'pushgateway');
  const pushgatewayUrl = fromFlag || env.PUSHGATEWAY_URL || '';
  if (pushgatewayUrl === '') return usageError('push: no Pushgateway URL: pass --pushgateway URL or set PUSHGATEWAY_URL');
  const urlProblem = pushgatewayUrlProblem(pushgatewayUrl, fromFlag ? '--pushgateway' : 'PUSHGATEWAY_URL');
  if (urlProblem !== undefined) return usageError(urlProblem);
  const bearer = readPushgatewayBearerToken(env.PUSHGATEWAY_BEARER_TOKEN);
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
  const timeoutSeconds = rawTimeout === undefined ? DEFAULT_PUSH_TIMEOUT_SECONDS : Number(rawTimeout);
  // The exporter's own timeout_seconds range: beyond it Node's timers clamp or throw.
  const { min, max } = CONFIG_RANGES.timeout_seconds;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < min || timeoutSeconds > max || rawTimeout?.trim() === '') {
    return usageError(`push: --timeout must be between ${min} and ${max} seconds, got ${JSON.stringify(rawTimeout)}`);
  }

  return {
    kind: 'push',
    options: {
      pushgatewayUrl,
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

function parseCheckConfig(args: readonly string[]): CliCommand {
  const parsed = parse('check-config', args, {}, true);
  if (isCommand(parsed)) return parsed;
  if (parsed.values.help === true) return { kind: 'help' };
  if (parsed.positionals.length === 0) return usageError('check-config: name the config file to check, e.g. check-config config.yml');
  return { kind: 'check-config', files: parsed.positionals };
}

function parseProbe(args: readonly string[]): CliCommand {
  const parsed = parse('probe', args, { target: { type: 'string' }, config: { type: 'string' } }, false);
  if (isCommand(parsed)) return parsed;
  if (parsed.values.help === true) return { kind: 'help' };
  const target = stringOption(parsed, 'target');
  if (target === undefined || target === '') return usageError('probe: --target NAME is required');
  const configFile = stringOption(parsed, 'config');
  if (configFile === '') return usageError('probe: --config must name a file');
  return { kind: 'probe', target, configFile };
}

/** Turns the arguments after the program name into a command, or the usage error to print. Pure. */
export function parseCli(argv: readonly string[], env: CliEnvironment): CliCommand {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      return usageError('missing command');
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    case '--version':
    case '-V':
    case 'version':
      return { kind: 'version' };
    case 'push':
      return parsePush(rest, env);
    case 'check-config':
      return parseCheckConfig(rest);
    case 'probe':
      return parseProbe(rest);
    default: {
      const shown = quote(first, 60);
      return usageError(first.startsWith('-') ? `unknown option ${shown}` : `unknown command ${shown} (commands: push, check-config, probe, help)`);
    }
  }
}
