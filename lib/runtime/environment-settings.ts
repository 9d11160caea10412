import { parseAuthTokens, tokenProblem, trimToken } from '../core/config/bearer-tokens.ts';
import type { ConfigOverrides } from '../core/config/config-types.ts';
import { configFilePath } from '../edges/config-file-loader.ts';
import { parseLogLevel, type LogLevel } from '../edges/logger.ts';

// The one place the environment becomes settings: every entry point (functions/) hands its
// process.env (and cwd) in here; nothing else in lib/ reads the environment.

/** The environment variables every entry point reads (docs/configuration.md). */
export interface ExporterEnvironment {
  readonly CONFIG_SSM_PARAMETER?: string | undefined;
  readonly CONFIG_FILE?: string | undefined;
  readonly PUSHGATEWAY_URL?: string | undefined;
  readonly LOG_LEVEL?: string | undefined;
  readonly AUTH_TOKEN?: string | undefined;
  readonly AUTH_TOKEN_SSM_PARAMETER?: string | undefined;
  readonly PUSHGATEWAY_BEARER_TOKEN?: string | undefined;
  readonly PUSH_TOKEN?: string | undefined;
  readonly PUSH_TOKEN_SSM_PARAMETER?: string | undefined;
  /** Set by Lambda (and serverless-offline) in every function's environment. */
  readonly AWS_LAMBDA_FUNCTION_NAME?: string | undefined;
}

/** `LOG_LEVEL` read: the level, and the warning to log when the value named none. */
export interface LogSettings {
  readonly level: LogLevel;
  readonly problem?: string;
}

/** Where the config is read from (docs/configuration.md). */
export type ConfigSource =
  | { readonly kind: 'ssm'; readonly parameter: string }
  | { readonly kind: 'file'; readonly path: string };

/** Everything a runtime is built with, read from the environment and checked. */
export interface RuntimeSettings {
  readonly logging: LogSettings;
  readonly configSource: ConfigSource;
  /** `PUSHGATEWAY_URL` and `PUSHGATEWAY_BEARER_TOKEN`, which win over the config's own. */
  readonly configOverrides: ConfigOverrides;
  /** From `AUTH_TOKEN`; empty when it is unset. */
  readonly authTokens: readonly string[];
  readonly authTokenParameter: string | undefined;
  /** The check-ins' keys; absent when neither `PUSH_TOKEN` nor `PUSH_TOKEN_SSM_PARAMETER` is set (no `/ping` route). */
  readonly pushKeys?: PushKeys;
  /**
   * Whether the snapshot cache reads ahead of expiry. Not in Lambda: a container is frozen as soon as
   * it answers, so a read started then would finish on a later invocation with old data stamped as
   * new (docs/architecture.md#the-snapshot-cache).
   */
  readonly refreshAhead: boolean;
}

/**
 * The settings, or the one line (naming variables, never values) why the environment cannot be
 * served with; logging is read either way, so a refusing runtime still logs why.
 */
export type SettingsRead =
  | { readonly kind: 'settings'; readonly settings: RuntimeSettings }
  | { readonly kind: 'problem'; readonly problem: string; readonly logging: LogSettings };

/** The runtime's settings from the environment; a relative `CONFIG_FILE` resolves against `cwd`. Pure. */
export function readSettings(env: ExporterEnvironment, cwd: string): SettingsRead {
  const logging = parseLogLevel(env.LOG_LEVEL);
  const read = readExporterSecrets(env);
  if ('problem' in read) return { kind: 'problem', problem: read.problem, logging };
  const { secrets } = read;
  return {
    kind: 'settings',
    settings: {
      logging,
      configSource: secrets.configParameter === undefined
        ? { kind: 'file', path: configFilePath(env.CONFIG_FILE, cwd) }
        : { kind: 'ssm', parameter: secrets.configParameter },
      configOverrides: { pushgatewayUrl: pushgatewayUrlOf(env), pushgatewayBearerToken: secrets.pushgatewayBearerToken },
      authTokens: secrets.authTokens,
      authTokenParameter: secrets.authTokenParameter,
      ...(secrets.pushKeys === undefined ? {} : { pushKeys: secrets.pushKeys }),
      refreshAhead: isUnset(env.AWS_LAMBDA_FUNCTION_NAME),
    },
  };
}

