// Name pattern of the Prometheus data model: https://prometheus.io/docs/concepts/data_model/
// (The exposition parser checks the same rule character by character, for speed.)
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_PATTERN.test(name);
}
