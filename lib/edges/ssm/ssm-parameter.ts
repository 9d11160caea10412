import { describeError, ExporterError } from '../../core/errors.ts';
import type { SsmParameterReader } from './ssm-parameter-reader.ts';

let reader: Promise<SsmParameterReader> | undefined;

/**
 * The value of an SSM parameter (String or SecureString, decrypted), by name or ARN. The SDK is
 * imported on first use, so a process that reads no parameter never loads it.
 */
export async function readSsmParameter(name: string): Promise<string> {
  let value: string | undefined;
  try {
    reader ??= import('./ssm-parameter-reader.ts').then(({ SsmParameterReader }) => new SsmParameterReader());
    value = await (await reader).read(name);
  } catch (error) {
    const kind = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
    throw new ExporterError('SSM_UNAVAILABLE', `cannot read SSM parameter ${name}: ${kind}${describeError(error)}`, { cause: error });
  }
  if (value === undefined) throw new ExporterError('SSM_UNAVAILABLE', `SSM parameter ${name} has no value`);
  return value;
}
