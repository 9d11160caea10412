import { Agent, request } from 'undici';
import { describeNetworkError, PushgatewayError } from '../../core/errors.ts';
import { groupingKeyPath } from '../../core/push/grouping-key.ts';
import { isRecord } from '../../core/is-record.ts';
import type { GatewayGroup, GroupSample } from '../../core/reap/expiry.ts';
import type { Labels } from '../../core/exposition/exposition-types.ts';
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC } from '../../core/snapshot/snapshot.ts';
import { redactUrl } from '../../core/config/redact-url.ts';
import { pushgatewayAuthorization } from './pushgateway-auth.ts';

/** Where the reaper reads and deletes groups. */
export interface GroupsAccess {
  /** May carry `user:password@` for a Pushgateway behind basic auth. */
  readonly pushgatewayUrl: string;
  readonly bearerToken?: string | undefined;
  readonly timeoutMs: number;
  /** Largest `/api/v1/metrics` body read: a larger one fails the sweep, memory stays bounded. */
  readonly maxBodyBytes: number;
}

interface ApiFamily {
  readonly metrics?: readonly { readonly labels?: Record<string, string>; readonly value?: string }[];
}

/** One entry of `/api/v1/metrics` `data` as a GatewayGroup; undefined for an entry without a grouping key. */
function groupOf(entry: unknown): GatewayGroup | undefined {
  if (!isRecord(entry) || !isRecord(entry.labels)) return undefined;
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(entry.labels)) if (typeof value === 'string') labels[name] = value;
  let pushTimeSeconds: number | undefined;
  let pushFailureTimeSeconds: number | undefined;
  const samples: GroupSample[] = [];
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'labels' || !isRecord(value)) continue;
    const metrics = (value as ApiFamily).metrics ?? [];
    if (name === PUSH_TIME_METRIC) {
      pushTimeSeconds = pushTimeOf(metrics);
      continue;
    }
    if (name === PUSH_FAILURE_TIME_METRIC) {
      pushFailureTimeSeconds = pushTimeOf(metrics);
      continue;
    }
    for (const metric of metrics) samples.push({ name, service: typeof metric.labels?.service === 'string' ? metric.labels.service : undefined });
    // A family with no samples still names the group's metrics.
    if (metrics.length === 0) samples.push({ name, service: undefined });
  }
  return { labels, pushTimeSeconds, pushFailureTimeSeconds, samples };
}

/** A push or push-failure time; Pushgateway shows 0 for "never", which is no time at all. */
function pushTimeOf(metrics: ApiFamily['metrics'] & object): number | undefined {
  const seconds = Number(metrics[0]?.value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * Reads every Pushgateway group through its JSON API (`GET /api/v1/metrics`, which decodes grouping
 * keys exactly, where the text exposition merges groups sharing `job` and `instance`), and deletes
 * one (`DELETE /metrics/job/…`, the push path, docs/cli.md#pushing-by-hand).
 */
export class PushgatewayGroups {
  // One connection: a sweep's reads and DELETEs run one after the other.
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 1 });

  async list(access: GroupsAccess): Promise<GatewayGroup[]> {
    const body = await this.send(access, 'GET', '/api/v1/metrics');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${redactUrl(access.pushgatewayUrl)} sent GET /api/v1/metrics a body that is not JSON`);
    }
    const data = isRecord(parsed) ? parsed.data : undefined;
    if (!Array.isArray(data)) throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${redactUrl(access.pushgatewayUrl)} sent GET /api/v1/metrics no data list`);
    return data.flatMap((entry) => groupOf(entry) ?? []);
  }

  /** Deletes the group whose grouping key is exactly `labels`. */
  async delete(access: GroupsAccess, labels: Labels): Promise<void> {
    const { job = '', ...rest } = labels;
    await this.send(access, 'DELETE', groupingKeyPath(job, Object.entries(rest)));
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** One request; the body of a 2xx answer, read up to `maxBodyBytes`, else a PushgatewayError. */
  private async send(access: GroupsAccess, method: 'GET' | 'DELETE', path: string): Promise<string> {
    const where = redactUrl(access.pushgatewayUrl);
    const action = `${method} ${path.split('/').slice(0, 4).join('/')}${path.split('/').length > 4 ? '/…' : ''}`;
    let url: URL;
    try {
      url = new URL(access.pushgatewayUrl);
    } catch {
      throw new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `Pushgateway URL ${where} is not a URL`);
    }
    const headers: Record<string, string> = { 'user-agent': 'pushgateway-exporter', accept: 'application/json' };
    const authorization = pushgatewayAuthorization(url, access.bearerToken);
    if (authorization !== undefined) headers.authorization = authorization;
    // A Pushgateway behind a reverse proxy may live under a path prefix.
    const endpoint = `${url.origin}${url.pathname.replace(/\/+$/, '')}${path}`;
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(access.timeoutMs)));
    try {
      const response = await request(endpoint, { dispatcher: this.agent, method, headers, signal });
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} answered HTTP ${response.statusCode} to ${action}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > access.maxBodyBytes) {
          response.body.destroy();
          throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${where} sent more than ${access.maxBodyBytes} bytes to ${action}`);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (error instanceof PushgatewayError) throw error;
      if (signal.aborted) throw new PushgatewayError('PUSHGATEWAY_TIMEOUT', `Pushgateway at ${where} did not answer ${action} within ${(access.timeoutMs / 1000).toFixed(2)}s`, { cause: error });
      throw new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `cannot reach Pushgateway at ${where} for ${action}: ${describeNetworkError(error)}`, { cause: error });
    }
  }
}
