import { once } from 'node:events';
import type { Agent, IncomingMessage, RequestOptions } from 'node:http';
import { createGunzip } from 'node:zlib';
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
 * Compressed bytes handed to zlib at a time, and the size of the inflated chunks it hands back:
 * fewer, larger pieces cost less per byte (each is a turn of the thread pool and of the stream
 * machinery), and a 10k-group body still arrives as a dozen chunks the index works through as
 * they come (docs/deploying.md#cold-start).
 */
const COMPRESSED_BATCH_BYTES = 32 * 1024;
const INFLATED_CHUNK_BYTES = 256 * 1024;

/**
 * node:http as Node's own module object, not through an ES import: on Node 24 (the Lambda runtime)
 * an `import` of node:http builds its ES module facade by reading every export, and three of them
 * (WebSocket, CloseEvent, MessageEvent) are getters that load undici with crypto, tls and http2,
 * about 100 modules and 40–50 ms of a cold start (docs/performance.md#nodehttp-without-its-es-module-facade).
 */
const http = process.getBuiltinModule('node:http');

type Send = (url: URL, options: RequestOptions, answer: (response: IncomingMessage) => void) => ReturnType<typeof http.request>;

/** One scheme's client: its request function and its keep-alive agent. */
interface Client {
  readonly send: Send;
  readonly agent: Agent;
}

/** Idle connections close after 30 s (what the undici agent kept before, docs/deploying.md#cold-start). */
const agentOptions = { keepAlive: true, maxSockets: 4, timeout: 30_000 } as const;

/**
 * Reads Pushgateway's `/metrics` (text exposition, gzip accepted) over one keep-alive agent,
 * so a warm Lambda container reuses its connection. On node:http rather than the npm undici:
 * importing undici was most of a cold Lambda's init, and Node's built-in fetch inflates gzip
 * itself, hiding the bytes on the wire and their cap (docs/deploying.md#cold-start).
 * node:https loads only for an https:// Pushgateway.
 */
export class PushgatewayReader {
  private readonly http: Client = { send: http.request, agent: new http.Agent(agentOptions) };
  private https: Promise<Client> | undefined;

  /**
   * Streams the body into `sink` chunk by chunk (inflating gzip on the way): the caller copies
   * each chunk where it keeps the body, so the read itself holds no copy of it. A sink that throws
   * a PushgatewayError stops the read with that error.
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
    let response: IncomingMessage;
    try {
      response = await this.get(url, headers, signal);
    } catch (error) {
      throw this.wrap(error, where, timeoutMs, timeout, options.signal);
    }
    if (response.statusCode !== 200) {
      // The body of an error answer is not worth reading: discard a little, then drop the connection.
      await discard(response, 64 * 1024).catch(() => undefined);
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
    const inflate = gzip ? createGunzip({ chunkSize: INFLATED_CHUNK_BYTES }) : undefined;
    const pause = slicer();
    try {
      if (inflate === undefined) {
        // Leaving the loop by a throw closes the stream (and the connection) cleanly.
        for await (const chunk of response) {
          bytes += (chunk as Buffer).length;
          take(chunk as Buffer);
          await pause();
        }
      } else {
        const compressed = (async () => {
          // Socket chunks are a few KB; each write is a trip to zlib's thread and back, so they go
          // in batches (docs/deploying.md#cold-start).
          let batch: Buffer[] = [];
          let batchBytes = 0;
          const write = async () => {
            if (batchBytes === 0) return;
            const input = batch.length === 1 ? batch[0] as Buffer : Buffer.concat(batch, batchBytes);
            batch = [];
            batchBytes = 0;
            if (!inflate.write(input)) await once(inflate, 'drain', { signal });
          };
          for await (const chunk of response) {
            bytes += (chunk as Buffer).length;
            if (bytes > maxBodyBytes) throw tooLarge(false);
            batch.push(chunk as Buffer);
            batchBytes += (chunk as Buffer).length;
            if (batchBytes >= COMPRESSED_BATCH_BYTES) await write();
          }
          await write();
          inflate.end();
        })();
        compressed.catch((error: unknown) => inflate.destroy(error instanceof Error ? error : new Error(String(error))));
        for await (const chunk of inflate) {
          take(chunk as Buffer);
          await pause();
        }
        await compressed;
      }
      // A body with neither a length nor chunks ends when its connection closes, and the timeout
      // closing it ends it too: the part read by then is not the Pushgateway's answer.
      signal.throwIfAborted();
    } catch (error) {
      // Stops the compressed half too, and drops the connection now rather than at the timeout.
      inflate?.destroy();
      response.destroy();
      if (error instanceof PushgatewayError) throw error;
      // A timeout or a stop that cut a gzip body short leaves zlib an unfinished stream: it is the
      // timeout or the stop, not a bad body.
      if (signal.aborted) throw this.wrap(error, where, timeoutMs, timeout, options.signal);
      if (inflate !== undefined && isZlibError(error)) {
        throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} sent a bad gzip body: ${describeError(error)}`, { cause: error });
      }
      throw this.wrap(error, where, timeoutMs, timeout, options.signal);
    }
    return { bytes, bodyBytes };
  }

  async close(): Promise<void> {
    this.http.agent.destroy();
    if (this.https !== undefined) (await this.https).agent.destroy();
  }

  private client(url: URL): Promise<Client> | Client {
    if (url.protocol !== 'https:') return this.http;
    this.https ??= import('node:https').then(({ request, Agent: HttpsAgent }) => ({ send: request, agent: new HttpsAgent(agentOptions) }));
    return this.https;
  }

  /**
   * The response head of one GET. A kept-alive connection the Pushgateway (or a frozen Lambda
   * container's idle time) closed fails before any answer: that one request is sent once more.
   */
  private async get(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    const { send, agent } = await this.client(url);
    const attempt = () => new Promise<IncomingMessage>((resolve, reject) => {
      const request = send(url, { method: 'GET', headers, agent, signal }, resolve);
      request.on('error', (error: Error & { reusedSocket?: boolean }) => {
        error.reusedSocket = request.reusedSocket;
        reject(error);
      });
      request.end();
    });
    try {
      return await attempt();
    } catch (error) {
      const { reusedSocket, code } = error as { reusedSocket?: boolean; code?: unknown };
      if (reusedSocket === true && (code === 'ECONNRESET' || code === 'EPIPE') && !signal.aborted) return attempt();
      throw error;
    }
  }

  private wrap(error: unknown, where: string, timeoutMs: number, timeout: AbortSignal, stop: AbortSignal | undefined): Error {
    if (stop?.aborted) return stop.reason instanceof Error ? stop.reason : new Error(String(stop.reason));
    if (timeout.aborted) {
      return new PushgatewayError('PUSHGATEWAY_TIMEOUT', `Pushgateway at ${where} did not answer within ${(timeoutMs / 1000).toFixed(2)}s`, { cause: error });
    }
    return new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `Pushgateway at ${where} is unreachable: ${describeNetworkError(error)}`, { cause: error });
  }
}

/** Reads and drops a body of up to `limit` bytes, which keeps the connection; a longer one drops the connection. */
async function discard(response: IncomingMessage, limit: number): Promise<void> {
  let seen = 0;
  for await (const chunk of response) {
    seen += (chunk as Buffer).length;
    if (seen > limit) {
      response.destroy();
      return;
    }
  }
}

const isZlibError = (error: unknown): boolean => typeof (error as { code?: unknown } | undefined)?.code === 'string' && String((error as { code: string }).code).startsWith('Z_');
