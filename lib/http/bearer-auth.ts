import { trimToken } from '../core/config/bearer-tokens.ts';

/**
 * The credentials of `Authorization: Bearer <value>`: everything after the scheme (matched
 * case-insensitively) and its white space, trimmed; undefined for any other scheme.
 */
export function bearerValue(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+([\s\S]*)$/i.exec(trimToken(authorization ?? ''));
  return match === null ? undefined : trimToken(match[1] ?? '');
}

// node:crypto loads on the first request that must be authorized, not at a cold start: a function
// without tokens never loads it (docs/performance.md).
const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

const digest = (text: string): Buffer => crypto().createHash('sha256').update(text).digest();

/**
 * True when the bearer value of `authorization` equals one of `tokens`. Digests give equal-length
 * inputs to timingSafeEqual, and every token is compared, so timing reveals neither length nor
 * which matched.
 */
export function isAuthorized(authorization: string | undefined, tokens: readonly string[]): boolean {
  return isOneOf(bearerValue(authorization), tokens);
}

/**
 * True when `presented` (a bearer value, or a check-in's key from its path) equals one of `tokens`,
 * compared as `isAuthorized` compares: digests, every token, nothing empty.
 */
export function isOneOf(presented: string | undefined, tokens: readonly string[]): boolean {
  const presentedDigest = digest(presented ?? '');
  const { timingSafeEqual } = crypto();
  let authorized = false;
  for (const token of tokens) {
    if (timingSafeEqual(presentedDigest, digest(token)) && presented !== undefined && presented !== '') authorized = true;
  }
  return authorized;
}
