import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import { Agent, request } from 'undici';
import { describeError, describeNetworkError, PushgatewayError } from '../../core/errors.ts';
import { pushgatewayAuthorization } from './pushgateway-auth.ts';
import { redactUrl } from '../../core/config/redact-url.ts';
import { slicer } from '../time-slicing.ts';

export interface MetricsRequest {
  readonly timeoutMs: number;
  /** Bounds the body on the wire and once decompressed: memory stays bounded whatever the Pushgateway sends. */
  readonly maxBodyBytes: number;
  readonly bearerToken?: string | undefined;
  /** Stops the read early (a newer read replaced it); the error is the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

export interface MetricsRead {
  /** Bytes on the wire (compressed when gzip was used). */
  readonly bytes: number;
  /** Bytes of the body handed to the sink (decompressed). */
  readonly bodyBytes: number;
}

/**
 * Reads Pushgateway's `/metrics` (text exposition, gzip accepted) over one keep-alive agent,
 * so a warm Lambda container reuses its connection.
 */
export class PushgatewayReader {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });

  /**
   * Streams the body into `sink` chunk by chunk (inflating gzip on the way): the caller copies
   * each chunk where it keeps the body, so the read itself holds no copy of it.
   */
  async fetchMetrics(baseUrl: string, options: MetricsRequest, sink: (chunk: Uint8Array) => void): Promise<MetricsRead> {
    const { timeoutMs, maxBodyBytes, bearerToken } = options;
    const where = redactUrl(baseUrl);
    const headers: Record<string, string> = {
      // Asks for text: Pushgateway would otherwise be free to answer in protobuf.
      accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
      'accept-encoding': 'gzip',
      'user-agent': 'pushgateway-exporter',
    };
    let url: URL;
    // Every failure leaves as a PushgatewayError, with the URL redacted: a config the check missed fails the read, not the process.
    try {
      url = new URL(`${baseUrl}/metrics`);
      const authorization = pushgatewayAuthorization(url, bearerToken);
      if (authorization !== undefined) headers.authorization = authorization;
    } catch (error) {
      if (error instanceof PushgatewayError) throw error;
      throw new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `Pushgateway URL ${where} cannot be read: ${describeError(error)}`, { cause: error });
    }
    // The credentials travel in the header, never in the request line.
    url.username = '';
    url.password = '';
    const timeout = AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs)));
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    let response;
    try {
      response = await request(url, { dispatcher: this.agent, method: 'GET', headers, signal });
    } catch (error) {
      throw this.wrap(error, where, timeoutMs, timeout, options.signal);
    }
    if (response.statusCode !== 200) {
      // The body of an error answer is not worth reading: discard a little, then drop the connection.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} answered HTTP ${response.statusCode} to GET /metrics`);
    }
    const gzip = String(response.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
    let bytes = 0;
    let bodyBytes = 0;
    const tooLarge = (inflated: boolean) =>
      new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} sent more than max_body_bytes (${maxBodyBytes}) bytes${inflated ? ' once inflated' : ''}`);
    const take = (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > maxBodyBytes) throw tooLarge(gzip);
      sink(chunk);
    };
    const inflate = gzip ? createGunzip({ chunkSize: 64 * 1024 }) : undefined;
    const pause = slicer();
    try {
      if (inflate === undefined) {
        // Leaving the loop by a throw closes the stream (and the connection) cleanly.
        for await (const chunk of response.body) {
          bytes += (chunk as Buffer).length;
          take(chunk as Buffer);
          await pause();
        }
      } else {
        const compressed = (async () => {
          for await (const chunk of response.body) {
            bytes += (chunk as Buffer).length;
            if (bytes > maxBodyBytes) throw tooLarge(false);
            if (!inflate.write(chunk as Buffer)) await once(inflate, 'drain', { signal });
          }
          inflate.end();
        })();
        compressed.catch((error: unknown) => inflate.destroy(error instanceof Error ? error : new Error(String(error))));
        for await (const chunk of inflate) {
          take(chunk as Buffer);
          await pause();
        }
        await compressed;
      }
    } catch (error) {
      // Stops the compressed half too, and drops the connection now rather than at the timeout.
      inflate?.destroy();
      response.body.destroy();
      if (error instanceof PushgatewayError) throw error;
      if (inflate !== undefined && isZlibError(error)) {
        throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} sent a bad gzip body: ${describeError(error)}`, { cause: error });
      }
      throw this.wrap(error, where, timeoutMs, timeout, options.signal);
    }
    return { bytes, bodyBytes };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private wrap(error: unknown, where: string, timeoutMs: number, timeout: AbortSignal, stop: AbortSignal | undefined): Error {
    if (stop?.aborted) return stop.reason instanceof Error ? stop.reason : new Error(String(stop.reason));
    if (timeout.aborted) {
      return new PushgatewayError('PUSHGATEWAY_TIMEOUT', `Pushgateway at ${where} did not answer within ${(timeoutMs / 1000).toFixed(2)}s`, { cause: error });
    }
    return new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `Pushgateway at ${where} is unreachable: ${describeNetworkError(error)}`, { cause: error });
  }
}

const isZlibError = (error: unknown): boolean => typeof (error as { code?: unknown } | undefined)?.code === 'string' && String((error as { code: string }).code).startsWith('Z_');
