import type { FamilyMetadata, Sample } from '../exposition/exposition-types.ts';
import type { SlicedWork } from '../sliced-work.ts';

export const PUSH_TIME_METRIC = 'push_time_seconds';
export const PUSH_FAILURE_TIME_METRIC = 'push_failure_time_seconds';

/** Samples pushed under one Pushgateway grouping key, addressed by its `job` and `instance`. */
export interface PushGroup {
  readonly job: string;
  readonly instance: string;
  /**
   * One sample per series (metric name and label set): when a body repeats a series, its last line wins.
   * At most MAX_LOOKUP_SAMPLES lines and MAX_LOOKUP_BYTES of line text: a larger group keeps its last
   * lines and sets `truncated` (docs/probe-rules.md#pass-through).
   */
  readonly samples: readonly Sample[];
  /** Whether `samples` leaves out some of the group's lines. */
  readonly truncated?: boolean;
  /**
   * The samples of these metrics, found by name among all the group's lines however many other
   * series it holds (the same bound applies to each name). Absent: filter `samples`.
   */
  named?(metrics: readonly string[]): readonly Sample[];
  /** Pushgateway's `push_time_seconds` for the group, when it exposes one. */
  readonly pushTimeSeconds: number | undefined;
}

/** The group's samples of these metrics, whatever else it holds. */
export function samplesNamed(group: PushGroup, metrics: readonly string[]): readonly Sample[] {
  return group.named === undefined ? group.samples.filter((sample) => metrics.includes(sample.name)) : group.named(metrics);
}

/**
 * One read of the Pushgateway, indexed once so that each probe is a hash lookup: by group
 * (`job`, `instance`) and by the `service` label. Samples are decoded only when a probe asks
 * for them: a 60k-group snapshot is scanned once and mostly never materialized.
 */
export interface Snapshot {
  readonly groups: ReadonlyMap<string, PushGroup>;
  /**
   * Pushed samples labelled `service="<name>"`, in any group (one per series), bounded as a group's
   * `samples`; with `metric`, only that metric's, found by name among all of the service's lines.
   */
  samplesOfService(name: string, metric?: string): readonly Sample[];
  readonly families: ReadonlyMap<string, FamilyMetadata>;
  readonly sampleCount: number;
  /** Invalid lines left out of the snapshot, and why the first one is invalid (docs/operations.md#failure-modes). */
  readonly invalidLines?: number;
  readonly firstInvalidLine?: string | undefined;
  /**
   * Who pushed `metric`: each group under `job` holding it (name: the group's `instance`) and each
   * sample of it labelled `service` (name: the label), with the group it is in; a pusher may repeat.
   * Sliced work (lib/core/sliced-work.ts): at 60k groups it is seconds of CPU on a loaded host, and
   * the runtime runs it between other requests (docs/discovery.md#limits). Optional: without it,
   * discovery walks `groups` (lib/core/discovery/discovered-services.ts).
   */
  heartbeatPushers?(metric: string, job: string): SlicedWork<readonly HeartbeatPusher[]>;
}

/** A name that pushed a heartbeat metric, and the group (`job`, `instance`) it pushed it in. */
export interface HeartbeatPusher {
  readonly name: string;
  readonly job: string;
  readonly instance: string;
}

/** Groups or pushers handled between two slices of discovery's walks: tens of microseconds. */
export const PUSHER_STEP = 32;

/**
 * The heartbeat's pushers in `snapshot`: Snapshot.heartbeatPushers when the snapshot has it, else
 * a walk of its groups (the same answer, for snapshots built without an index).
 */
export function* heartbeatPushersOf(snapshot: Snapshot, metric: string, job: string): SlicedWork<readonly HeartbeatPusher[]> {
  if (snapshot.heartbeatPushers !== undefined) return yield* snapshot.heartbeatPushers(metric, job);
  const pushers: HeartbeatPusher[] = [];
  let steps = 0;
  for (const group of snapshot.groups.values()) {
    if (++steps % PUSHER_STEP === 0) yield;
    const samples = samplesNamed(group, [metric]);
    if (samples.length === 0) continue;
    const { instance } = group;
    if (group.job === job) pushers.push({ name: instance, job, instance });
    // `service=""` names nothing to probe (and is no label at all to the series it belongs to).
    for (const sample of samples) if (sample.service !== undefined && sample.service !== '') pushers.push({ name: sample.service, job: group.job, instance });
  }
  return pushers;
}

/** The key of `groups`: length-prefixed, so no job or instance text can make two groups share one. */
export function groupKey(job: string, instance: string): string {
  return `${job.length}:${job}${instance}`;
}

export function splitGroupKey(key: string): [job: string, instance: string] | undefined {
  const colon = key.indexOf(':');
  const size = Number(key.slice(0, colon));
  if (colon <= 0 || !Number.isSafeInteger(size) || size < 0 || colon + 1 + size > key.length) return undefined;
  return [key.slice(colon + 1, colon + 1 + size), key.slice(colon + 1 + size)];
}

/**
 * The most lines one lookup decodes, in count and in bytes of line text: a group (or a service's
 * samples) over it keeps its last lines. Pushgateway groups hold a few samples; the bounds keep a
 * probe's memory and time to a few MB and ms even when a pusher floods its own group with wide,
 * distinct series (docs/security-model.md). Lookups by metric name apply them to each name.
 */
export const MAX_LOOKUP_SAMPLES = 1000;
export const MAX_LOOKUP_BYTES = 64 * 1024;

const NONE: readonly Sample[] = [];

export const EMPTY_SNAPSHOT: Snapshot = {
  groups: new Map(),
  samplesOfService: () => NONE,
  families: new Map(),
  sampleCount: 0,
};
