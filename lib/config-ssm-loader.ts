import { parseConfig, type ConfigOverrides, type ExporterConfig } from './config.ts';
import { describeError, ExporterError } from './errors.ts';
import type { SsmParameterReader } from './ssm-parameter-reader.ts';

/** Reads the config YAML from an SSM parameter (String or SecureString, by name or ARN). */
export class SsmConfigLoader {
  private reader: Promise<SsmParameterReader> | undefined;

  constructor(
    readonly parameter: string,
    private readonly overrides: ConfigOverrides,
  ) {}

  async load(): Promise<ExporterConfig> {
    let value: string | undefined;
    try {
      // Imported on first use: the SDK is loaded only when CONFIG_SSM_PARAMETER is set.
      this.reader ??= import('./ssm-parameter-reader.ts').then(({ SsmParameterReader }) => new SsmParameterReader());
      value = await (await this.reader).read(this.parameter);
    } catch (error) {
      const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
      throw new ExporterError('CONFIG_UNAVAILABLE', `cannot read SSM parameter ${this.parameter}: ${name}${describeError(error)}`, { cause: error });
    }
    if (value === undefined) throw new ExporterError('CONFIG_UNAVAILABLE', `SSM parameter ${this.parameter} has no value`);
    return parseConfig(value, this.overrides, `SSM parameter ${this.parameter}`);
  }
}
