// What every request needs of check-ins (docs/check-ins.md): whether its path is one, that path
// redacted for the log, and a body's size; the rest (./check-in.ts) loads with the check-in route.

export const CHECK_IN_PREFIX = '/ping/';

export const isCheckInPath = (path: string): boolean => path.startsWith(CHECK_IN_PREFIX);

/**
 * A check-in path as logs may show it: the segment after `/ping/` (the key, or in the header form
 * the service) is replaced, whatever the form, so a key never reaches a log line.
 */
export function redactCheckInPath(path: string): string {
  if (!isCheckInPath(path)) return path;
  const rest = path.slice(CHECK_IN_PREFIX.length);
  const slash = rest.indexOf('/');
  return `${CHECK_IN_PREFIX}<redacted>${slash === -1 ? '' : rest.slice(slash)}`;
}

/**
 * How many bytes a body of `length` characters holds: base64 text decodes to three bytes per four
 * characters, less its padding. Counts only, never decodes.
 */
export function base64ByteLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}
