import { shownValue, withoutCredentials } from './redact-url.ts';
import { httpUrl, show, type FieldReader, type Problems } from './field-rules.ts';

/**
 * The most Pushgateways one exporter reads (docs/high-availability.md): each is read in parallel
 * within the probe budget and keeps two snapshot slots of up to `max_body_bytes`, so the bound keeps
 * both the fan-out and the memory (docs/high-availability.md#sizing) within reach of a 128 MB Lambda.
 */
export const MAX_PUSHGATEWAYS = 10;

/** A URL as a problem may show it: never one with "@", which may hold credentials. */
const shownUrl = (value: string): string => shownValue(value, 'a URL');

/**
 * `PUSHGATEWAY_URL`'s comma-separated list, items trimmed; a problem line (naming `from`, never an
 * item's text) when an item is empty.
 */
export function splitUrlList(value: string, from: string): { readonly urls: readonly string[] } | { readonly problem: string } {
  const items = value.split(',').map((item) => item.trim());
  const empty = items.findIndex((item) => item === '');
  if (empty >= 0) return { problem: `${from}: item ${empty + 1} of the comma-separated list is empty` };
  return { urls: items };
}

/** Each URL validated as one `pushgateway_url` is (trailing slashes dropped), then the list's own rules: 1–MAX, no duplicates. */
function checkedList(items: readonly { readonly value: unknown; readonly path: string }[], listPath: string, problems: Problems): string[] | undefined {
  if (items.length === 0) {
    problems.add(listPath, 'must name at least one Pushgateway URL');
    return undefined;
  }
  if (items.length > MAX_PUSHGATEWAYS) {
    problems.add(listPath, `names ${items.length} Pushgateways; at most ${MAX_PUSHGATEWAYS} are read`);
    return undefined;
  }
  const urls: string[] = [];
  const bare: string[] = [];
  const paths: string[] = [];
  let ok = true;
  for (const { value, path } of items) {
    if (typeof value !== 'string' || value.length === 0) {
      problems.add(path, `must be a non-empty string, got ${show(value)}`);
      ok = false;
      continue;
    }
    const url = httpUrl(value, path, problems);
    if (url === undefined) {
      ok = false;
      continue;
    }
    const first = urls.indexOf(url);
    if (first >= 0) {
      problems.add(path, `duplicate Pushgateway URL ${shownUrl(url)} (item ${first + 1} names it already)`);
      ok = false;
      continue;
    }
    // Every answer, metric and log names a Pushgateway by its URL redacted of credentials: two that
    // differ only there are one Pushgateway read twice, and may share one `pushgateway` label
    // (docs/high-availability.md#several-pushgateways).
    const twin = bare.indexOf(withoutCredentials(url));
    if (twin >= 0) {
      problems.add(path, `differs from ${paths[twin]} only in its credentials: that is one Pushgateway read twice, and answers name Pushgateways without credentials; name each Pushgateway once`);
      ok = false;
      continue;
    }
    urls.push(url);
    bare.push(withoutCredentials(url));
    paths.push(path);
  }
  return ok ? urls : undefined;
}

/**
 * `pushgateway_url` (one URL, or a list of them), unless `PUSHGATEWAY_URL` from the environment
 * (one URL, or a comma-separated list) overrides it; one of them is required.
 */
export function pushgatewayUrls(top: FieldReader, override: string | undefined, problems: Problems): readonly string[] | undefined {
  const configured = top.value('pushgateway_url');
  // The file's own value is checked even when the environment overrides it: a file that passes
  // check-config in a shell with PUSHGATEWAY_URL set must load where it is not set.
  const fromFile = configured === undefined ? undefined : configuredUrls(top, configured, problems);
  if (override) {
    const split = splitUrlList(override, 'PUSHGATEWAY_URL (environment)');
    if ('problem' in split) {
      problems.add('PUSHGATEWAY_URL (environment)', split.problem.slice('PUSHGATEWAY_URL (environment): '.length));
      return undefined;
    }
    const one = split.urls.length === 1;
    return checkedList(split.urls.map((value, index) => ({ value, path: one ? 'PUSHGATEWAY_URL (environment)' : `PUSHGATEWAY_URL (environment) item ${index + 1}` })), 'PUSHGATEWAY_URL (environment)', problems);
  }
  if (configured === undefined) top.problem('pushgateway_url', 'required (or set the PUSHGATEWAY_URL environment variable)');
  return fromFile;
}

/** `pushgateway_url` as the file gives it: one URL, or a list of them. */
function configuredUrls(top: FieldReader, configured: unknown, problems: Problems): readonly string[] | undefined {
  if (Array.isArray(configured)) {
    return checkedList(configured.map((value: unknown, index: number) => ({ value, path: top.path(`pushgateway_url[${index}]`) })), top.path('pushgateway_url'), problems);
  }
  const single = top.nonEmptyString('pushgateway_url');
  if (single === undefined) return undefined;
  return checkedList([{ value: single, path: top.path('pushgateway_url') }], top.path('pushgateway_url'), problems);
}

/**
 * A shard (`pushgateways:` of a service or of `defaults:`): the Pushgateways that hold it, each one
 * of `urls` (trailing slashes dropped before comparing); undefined when absent or wrong.
 */
export function shardOf(read: FieldReader, urls: readonly string[] | undefined): readonly string[] | undefined {
  const value = read.value('pushgateways');
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    read.problem('pushgateways', `must be a non-empty list of Pushgateway URLs from pushgateway_url, got ${show(value)}`);
    return undefined;
  }
  const shard: string[] = [];
  value.forEach((item: unknown, index: number) => {
    const key = `pushgateways[${index}]`;
    if (typeof item !== 'string' || item.length === 0) {
      read.problem(key, `must be a non-empty string, got ${show(item)}`);
      return;
    }
    const url = item.replace(/\/+$/, '');
    // Unchecked while the list itself is wrong: its own problem says so.
    if (urls === undefined) return;
    if (!urls.includes(url)) {
      read.problem(key, `${shownUrl(url)} is not one of the Pushgateways read (pushgateway_url, or PUSHGATEWAY_URL when set)`);
      return;
    }
    if (shard.includes(url)) read.problem(key, `names ${shownUrl(url)} twice`);
    else shard.push(url);
  });
  return shard.length === value.length ? shard : undefined;
}
