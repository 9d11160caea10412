/** Whether a parsed value (JSON, YAML, a Lambda event) is an object of named fields: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
