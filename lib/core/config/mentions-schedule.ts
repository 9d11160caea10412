/**
 * Whether plain config data (as parseConfigYaml returns it) has a key named `schedule` anywhere.
 * Validation compiles a schedule only where a service sets that key, so data for which this is
 * false never needs croner (docs/deploying.md#cold-start); a `schedule` key elsewhere only loads
 * croner for nothing.
 */
export function mentionsSchedule(raw: unknown): boolean {
  const pending: unknown[] = [raw];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    if (Object.hasOwn(value, 'schedule')) return true;
    pending.push(...Object.values(value));
  }
  return false;
}
