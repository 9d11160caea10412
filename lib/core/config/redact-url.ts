import { quote } from '../quote.ts';

/** Removes credentials from a URL so it can be shown in logs and answers. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = 'redacted';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** The URL without its credentials (for comparing two URLs); the text itself when it is no URL. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * A config value as an error may echo it: quoted, unless it holds "@", which a URL with
 * credentials does. Errors reach logs and 503 answers, and a URL can land under any key, through a
 * typo or a YAML alias (docs/security-model.md).
 */
export function shownValue(value: string, what = 'a value'): string {
  return /[@\uff20]/.test(value) ? `${what} with "@" (not shown: it may hold credentials)` : quote(value);
}

/** A value given as a URL, as an error may echo it: as shownValue, but cut before a ?query or #fragment, which may hold a token. */
export function shownUrlValue(value: string): string {
  const cut = value.search(/[?#]/);
  return cut === -1 ? shownValue(value) : `${shownValue(value.slice(0, cut))} and a ?query or #fragment (not shown: it may hold a token)`;
}
