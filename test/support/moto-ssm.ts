// moto_server (moto 5, `pip install 'moto[server]'`): a local endpoint speaking the real SSM API,
// SecureStrings and ARNs included, for the real @aws-sdk/client-ssm pointed at it with
// AWS_ENDPOINT_URL_SSM. .ci/run makes sure it is installed.
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { freePort, startProcess, type RunningProcess } from './processes.ts';

/** Dummy credentials: moto accepts any, and the SDK signs with them as it would in AWS. */
export const MOTO_ENVIRONMENT = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;
/** moto's default account. */
export const MOTO_ACCOUNT = '123456789012';

export interface MotoSsm {
  readonly url: string;
  /** Creates or overwrites a parameter, through the SDK as an operator's `aws ssm put-parameter` would. */
  put(name: string, value: string, type?: 'String' | 'SecureString'): Promise<void>;
  /** Deletes a parameter. */
  remove(name: string): Promise<void>;
  /** The ARN of a parameter named `name` (which starts with a slash). */
  arn(name: string): string;
  /** Stops moto_server (its process group, by PID). */
  stop(): Promise<void>;
}

export async function startMotoSsm(): Promise<MotoSsm> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Imported moto's services on start: slow on a loaded machine, hence the long ready timeout.
  const moto: RunningProcess = await startProcess(process.env.MOTO_SERVER ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    readyUrl: `${url}/moto-api/`, url, port, timeoutMs: 60_000,
  });
  const client = new SSMClient({ endpoint: url, region: MOTO_ENVIRONMENT.AWS_REGION, credentials: { accessKeyId: MOTO_ENVIRONMENT.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENVIRONMENT.AWS_SECRET_ACCESS_KEY } });
  return {
    url,
    put: async (name, value, type = 'String') => {
      await client.send(new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true }));
    },
    remove: async (name) => {
      await client.send(new DeleteParameterCommand({ Name: name }));
    },
    arn: (name) => `arn:aws:ssm:${MOTO_ENVIRONMENT.AWS_REGION}:${MOTO_ACCOUNT}:parameter${name}`,
    stop: async () => {
      client.destroy();
      await moto.stop();
    },
  };
}