/** What `npm run serve` adds: where to listen. */
export interface ServerEnvironment {
  readonly PORT?: string | undefined;
  readonly HOST?: string | undefined;
}

/** The secrets and SSM names of the environment, checked. */
export interface ExporterSecrets {
  /** From `AUTH_TOKEN`; empty when it is unset. */
  readonly authTokens: readonly string[];
  readonly authTokenParameter: string | undefined;
  readonly configParameter: string | undefined;
  readonly pushgatewayBearerToken: string | undefined;
  /** Only when `PUSH_TOKEN` or `PUSH_TOKEN_SSM_PARAMETER` is set. */
  readonly pushKeys?: PushKeys;
}

/** The keys of check-ins (docs/check-ins.md): from `PUSH_TOKEN`, its SSM parameter, or both. */
export interface PushKeys {
  readonly tokens: readonly string[];
  readonly parameter: string | undefined;
}

type ExporterSecretsRead = { readonly secrets: ExporterSecrets } | { readonly problem: string };

/**
 * Exactly '' is unset: serverless.yml maps an unset variable to '' (`${env:AUTH_TOKEN, ''}`), so
 * Lambda and serverless-offline cannot tell the two apart. Anything else is a value, checked.
 */
const isUnset = (value: string | undefined): value is '' | undefined => value === undefined || value === '';

/** `PUSHGATEWAY_BEARER_TOKEN`: one token, trimmed; white space alone is a mistake, not "no token". */
export function readPushgatewayBearerToken(value: string | undefined): { readonly token: string | undefined } | { readonly problem: string } {
  if (isUnset(value)) return { token: undefined };
  const token = trimToken(value);
  const problem = tokenProblem(token, 'PUSHGATEWAY_BEARER_TOKEN');
  return problem === undefined ? { token } : { problem: `${problem}: give the token, or leave it empty` };
}

/** An SSM parameter name, trimmed; white space alone is a mistake, not "no parameter". */
function readParameterName(value: string | undefined, name: string, remedy: string): { readonly parameter: string | undefined } | { readonly problem: string } {
  if (isUnset(value)) return { parameter: undefined };
  const parameter = value.trim();
  return parameter === '' ? { problem: `${name} holds only white space: ${remedy}` } : { parameter };
}

/**
 * Checks the secrets and SSM names of the environment. A problem is one line naming every variable
 * at fault, never a value: the entry points refuse to serve with it (docs/security-model.md).
 */
export function readExporterSecrets(env: ExporterEnvironment): ExporterSecretsRead {
  const problems: string[] = [];
  let authTokens: readonly string[] = [];
  if (!isUnset(env.AUTH_TOKEN)) {
    const parsed = parseAuthTokens(env.AUTH_TOKEN, 'AUTH_TOKEN');
    if ('problem' in parsed) problems.push(parsed.kind === 'empty' ? `${parsed.problem}: give one or more tokens separated by commas, or leave it empty` : parsed.problem);
    else authTokens = parsed.tokens;
  }
  const authTokenParameter = readParameterName(env.AUTH_TOKEN_SSM_PARAMETER, 'AUTH_TOKEN_SSM_PARAMETER', 'name the SSM parameter holding the bearer tokens, or leave it empty');
  if ('problem' in authTokenParameter) problems.push(authTokenParameter.problem);
  const configParameter = readParameterName(env.CONFIG_SSM_PARAMETER, 'CONFIG_SSM_PARAMETER', 'name the SSM parameter holding the config, or leave it empty to read CONFIG_FILE');
  if ('problem' in configParameter) problems.push(configParameter.problem);
  const bearer = readPushgatewayBearerToken(env.PUSHGATEWAY_BEARER_TOKEN);
  if ('problem' in bearer) problems.push(bearer.problem);
  const pushKeys = readPushKeys(env, problems);
  if (problems.length > 0 || 'problem' in authTokenParameter || 'problem' in configParameter || 'problem' in bearer) {
    return { problem: problems.join('; ') };
  }
  return {
    secrets: {
      authTokens,
      authTokenParameter: authTokenParameter.parameter,
      configParameter: configParameter.parameter,
      pushgatewayBearerToken: bearer.token,
      ...(pushKeys === undefined ? {} : { pushKeys }),
    },
  };
}

