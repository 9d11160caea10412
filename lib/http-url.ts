/**
 * Why `value` is not an http:// or https:// URL, or undefined when it is one. A value with "@"
 * is never echoed: errors reach logs and answers, and it may hold credentials.
 */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:')) return undefined;
  const shown = value.includes('@') ? 'a value with "@" (not shown: it may hold credentials)' : JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return `must be an http:// or https:// URL, got ${shown}`;
}
