// The request headers the routes read, taken from what an entry point received. Every other header
// is skipped: a request's answer depends on these four only
// (docs/security-model.md#what-a-caller-can-and-cannot-do).

/** The headers the routes read, by their lower-case names; undefined when not sent. */
export interface RequestHeaders {
  /** The exporter's own address as the caller reached it (`/sd`). */
  readonly host?: string | undefined;
  /** A scrape's bearer token, or a check-in's key. */
  readonly authorization?: string | undefined;
  /** Set by a proxy that ended TLS (`/sd`). */
  readonly 'x-forwarded-proto'?: string | undefined;
  /** Prometheus's scrape timeout: a probe's budget. */
  readonly 'x-prometheus-scrape-timeout-seconds'?: string | undefined;
}

/**
 * Collects the headers the routes read, one received header at a time, in any case. A header sent
 * twice (in any case) becomes one value joined by ", ", as a function URL joins them: two
 * `Authorization` headers never authorize, since the joined value matches no token. One class with
 * the four fields: every request's headers have the same shape, and no other name makes a key.
 */
export class RequestHeaderSet implements RequestHeaders {
  host: string | undefined = undefined;
  authorization: string | undefined = undefined;
  'x-forwarded-proto': string | undefined = undefined;
  'x-prometheus-scrape-timeout-seconds': string | undefined = undefined;

  /** Takes one received header; a name the routes do not read is skipped. */
  add(name: string, value: string): void {
    // By length first: most headers (User-Agent, Accept, …) are skipped without lower-casing their name.
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') this.host = joined(this.host, value);
        return;
      case 13:
        if (name.toLowerCase() === 'authorization') this.authorization = joined(this.authorization, value);
        return;
      case 17:
        if (name.toLowerCase() === 'x-forwarded-proto') this['x-forwarded-proto'] = joined(this['x-forwarded-proto'], value);
        return;
      case 35:
        if (name.toLowerCase() === 'x-prometheus-scrape-timeout-seconds') {
          this['x-prometheus-scrape-timeout-seconds'] = joined(this['x-prometheus-scrape-timeout-seconds'], value);
        }
        return;
      default:
    }
  }
}

const joined = (earlier: string | undefined, value: string): string => (earlier === undefined ? value : `${earlier}, ${value}`);

/** The headers the routes read, from node's flat `rawHeaders` list (name, value, name, value, …). */
export function readRawHeaders(raw: readonly string[]): RequestHeaders {
  const headers = new RequestHeaderSet();
  for (let at = 0; at + 1 < raw.length; at += 2) headers.add(raw[at] as string, raw[at + 1] as string);
  return headers;
}
