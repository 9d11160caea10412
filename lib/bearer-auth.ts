import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Tokens from `AUTH_TOKEN`: several may be given, separated by commas or white space, so a
 * token can be rotated without a gap (deploy old+new, switch Prometheus, drop the old).
 */
export function parseAuthTokens(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((token) => token.length > 0);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * True when `authorization` is `Bearer <one of tokens>`. Digests give equal-length inputs to
 * timingSafeEqual, and every token is compared, so timing reveals neither length nor which matched.
 */
export function isAuthorized(authorization: string | undefined, tokens: readonly string[]): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  const presented = digest(match?.[1] ?? '');
  let authorized = false;
  for (const token of tokens) {
    if (timingSafeEqual(presented, digest(token)) && match !== null) authorized = true;
  }
  return authorized;
}
