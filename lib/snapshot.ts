import { sampleOfLine, scanExposition, type FamilyMetadata, type Sample } from './exposition-parser.ts';

export const PUSH_TIME_METRIC = 'push_time_seconds';
export const PUSH_FAILURE_TIME_METRIC = 'push_failure_time_seconds';

/** Samples pushed under one Pushgateway grouping key, addressed by its `job` and `instance`. */
export interface PushGroup {
  readonly job: string;
  readonly instance: string;
  readonly samples: readonly Sample[];
  /** Pushgateway's `push_time_seconds` for the group, when it exposes one. */
  readonly pushTimeSeconds: number | undefined;
}

/**
 * One read of the Pushgateway, indexed once so that each probe is a map lookup: by group
 * (`job`, `instance`) and by the `service` label. Samples are decoded only when a probe asks
 * for them: a 10k-group snapshot is scanned once and mostly never materialized.
 */
export interface Snapshot {
  readonly groups: ReadonlyMap<string, PushGroup>;
  /** Every pushed sample labelled `service="<name>"`, in any group. */
  samplesOfService(name: string): readonly Sample[];
  readonly families: ReadonlyMap<string, FamilyMetadata>;
  readonly sampleCount: number;
}

export function groupKey(job: string, instance: string): string {
  return `${job}\u0000${instance}`;
}

/** Lines of the snapshot text remembered by position, decoded into samples on first use. */
class LazySamples {
  /** start, end of each line */
  private readonly positions: number[] = [];
  private readonly families: (FamilyMetadata | undefined)[] = [];
  private decoded: Sample[] | undefined;

  constructor(private readonly text: string) {}

  add(start: number, end: number, family: FamilyMetadata | undefined): void {
    this.positions.push(start, end);
    this.families.push(family);
  }

  get samples(): readonly Sample[] {
    if (this.decoded === undefined) {
      const decoded: Sample[] = [];
      for (let k = 0; k < this.families.length; k++) {
        decoded.push(sampleOfLine(this.text, this.positions[2 * k] as number, this.positions[2 * k + 1] as number, this.families[k]));
      }
      this.decoded = decoded;
    }
    return this.decoded;
  }
}

class LazyGroup extends LazySamples implements PushGroup {
  constructor(
    readonly job: string,
    readonly instance: string,
    text: string,
  ) {
    super(text);
  }

  get pushTimeSeconds(): number | undefined {
    let newest: number | undefined;
    for (const sample of this.samples) {
      if (sample.name === PUSH_TIME_METRIC && (newest === undefined || sample.value > newest)) newest = sample.value;
    }
    return newest;
  }
}

const NONE: readonly Sample[] = [];

/** Scans Pushgateway's `/metrics` text (validating every line) and indexes it by group and service. */
export function indexSnapshot(text: string): Snapshot {
  // job → instance → group: two lookups per line, and no key string built for each.
  const byJob = new Map<string, Map<string, LazyGroup>>();
  const groups = new Map<string, LazyGroup>();
  const services = new Map<string, LazySamples>();
  let sampleCount = 0;
  const families = scanExposition(text, (line) => {
    sampleCount += 1;
    const job = line.job;
    // Pushgateway's own metrics carry no job label; everything pushed does.
    if (job === undefined) return;
    const instance = line.instance ?? '';
    let instances = byJob.get(job);
    if (instances === undefined) byJob.set(job, (instances = new Map()));
    let group = instances.get(instance);
    if (group === undefined) {
      group = new LazyGroup(job, instance, text);
      instances.set(instance, group);
      groups.set(groupKey(job, instance), group);
    }
    group.add(line.start, line.lineEnd, line.familyContext);
    if (line.service !== undefined) {
      let service = services.get(line.service);
      if (service === undefined) services.set(line.service, (service = new LazySamples(text)));
      service.add(line.start, line.lineEnd, line.familyContext);
    }
  });
  return {
    groups,
    samplesOfService: (name) => services.get(name)?.samples ?? NONE,
    families,
    sampleCount,
  };
}

export const EMPTY_SNAPSHOT: Snapshot = {
  groups: new Map(),
  samplesOfService: () => NONE,
  families: new Map(),
  sampleCount: 0,
};