/**
 * `PUSH_TOKEN` (comma-separated, read as `AUTH_TOKEN` is) and `PUSH_TOKEN_SSM_PARAMETER`; undefined
 * when neither is set. Problems are added to `problems`, naming the variable, never a value.
 */
function readPushKeys(env: ExporterEnvironment, problems: string[]): PushKeys | undefined {
  let tokens: readonly string[] = [];
  if (!isUnset(env.PUSH_TOKEN)) {
    const parsed = parseAuthTokens(env.PUSH_TOKEN, 'PUSH_TOKEN');
    if ('problem' in parsed) problems.push(parsed.kind === 'empty' ? `${parsed.problem}: give one or more keys separated by commas, or leave it empty` : parsed.problem);
    else tokens = parsed.tokens;
  }
  const parameter = readParameterName(env.PUSH_TOKEN_SSM_PARAMETER, 'PUSH_TOKEN_SSM_PARAMETER', 'name the SSM parameter holding the push keys, or leave it empty');
  if ('problem' in parameter) {
    problems.push(parameter.problem);
    return undefined;
  }
  return isUnset(env.PUSH_TOKEN) && parameter.parameter === undefined ? undefined : { tokens, parameter: parameter.parameter };
}

/** `PUSHGATEWAY_URL` as an override: exactly '' is unset (see `isUnset`). */
const pushgatewayUrlOf = (env: ExporterEnvironment): string | undefined => env.PUSHGATEWAY_URL || undefined;

/** What `check-config` applies to each file, as the exporter would: the Pushgateway URL and token overrides. */
export function readConfigOverrides(env: ExporterEnvironment): { readonly overrides: ConfigOverrides } | { readonly problem: string } {
  const bearer = readPushgatewayBearerToken(env.PUSHGATEWAY_BEARER_TOKEN);
  if ('problem' in bearer) return bearer;
  return { overrides: { pushgatewayUrl: pushgatewayUrlOf(env), pushgatewayBearerToken: bearer.token } };
}

/** The defaults `push` takes from the environment when no flag gives them. */
export interface PushDefaults {
  readonly pushgatewayUrl: string | undefined;
  readonly bearer: { readonly token: string | undefined } | { readonly problem: string };
}

export function readPushDefaults(env: ExporterEnvironment): PushDefaults {
  return { pushgatewayUrl: pushgatewayUrlOf(env), bearer: readPushgatewayBearerToken(env.PUSHGATEWAY_BEARER_TOKEN) };
}

/** Where `npm run serve` listens. */
export interface ServerSettings {
  readonly port: number;
  readonly host: string;
}

const DEFAULT_PORT = 9116;

/** `PORT` (default 9116) and `HOST` (default every interface), or the one line why `PORT` is no port. */
export function readServerSettings(env: ServerEnvironment): { readonly server: ServerSettings } | { readonly problem: string } {
  const port = parsePort(env.PORT, DEFAULT_PORT);
  if (typeof port === 'string') return { problem: port };
  return { server: { port, host: env.HOST || '0.0.0.0' } };
}

/** A port number from text, `fallback` when unset, or the one-line problem. */
export function parsePort(value: string | undefined, fallback: number): number | string {
  if (value === undefined || value === '') return fallback;
  // Digits only: Number() would take " " as 0 (a random port), "0x50" as 80 and "1e3" as 1000.
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  return port >= 0 && port <= 65_535 ? port : `PORT must be a port number (0-65535), got ${JSON.stringify(value.slice(0, 40))}`;
}
