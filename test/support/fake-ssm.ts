import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from './processes.ts';

export type SsmFault = 'throttle' | 'internal' | 'denied' | undefined;

export interface RecordedSsmRequest {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: { Name?: string; WithDecryption?: boolean };
}

/**
 * A small SSM endpoint speaking the AWS JSON 1.1 protocol for GetParameter, for the real
 * @aws-sdk/client-ssm pointed at it with AWS_ENDPOINT_URL_SSM.
 */
export class FakeSsm {
  readonly parameters = new Map<string, { type: 'String' | 'SecureString'; value: string }>();
  readonly requests: RecordedSsmRequest[] = [];
  fault: SsmFault;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((request, response) => {
      void readBody(request).then((text) => {
        const body = JSON.parse(text || '{}') as RecordedSsmRequest['body'];
        this.requests.push({
          target: header(request, 'x-amz-target'),
          contentType: header(request, 'content-type'),
          authorization: header(request, 'authorization'),
          body,
        });
        const reply = (status: number, payload: unknown) => {
          response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${this.requests.length}` });
          response.end(JSON.stringify(payload));
        };
        if (header(request, 'x-amz-target') !== 'AmazonSSM.GetParameter') {
          reply(400, { __type: 'UnknownOperationException', message: 'only GetParameter is served here' });
          return;
        }
        if (this.fault === 'throttle') return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
        if (this.fault === 'internal') return reply(500, { __type: 'InternalServerError', message: 'internal failure' });
        if (this.fault === 'denied') {
          return reply(400, { __type: 'AccessDeniedException', Message: `User: arn:aws:sts::123456789012:assumed-role/exporter is not authorized to perform: ssm:GetParameter on resource: ${body.Name}` });
        }
        const parameter = this.parameters.get(body.Name ?? '');
        if (parameter === undefined) return reply(400, { __type: 'ParameterNotFound', message: '' });
        const value = parameter.type === 'SecureString' && body.WithDecryption !== true ? 'AQICAHencrypted==' : parameter.value;
        reply(200, {
          Parameter: { Name: body.Name, Type: parameter.type, Value: value, Version: 1, DataType: 'text', ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${body.Name}` },
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
