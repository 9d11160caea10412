// The metric-name rule of the text exposition format, which heartbeat_metric, ok_when metrics and
// pushed names follow (docs/configuration.md).
// (The exposition scanner checks the same rule byte by byte, for speed.)
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_PATTERN.test(name);
}
