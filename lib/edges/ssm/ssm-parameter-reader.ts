import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** Keeps a slow SSM endpoint from holding a probe: a few short attempts, then the last good value answers. */
const SSM_REQUEST_TIMEOUT_MS = 3000;
const SSM_CONNECT_TIMEOUT_MS = 1000;
const SSM_MAX_ATTEMPTS = 3;

/**
 * The only module that imports the AWS SDK. It is loaded with a dynamic import, so the bundler
 * puts it (and the SDK) in a chunk of its own that the YAML-file path never loads.
 */
export class SsmParameterReader {
  private readonly client = new SSMClient({
    maxAttempts: SSM_MAX_ATTEMPTS,
    requestHandler: { requestTimeout: SSM_REQUEST_TIMEOUT_MS, connectionTimeout: SSM_CONNECT_TIMEOUT_MS },
  });

  /** The parameter's value, decrypted when it is a SecureString. */
  async read(name: string): Promise<string | undefined> {
    const output = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return output.Parameter?.Value;
  }
}
