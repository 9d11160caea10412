/** A span of time during which a service is expected to be silent. */
export interface MaintenanceWindow {
  /** Unix seconds, inclusive. */
  readonly fromSeconds: number;
  /** Unix seconds, exclusive. */
  readonly toSeconds: number;
}

// RFC 3339 date-time: an explicit offset is required, so a window means the same instant on every host.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Unix seconds of an RFC 3339 timestamp, or undefined when `text` is not one. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** The window `nowSeconds` falls in, if any. */
export function activeMaintenanceWindow<W extends MaintenanceWindow>(windows: readonly W[], nowSeconds: number): W | undefined {
  return windows.find((window) => nowSeconds >= window.fromSeconds && nowSeconds < window.toSeconds);
}
