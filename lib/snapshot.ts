import type { Exposition, FamilyMetadata, Sample } from './exposition-parser.ts';

/** Samples pushed under one Pushgateway grouping key, addressed by its `job` and `instance`. */
export interface PushGroup {
  readonly job: string;
  readonly instance: string;
  readonly samples: Sample[];
  /** Pushgateway's `push_time_seconds` for the group, when it exposes one. */
  pushTimeSeconds: number | undefined;
}

/**
 * One read of the Pushgateway, indexed once so that each probe is a map lookup:
 * by group (`job`, `instance`) and by the `service` label.
 */
export interface Snapshot {
  readonly groups: ReadonlyMap<string, PushGroup>;
  /** Every pushed sample carrying `service="<name>"`, by name. */
  readonly byService: ReadonlyMap<string, readonly Sample[]>;
  readonly families: ReadonlyMap<string, FamilyMetadata>;
  readonly sampleCount: number;
}

export const PUSH_TIME_METRIC = 'push_time_seconds';
export const PUSH_FAILURE_TIME_METRIC = 'push_failure_time_seconds';

export function groupKey(job: string, instance: string): string {
  return `${job}\u0000${instance}`;
}

export function indexSnapshot(exposition: Exposition): Snapshot {
  const groups = new Map<string, PushGroup>();
  const byService = new Map<string, Sample[]>();
  for (const sample of exposition.samples) {
    const job = sample.labels.job;
    // Pushgateway's own metrics carry no job label; everything pushed does.
    if (job === undefined) continue;
    const instance = sample.labels.instance ?? '';
    const key = groupKey(job, instance);
    let group = groups.get(key);
    if (group === undefined) {
      group = { job, instance, samples: [], pushTimeSeconds: undefined };
      groups.set(key, group);
    }
    if (sample.name === PUSH_TIME_METRIC) {
      group.pushTimeSeconds = Math.max(group.pushTimeSeconds ?? Number.NEGATIVE_INFINITY, sample.value);
    }
    group.samples.push(sample);
    const service = sample.labels.service;
    if (service !== undefined) {
      const list = byService.get(service);
      if (list === undefined) byService.set(service, [sample]);
      else list.push(sample);
    }
  }
  return { groups, byService, families: exposition.families, sampleCount: exposition.samples.length };
}

export const EMPTY_SNAPSHOT: Snapshot = {
  groups: new Map(),
  byService: new Map(),
  families: new Map(),
  sampleCount: 0,
};
