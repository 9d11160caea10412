// Name patterns of the Prometheus data model: https://prometheus.io/docs/concepts/data_model/
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_PATTERN.test(name);
}

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_PATTERN.test(name);
}
