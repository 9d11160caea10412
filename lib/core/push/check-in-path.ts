// What every request needs of check-ins (docs/check-ins.md): whether its path is one, that path
// redacted for the log, and a body's size; the rest (./check-in.ts) loads with the check-in route.

export const CHECK_IN_PREFIX = '/ping/';

export const isCheckInPath = (path: string): boolean => path.startsWith(CHECK_IN_PREFIX);

/**
 * How a path segment spells `ping`, in any case, percent-encoded or not: `whole`, or `leading` when
 * more follows it that is no letter or digit (`ping;x`, `ping%2Fkey`, which a key may follow).
 */
function spellsPing(segment: string): 'whole' | 'leading' | undefined {
  if (segment.length < 4) return undefined;
  let text = segment;
  if (segment.includes('%')) {
    try {
      text = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  const lower = text.toLowerCase();
  if (lower === 'ping') return 'whole';
  return lower.startsWith('ping') && !/[a-z0-9]/.test(lower.charAt(4)) ? 'leading' : undefined;
}

const isDotOrEmpty = (segment: string | undefined): boolean => segment === '' || segment === '.' || segment === '..';

/**
 * Any path as logs and answers may show it, so a push key never reaches a log line. In a check-in
 * path as routed (`/ping/<key>/…`), the segment after `/ping/` (the key, or in the header form the
 * service) is replaced. A near miss (`//ping/…`, `/./ping/…`, `/%70ing/…`, `/PING/…`, `/ping//…`:
 * a base URL with a trailing slash, or a typo) is a 404 whose key may sit in any later segment:
 * everything after its `ping` is replaced.
 */
export function redactCheckInPath(path: string): string {
  const segments = path.split('/');
  const ping = segments.findIndex((segment) => spellsPing(segment) !== undefined);
  if (ping === -1) return path;
  // `ping` with more in its own segment: that more, and all after it, may hold the key.
  if (spellsPing(segments[ping] as string) === 'leading') return [...segments.slice(0, ping), '<redacted>'].join('/');
  if (ping === segments.length - 1) return path;
  const key = ping + 1;
  const routed = ping === 1 && path.startsWith(CHECK_IN_PREFIX) && !isDotOrEmpty(segments[key]);
  return [...segments.slice(0, key), '<redacted>', ...(routed ? segments.slice(key + 1) : [])].join('/');
}

/**
 * How many bytes a body of `length` characters holds: base64 text decodes to three bytes per four
 * characters, less its padding. Counts only, never decodes.
 */
export function base64ByteLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}
