import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Agent, request } from 'undici';
import { describeError, describeNetworkError, PushgatewayError } from './errors.ts';
import { pushgatewayAuthorization } from './pushgateway-auth.ts';
import { redactUrl } from './redact-url.ts';

const gunzipAsync = promisify(gunzip);

export interface MetricsRead {
  readonly text: string;
  /** Bytes on the wire (compressed when gzip was used). */
  readonly bytes: number;
}

/**
 * Reads Pushgateway's `/metrics` (text exposition, gzip accepted) over one keep-alive agent,
 * so a warm Lambda container reuses its connection.
 */
export class PushgatewayClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });

  /** `maxBodyBytes` bounds the body on the wire and once decompressed: memory stays bounded whatever the Pushgateway sends. */
  async fetchMetrics(baseUrl: string, timeoutMs: number, maxBodyBytes: number, bearerToken?: string): Promise<MetricsRead> {
    const url = new URL(`${baseUrl}/metrics`);
    const headers: Record<string, string> = {
      // Asks for text: Pushgateway would otherwise be free to answer in protobuf.
      accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
      'accept-encoding': 'gzip',
      'user-agent': 'pushgateway-exporter',
    };
    const authorization = pushgatewayAuthorization(url, bearerToken);
    if (authorization !== undefined) headers.authorization = authorization;
    // The credentials travel in the header, never in the request line.
    url.username = '';
    url.password = '';
    const where = redactUrl(baseUrl);
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs)));
    let response;
    try {
      response = await request(url, { dispatcher: this.agent, method: 'GET', headers, signal });
    } catch (error) {
      throw this.wrap(error, where, timeoutMs, signal);
    }
    if (response.statusCode !== 200) {
      // The body of an error answer is not worth reading: discard a little, then drop the connection.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} answered HTTP ${response.statusCode} to GET /metrics`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > maxBodyBytes) {
          // Leaving the loop by a throw closes the stream (and the connection) cleanly.
          throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} sent more than max_body_bytes (${maxBodyBytes}) bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      throw error instanceof PushgatewayError ? error : this.wrap(error, where, timeoutMs, signal);
    }
    const body = Buffer.concat(chunks, size);
    const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
    let text: string;
    if (encoding === 'gzip') {
      try {
        text = (await gunzipAsync(body, { maxOutputLength: maxBodyBytes })).toString('utf8');
      } catch (error) {
        const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        const reason = tooLarge ? `more than max_body_bytes (${maxBodyBytes}) bytes once inflated` : `a bad gzip body: ${describeError(error)}`;
        throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} sent ${reason}`, { cause: error });
      }
    } else {
      text = body.toString('utf8');
    }
    return { text, bytes: body.length };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private wrap(error: unknown, where: string, timeoutMs: number, signal: AbortSignal): PushgatewayError {
    if (signal.aborted) {
      return new PushgatewayError('PUSHGATEWAY_TIMEOUT', `Pushgateway at ${where} did not answer within ${(timeoutMs / 1000).toFixed(2)}s`, { cause: error });
    }
    return new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `Pushgateway at ${where} is unreachable: ${describeNetworkError(error)}`, { cause: error });
  }
}
