import { parseAuthTokens, tokenProblem, trimToken } from '../http/bearer-auth.ts';

/** The environment variables every entry point reads (docs/configuration.md). */
export interface ExporterEnvironment {
  readonly CONFIG_SSM_PARAMETER?: string | undefined;
  readonly CONFIG_FILE?: string | undefined;
  readonly PUSHGATEWAY_URL?: string | undefined;
  readonly LOG_LEVEL?: string | undefined;
  readonly AUTH_TOKEN?: string | undefined;
  readonly AUTH_TOKEN_SSM_PARAMETER?: string | undefined;
  readonly PUSHGATEWAY_BEARER_TOKEN?: string | undefined;
}

/** The secrets and SSM names of the environment, checked. */
export interface ExporterSecrets {
  /** From `AUTH_TOKEN`; empty when it is unset. */
  readonly authTokens: readonly string[];
  readonly authTokenParameter: string | undefined;
  readonly configParameter: string | undefined;
  readonly pushgatewayBearerToken: string | undefined;
}

export type ExporterSecretsRead = { readonly secrets: ExporterSecrets } | { readonly problem: string };

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
  if (problems.length > 0 || 'problem' in authTokenParameter || 'problem' in configParameter || 'problem' in bearer) {
    return { problem: problems.join('; ') };
  }
  return {
    secrets: {
      authTokens,
      authTokenParameter: authTokenParameter.parameter,
      configParameter: configParameter.parameter,
      pushgatewayBearerToken: bearer.token,
    },
  };
}
