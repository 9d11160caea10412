/** Label names to values, in the order the exposition listed them. */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly value: number;
  readonly timestampMs: number | undefined;
  /** The metric family (from `# TYPE`/`# HELP`) the sample belongs to. */
  readonly family: string;
  /** The `job`, `instance` and `service` labels (also in `labels`). */
  readonly job: string | undefined;
  readonly instance: string | undefined;
  readonly service: string | undefined;
  /** Every label (a null-prototype object: any label name is a key like any other). */
  readonly labels: Labels;
}

export interface FamilyMetadata {
  readonly name: string;
  help: string | undefined;
  type: string | undefined;
}

export interface Exposition {
  readonly samples: Sample[];
  readonly families: Map<string, FamilyMetadata>;
}


export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
export const METRIC_TYPES: readonly string[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] satisfies MetricType[];
export const isMetricType = (type: string | undefined): type is MetricType => type !== undefined && METRIC_TYPES.includes(type);
