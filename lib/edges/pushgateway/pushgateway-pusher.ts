import { Agent, request } from 'undici';
import { describeNetworkError, PushgatewayError } from '../../core/errors.ts';
import { EXPOSITION_CONTENT_TYPE, renderExposition, type MetricFamily } from '../../core/exposition/exposition-renderer.ts';
import { groupingKeyPath, type GroupingLabels } from '../../core/push/grouping-key.ts';
import { pushgatewayAuthorization } from './pushgateway-auth.ts';
import { redactUrl } from '../../core/config/redact-url.ts';
import { clip } from '../../core/quote.ts';

/** Enough of a rejection's body for Pushgateway's explanation; the rest is not read into memory. */
const ERROR_BODY_BYTES = 4096;
const ERROR_REASON_CHARS = 300;

/** Where a push goes: a Pushgateway and a grouping key. */
export interface PushTarget {
  /** May carry `user:password@` for a Pushgateway behind basic auth. */
  readonly pushgatewayUrl: string;
  readonly job: string;
  /** Grouping labels after `job`, usually `instance` first. */
  readonly labels: GroupingLabels;
  /** Sent as `Authorization: Bearer`, winning over URL credentials. */
  readonly bearerToken?: string | undefined;
  readonly timeoutMs: number;
}

/**
 * Pushgateway's words when a name's type differs between groups: the sample it checked (its own
 * type inside the braces, e.g. `gauge:<value:1 >`) "is not a" the type the name already has.
 * The sample shown may be the pushed one or the one already held.
 */
const TYPE_CONFLICT = /collected metric "([^"]+)" \{(.*?)\} is not an? ([A-Z_]+)\b/;
const SAMPLE_TYPE = /\b(gauge|counter|untyped|summary|histogram|gauge_histogram):</;

/** The one-line explanation of a type conflict, naming the fix (docs/pushing.md), or undefined. */
function typeConflictReason(line: string, families: readonly MetricFamily[]): string | undefined {
  const match = TYPE_CONFLICT.exec(line);
  if (match === null) return undefined;
  const [, name = '', sample = '', held = ''] = match;
  const pushed = families.find((family) => family.name === name)?.type;
  // Not a name this push sent: Pushgateway's own words are the better guide.
  if (pushed === undefined) return undefined;
  const other = [held.toLowerCase(), SAMPLE_TYPE.exec(sample)?.[1]].find((type) => type !== undefined && type !== pushed) ?? 'another type';
  const what = `type conflict: another group holds ${name} as ${other}, this push sends it as ${pushed}`;
  if (pushed !== 'gauge') return `${what}; fix: every pusher must send the same # TYPE for ${name} (docs/pushing.md)`;
  const untyped = other === 'untyped' ? ' (a body with no # TYPE line, as older pushgateway-exporter versions and bare curl lines send, is untyped)' : '';
  return `${what}; fix: send "# TYPE ${name} gauge" from every pusher${untyped}, then delete the groups still holding it as ${other} (docs/pushing.md)`;
}

/** Pushgateway's explanation of a rejection, as one bounded line (it may list several errors over lines). */
function reasonLine(body: string, families: readonly MetricFamily[]): string {
  const line = body.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  const conflict = typeConflictReason(line, families);
  if (conflict !== undefined) return conflict;
  return clip(line, ERROR_REASON_CHARS);
}

/**
 * Pushes metric families to one Pushgateway group with POST, which replaces only the metrics named
 * in the body: a start or failure push leaves the group's last heartbeat in place.
 */
export class PushgatewayPusher {
  private readonly agent: Agent;

  /**
   * `connections`: at most this many to one Pushgateway. One by default: a CLI run pushes at most
   * twice, one push after the other; a server pushing check-ins passes more.
   */
  constructor(options: { readonly connections?: number } = {}) {
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: options.connections ?? 1 });
  }

  async push(target: PushTarget, families: readonly MetricFamily[]): Promise<void> {
    const path = groupingKeyPath(target.job, target.labels);
    const where = redactUrl(target.pushgatewayUrl);
    let url: URL;
    try {
      url = new URL(target.pushgatewayUrl);
    } catch {
      url = new URL('invalid:');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `Pushgateway URL ${where} is not an http:// or https:// URL`);
    }
    const headers: Record<string, string> = { 'content-type': EXPOSITION_CONTENT_TYPE, 'user-agent': 'pushgateway-exporter' };
    const authorization = pushgatewayAuthorization(url, target.bearerToken);
    if (authorization !== undefined) headers.authorization = authorization;
    // A Pushgateway behind a reverse proxy may live under a path prefix.
    const endpoint = `${url.origin}${url.pathname.replace(/\/+$/, '')}${path}`;
    const action = `POST ${path}`;
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(target.timeoutMs)));
    try {
      const response = await request(endpoint, {
        dispatcher: this.agent, method: 'POST', headers, body: renderExposition(families), signal,
      });
      if (response.statusCode >= 200 && response.statusCode < 300) {
        await response.body.dump();
        return;
      }
      const chunks: Buffer[] = [];
      let kept = 0;
      for await (const chunk of response.body) {
        const bytes = chunk as Buffer;
        if (kept < ERROR_BODY_BYTES) chunks.push(bytes.subarray(0, ERROR_BODY_BYTES - kept));
        kept += bytes.length;
      }
      const reason = reasonLine(Buffer.concat(chunks).toString('utf8'), families);
      throw new PushgatewayError('PUSH_REJECTED', `Pushgateway at ${where} answered HTTP ${response.statusCode} to ${action}: ${reason}`);
    } catch (error) {
      if (error instanceof PushgatewayError) throw error;
      if (signal.aborted) {
        const seconds = Number((target.timeoutMs / 1000).toFixed(2));
        throw new PushgatewayError('PUSHGATEWAY_TIMEOUT', `Pushgateway at ${where} did not answer ${action} within ${seconds}s`, { cause: error });
      }
      throw new PushgatewayError('PUSHGATEWAY_UNREACHABLE', `cannot push to Pushgateway at ${where}: ${describeNetworkError(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
