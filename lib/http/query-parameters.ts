// A request's query as the routes read it: the values of a name, exactly as URLSearchParams gives them.

/** What a route reads of a query; URLSearchParams is one (the Lambda's event adapter hands one over). */
export interface QueryParameters {
  /** The first value of `name`, or null. */
  get(name: string): string | null;
  /** Every value of `name`, in order. */
  getAll(name: string): string[];
}

/** The pairs of a query that needs no decoding, as name, value, name, value, … */
class PlainQuery implements QueryParameters {
  constructor(private readonly pairs: readonly string[]) {}

  get(name: string): string | null {
    const pairs = this.pairs;
    for (let at = 0; at < pairs.length; at += 2) if (pairs[at] === name) return pairs[at + 1] as string;
    return null;
  }

  getAll(name: string): string[] {
    const pairs = this.pairs;
    const values: string[] = [];
    for (let at = 0; at < pairs.length; at += 2) if (pairs[at] === name) values.push(pairs[at + 1] as string);
    return values;
  }
}

const PERCENT = 0x25;
const PLUS = 0x2b;
const QUESTION_MARK = 0x3f;

/**
 * The query of a request target (after its first `?`), read as `new URLSearchParams(query)` reads
 * it. A query of ASCII without `%` or `+` (what Prometheus sends: `target=NAME`) decodes to
 * itself, so it is only split, on `&` then at the first `=`; any other query goes to URLSearchParams,
 * which decodes escapes, `+` and UTF-8. The split costs a warm probe in `npm run serve` less than
 * URLSearchParams (docs/performance.md#the-warm-path); test/unit/query-parameters.test.ts compares
 * the two on arbitrary strings.
 */
export function parseQuery(query: string): QueryParameters {
  // URLSearchParams drops one leading `?` of the string it is given (`/probe??target=a`).
  const start = query.charCodeAt(0) === QUESTION_MARK ? 1 : 0;
  for (let at = start; at < query.length; at++) {
    const code = query.charCodeAt(at);
    if (code === PERCENT || code === PLUS || code > 0x7f) return new URLSearchParams(query);
  }
  const pairs: string[] = [];
  let from = start;
  while (from <= query.length) {
    let end = query.indexOf('&', from);
    if (end === -1) end = query.length;
    // An empty piece (`a&&b`, a trailing `&`) is no pair.
    if (end > from) {
      const equals = query.indexOf('=', from);
      if (equals === -1 || equals > end) pairs.push(query.slice(from, end), '');
      else pairs.push(query.slice(from, equals), query.slice(equals + 1, end));
    }
    from = end + 1;
  }
  return new PlainQuery(pairs);
}

/** For the tests: whether `query` was split here rather than handed to URLSearchParams. */
export const isPlainQuery = (query: QueryParameters): boolean => query instanceof PlainQuery;
