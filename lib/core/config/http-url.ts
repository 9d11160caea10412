import { shownUrlValue } from './redact-url.ts';

/**
 * Why `value` is not an http:// or https:// URL a Pushgateway can be reached at, or undefined when
 * it is one. A value with "@" is never echoed: errors reach logs and answers, and it may hold
 * credentials.
 */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const shown = shownUrlValue(value);
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return `must be an http:// or https:// URL, got ${shown}`;
  // Paths are appended to the URL (/metrics, /metrics/job/…): after a query or fragment they would not be paths.
  if (value.includes('?') || value.includes('#')) return `must not have a ?query or #fragment (paths such as /metrics are appended to it), got ${shown}`;
  if (!decodes(url.username) || !decodes(url.password)) {
    return 'has a "%" in its user or password that is not percent-encoding: write "%" as "%25" (value not shown: it holds credentials)';
  }
  return undefined;
}

function decodes(component: string): boolean {
  try {
    decodeURIComponent(component);
    return true;
  } catch {
    return false;
  }
}
