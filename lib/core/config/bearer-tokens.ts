/** Tokens parsed from `AUTH_TOKEN` or its SSM parameter, or the one-line fact of why there are none (never a token). */
export type ParsedTokens =
  | { readonly tokens: readonly string[] }
  /** `empty`: only commas and white space; `character`: a token no HTTP client can send as is. */
  | { readonly problem: string; readonly kind: 'empty' | 'character' };

/**
 * Printable ASCII: the bytes every entry point hands over unchanged (node:http reads header bytes
 * as latin1, so a UTF-8 token would arrive garbled), and what a line break between tokens is not.
 */
const TOKEN_CHARACTERS = /^[\x20-\x7e]+$/;

/** A secret with its surrounding white space (and line breaks) removed, as everywhere a token is read. */
export const trimToken = (text: string): string => text.trim();

/** Why a single secret (trimmed) cannot be used, naming `source` but never the value; undefined when it can. */
export function tokenProblem(token: string, source: string): string | undefined {
  if (token === '') return `${source} holds only white space`;
  if (!TOKEN_CHARACTERS.test(token)) return `${source} holds a character other than printable ASCII (a line break or tab?)`;
  return undefined;
}

/**
 * Tokens separated by commas, each trimmed, so a token can be rotated without a gap (`old,new`,
 * switch Prometheus, then `new`). A token may contain spaces; it never contains a comma. A value
 * with no token in it is a problem, never "no auth": see docs/security-model.md.
 */
export function parseAuthTokens(value: string, source: string): ParsedTokens {
  const tokens = value.split(',').map(trimToken).filter((token) => token !== '');
  if (tokens.length === 0) return { problem: `${source} holds no token (only commas or white space)`, kind: 'empty' };
  for (const [index, token] of tokens.entries()) {
    if (!TOKEN_CHARACTERS.test(token)) {
      return { problem: `${source}: token ${index + 1} holds a character other than printable ASCII (a line break or tab?): separate tokens with commas`, kind: 'character' };
    }
  }
  return { tokens };
}
