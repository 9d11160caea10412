/**
 * Text from a caller, a pusher or a config for a one-line message: cut to `maxChars` (an ellipsis
 * marks the cut), so a 10 KB value cannot flood an answer or a log line.
 */
export function clip(value: string, maxChars: number): string {
  return value.length > maxChars ? `${value.slice(0, maxChars)}…` : value;
}

/**
 * Clipped and JSON-quoted: quotes, control characters and the two JavaScript line separators are
 * escaped, so the value can never break the line it is shown in.
 */
export function quote(value: string, maxChars = 80): string {
  return jsonQuoted(clip(value, maxChars));
}

/** The whole value JSON-quoted, U+2028 and U+2029 escaped too (JSON leaves them raw): it stays on its line. */
export function jsonQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
