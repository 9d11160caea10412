// Narrowing parsed YAML or JSON (compose config, Prometheus answers, the dashboard model) to the
// shape a test reads, failing with what was expected where.
import assert from 'node:assert/strict';

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what} is not a mapping`);
  return value as Record<string, unknown>;
}

export function asList(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is not a list`);
  return value;
}

export function asString(value: unknown, what: string): string {
  assert.equal(typeof value, 'string', `${what} is not a string`);
  return value as string;
}
