import type { SSMClient } from '@aws-sdk/client-ssm';
import { parseConfig, type ConfigOverrides, type ExporterConfig } from './config.ts';
import { describeError, ExporterError } from './errors.ts';

/** Keeps a slow SSM endpoint from holding a probe: a few short attempts, then the last good config answers. */
const SSM_REQUEST_TIMEOUT_MS = 3000;
const SSM_CONNECT_TIMEOUT_MS = 1000;
const SSM_MAX_ATTEMPTS = 3;

/**
 * Reads the config YAML from an SSM parameter (String or SecureString, by name or ARN).
 * The SDK is imported on first use, so the file-config path never loads it (a smaller cold start).
 */
export class SsmConfigLoader {
  private client: Promise<SSMClient> | undefined;

  constructor(
    readonly parameter: string,
    private readonly overrides: ConfigOverrides,
  ) {}

  async load(): Promise<ExporterConfig> {
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    let value: string | undefined;
    try {
      const client = await this.clientOnce();
      const output = await client.send(new GetParameterCommand({ Name: this.parameter, WithDecryption: true }));
      value = output.Parameter?.Value;
    } catch (error) {
      const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
      throw new ExporterError('CONFIG_UNAVAILABLE', `cannot read SSM parameter ${this.parameter}: ${name}${describeError(error)}`, { cause: error });
    }
    if (value === undefined) {
      throw new ExporterError('CONFIG_UNAVAILABLE', `SSM parameter ${this.parameter} has no value`);
    }
    return parseConfig(value, this.overrides, `SSM parameter ${this.parameter}`);
  }

  private clientOnce(): Promise<SSMClient> {
    this.client ??= import('@aws-sdk/client-ssm').then(
      ({ SSMClient }) =>
        new SSMClient({
          maxAttempts: SSM_MAX_ATTEMPTS,
          requestHandler: { requestTimeout: SSM_REQUEST_TIMEOUT_MS, connectionTimeout: SSM_CONNECT_TIMEOUT_MS },
        }),
    );
    return this.client;
  }
}
