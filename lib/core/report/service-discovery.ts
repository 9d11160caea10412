import type { ExporterConfig, ServiceConfig } from '../config/config-types.ts';
import { quote } from '../quote.ts';

// GET /sd (docs/discovery.md#get-sd): Prometheus' http_sd_configs format, one target group per
// service, each pointing at this exporter's own /probe. Pure: the address comes from the request.

/** Where Prometheus reaches this exporter: as the request reached it. */
export interface ExporterOrigin {
  readonly scheme: 'http' | 'https';
  /** `host:port`, the port always given (Prometheus' target address). */
  readonly address: string;
}

/** One target group of the http_sd format. */
export interface TargetGroup {
  readonly targets: readonly [string];
  readonly labels: Readonly<Record<string, string>>;
}

const MAX_HOST_LENGTH = 261; // 253 for the name, 1 for the colon, 5 for the port, 2 for brackets.
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const PORT = /^[0-9]{1,5}$/;

/**
 * The exporter's origin from the request's `Host` and scheme, or the one line saying why the Host
 * cannot be used. The Host must be a DNS name (letters, digits, `-`, `_`, dot-separated labels of
 * at most 63), an IPv4 address or a bracketed IPv6 address, with an optional port 1–65535: the
 * answer names it as every target's address, so nothing else may pass into it.
 * `https` is the scheme when `knownHttps` (a function URL: lib/http/function-url-event.ts) or when
 * `X-Forwarded-Proto` says `https` (a TLS proxy in front of the node:http server); else `http`.
 */
export function exporterOrigin(host: string | undefined, forwardedProto: string | undefined, knownHttps: boolean): ExporterOrigin | { readonly problem: string } {
  const scheme = knownHttps || forwardedProto?.split(',')[0]?.trim().toLowerCase() === 'https' ? 'https' : 'http';
  if (host === undefined || host === '') return { problem: 'missing Host header: /sd names the exporter by the Host it was reached at' };
  const bad = { problem: `invalid Host header ${quote(host, 80)}: /sd needs host[:port] (a DNS name, an IPv4 address or a bracketed IPv6 address)` };
  if (host.length > MAX_HOST_LENGTH) return bad;
  const bracketEnd = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = host.indexOf(':', bracketEnd + 1);
  const name = colon === -1 ? host : host.slice(0, colon);
  const port = colon === -1 ? undefined : host.slice(colon + 1);
  if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) return bad;
  const isName = !name.startsWith('[') && name.length <= 253 && name.split('.').every((label) => label.length <= 63 && LABEL.test(label));
  if (!isName && !(IPV6.test(name) && name.includes(':'))) return bad;
  return { scheme, address: `${name.toLowerCase()}:${port === undefined ? (scheme === 'https' ? 443 : 80) : Number(port)}` };
}

/** The interval at which a slow service is scraped: once a minute. */
const SLOW_SCRAPE_SECONDS = 60;
/** A threshold from which once a minute adds at most a quarter of it to the time a failure is seen. */
const SLOW_THRESHOLD_SECONDS = 4 * SLOW_SCRAPE_SECONDS;

/**
 * `__scrape_interval__` and `__scrape_timeout__` for a service whose lateness is measured in
 * minutes: a scheduled (cron) service, or a heartbeat threshold of 240 s or more, is scraped once a
 * minute, with the exporter's timeout_seconds plus a second (at most the interval). Any other
 * service keeps the job's own interval: undefined.
 */
export function scrapeSchedule(service: ServiceConfig, config: Pick<ExporterConfig, 'timeoutSeconds'>): { readonly interval: string; readonly timeout: string } | undefined {
  const slow = service.schedule !== undefined || (service.freshnessThresholdSeconds !== undefined && service.freshnessThresholdSeconds >= SLOW_THRESHOLD_SECONDS);
  if (!slow) return undefined;
  return { interval: `${SLOW_SCRAPE_SECONDS}s`, timeout: `${Math.min(SLOW_SCRAPE_SECONDS, Math.ceil(config.timeoutSeconds) + 1)}s` };
}

/**
 * One target group per service, in the order given: the exporter as target, `/probe` as path, the
 * service as `__param_target`, `instance` and `service` (so a job over /sd keeps the labels of the
 * static job), `__scheme__` when https, `discovered="true"` for a discovered service.
 */
export function buildServiceDiscovery(services: Iterable<ServiceConfig>, origin: ExporterOrigin, config: Pick<ExporterConfig, 'timeoutSeconds'>): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const service of services) {
    const labels: Record<string, string> = { __metrics_path__: '/probe', __param_target: service.name };
    if (origin.scheme === 'https') labels.__scheme__ = 'https';
    const scrape = scrapeSchedule(service, config);
    if (scrape !== undefined) {
      labels.__scrape_interval__ = scrape.interval;
      labels.__scrape_timeout__ = scrape.timeout;
    }
    labels.instance = service.name;
    labels.service = service.name;
    if (service.discovered === true) labels.discovered = 'true';
    groups.push({ targets: [origin.address], labels });
  }
  return groups;
}

/** The /sd answer: JSON, one line, ending in a newline. */
export const renderServiceDiscovery = (groups: readonly TargetGroup[]): string => `${JSON.stringify(groups)}\n`;
