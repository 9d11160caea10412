import { describeError, ExporterError } from '../../core/errors.ts';
import type { SsmParameterReader } from './ssm-parameter-reader.ts';

/** The runtime's port to SSM Parameter Store: a parameter's value by name or ARN, or an `SSM_UNAVAILABLE` error. */
export interface SsmParameters {
  read(name: string): Promise<string>;
}

/**
 * SSM through the AWS SDK. The SDK is imported on the first read, so a process that reads no
 * parameter never loads it, and the bundler keeps it in a chunk of its own.
 */
export class SdkSsmParameters implements SsmParameters {
  private reader: Promise<SsmParameterReader> | undefined;

  /** The value of a String or SecureString parameter (decrypted). */
  async read(name: string): Promise<string> {
    let value: string | undefined;
    try {
      this.reader ??= import('./ssm-parameter-reader.ts').then(({ SsmParameterReader }) => new SsmParameterReader());
      value = await (await this.reader).read(name);
    } catch (error) {
      const kind = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
      throw new ExporterError('SSM_UNAVAILABLE', `cannot read SSM parameter ${name}: ${kind}${describeError(error)}`, { cause: error });
    }
    if (value === undefined) throw new ExporterError('SSM_UNAVAILABLE', `SSM parameter ${name} has no value`);
    return value;
  }
}
