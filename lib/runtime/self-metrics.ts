import type { MetricFamily, RenderedSample } from '../core/exposition/exposition-renderer.ts';
import type { ReadOutcome, ReadRecorder } from '../edges/cache/snapshot-source.ts';
import type { ProcessUsage } from '../edges/process-usage.ts';

/** Upper bounds of the Pushgateway read duration histogram, in seconds. */
export const READ_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type ReloadOutcome = 'success' | 'failure';

/**
 * What became of a check-in (docs/check-ins.md#metrics): a small fixed set, never the service
 * named, so a caller without a key cannot grow the series.
 */
export type CheckInResult = 'pushed' | 'invalid' | 'unauthorized' | 'unknown_service' | 'rate_limited' | 'push_failed' | 'unavailable' | 'error';

/** The signal a check-in asked for, or `none` when it was refused before its suffix was read. */
export type CheckInSignal = 'success' | 'start' | 'failure' | 'none';

/** The series shown from the first scrape, so rate() works at once; others appear when they first happen. */
const CHECK_IN_SERIES: readonly (readonly [CheckInSignal, CheckInResult])[] = [
  ...(['success', 'start', 'failure'] as const).flatMap((signal) =>
    (['pushed', 'push_failed', 'rate_limited', 'unknown_service'] as const).map((outcome) => [signal, outcome] as const)),
  ['none', 'invalid'], ['none', 'unauthorized'], ['none', 'unavailable'],
];

/**
 * The exporter's own metrics for `GET /metrics`, kept as plain counters in the process (a warm
 * Lambda container or the server) and rendered with the project's exposition code: the same
 * escaping and layout as the probes, and no second registry or dependency in the bundle.
 */
export class SelfMetrics implements ReadRecorder {
  /** Reads by Pushgateway (its URL redacted) and outcome, and whether its latest read succeeded. */
  private readonly reads = new Map<string, { readonly outcomes: Map<ReadOutcome, number>; up: boolean }>();
  private readonly readBuckets = new Array<number>(READ_DURATION_BUCKETS.length).fill(0);
  private readDurationSum = 0;
  private readCount = 0;
  private readonly reloads = new Map<ReloadOutcome, number>();
  private lastReloadSuccessful: boolean | undefined;
  /** By route; counted per probe, so no key is made per request. */
  private readonly probes = new Map<string, { success: number; failure: number }>();
  private snapshotLoadedAtMs: number | undefined;
  /** By `signal\u0000outcome`; undefined while no push key is configured (no `/ping` route, no series). */
  private checkIns: Map<string, number> | undefined;

  constructor(private readonly startTimeSeconds: number) {}

  /** Shows the check-in counter: called once when push keys are configured. */
  enableCheckIns(): void {
    this.checkIns ??= new Map(CHECK_IN_SERIES.map(([signal, outcome]) => [`${signal}\u0000${outcome}`, 0]));
  }

  recordCheckIn(signal: CheckInSignal, outcome: CheckInResult): void {
    if (this.checkIns === undefined) return;
    const key = `${signal}\u0000${outcome}`;
    this.checkIns.set(key, (this.checkIns.get(key) ?? 0) + 1);
  }

  recordRead(outcome: ReadOutcome, durationSeconds: number, loadedAtMs: number | undefined, pushgateway: string): void {
    let gateway = this.reads.get(pushgateway);
    if (gateway === undefined) {
      gateway = { outcomes: new Map(), up: false };
      this.reads.set(pushgateway, gateway);
    }
    gateway.outcomes.set(outcome, (gateway.outcomes.get(outcome) ?? 0) + 1);
    gateway.up = outcome === 'success';
    this.readCount += 1;
    this.readDurationSum += durationSeconds;
    READ_DURATION_BUCKETS.forEach((bound, index) => {
      if (durationSeconds <= bound) this.readBuckets[index] = (this.readBuckets[index] ?? 0) + 1;
    });
    if (loadedAtMs !== undefined) this.snapshotLoadedAtMs = loadedAtMs;
  }

  /** Forgets the Pushgateways not in `pushgateways` (redacted URLs): a config reload removed them (docs/high-availability.md#per-gateway-health). */
  keepPushgateways(pushgateways: readonly string[]): void {
    for (const known of this.reads.keys()) if (!pushgateways.includes(known)) this.reads.delete(known);
  }

  recordReload(outcome: ReloadOutcome): void {
    this.reloads.set(outcome, (this.reloads.get(outcome) ?? 0) + 1);
    this.lastReloadSuccessful = outcome === 'success';
  }

  recordProbe(route: string, success: boolean): void {
    let counts = this.probes.get(route);
    if (counts === undefined) this.probes.set(route, (counts = { success: 0, failure: 0 }));
    if (success) counts.success += 1;
    else counts.failure += 1;
  }

  /** Counts every outcome (zero included) so rate() works from the first scrape. */
  families(nowMs: number, usage: ProcessUsage): MetricFamily[] {
    const readOutcomes: ReadOutcome[] = ['success', 'unreachable', 'bad_response', 'timeout'];
    const bucketSamples: RenderedSample[] = READ_DURATION_BUCKETS.map((bound, index) => ({
      name: 'pushgateway_exporter_pushgateway_read_duration_seconds_bucket',
      labels: { le: String(bound) },
      value: this.readBuckets[index] ?? 0,
    }));
    const probeSamples: RenderedSample[] = [];
    for (const route of ['/probe', '/probes']) {
      for (const result of ['success', 'failure'] as const) {
        probeSamples.push({ labels: { route, result }, value: this.probes.get(route)?.[result] ?? 0 });
      }
    }
    return [
      {
        name: 'pushgateway_exporter_pushgateway_reads_total', help: 'Reads of each Pushgateway by outcome.', type: 'counter',
        samples: [...this.reads].flatMap(([pushgateway, gateway]) =>
          readOutcomes.map((outcome) => ({ labels: { pushgateway, outcome }, value: gateway.outcomes.get(outcome) ?? 0 }))),
      },
      {
        // One series per Pushgateway read since start (docs/high-availability.md#per-gateway-health): what PushgatewayDown alerts on.
        name: 'pushgateway_exporter_pushgateway_up', help: 'Whether the latest read of the Pushgateway succeeded.', type: 'gauge',
        samples: [...this.reads].map(([pushgateway, gateway]) => ({ labels: { pushgateway }, value: gateway.up ? 1 : 0 })),
      },
      {
        name: 'pushgateway_exporter_pushgateway_read_duration_seconds', help: 'Duration of Pushgateway reads.', type: 'histogram',
        samples: [
          ...bucketSamples,
          { name: 'pushgateway_exporter_pushgateway_read_duration_seconds_bucket', labels: { le: '+Inf' }, value: this.readCount },
          { name: 'pushgateway_exporter_pushgateway_read_duration_seconds_sum', value: this.readDurationSum },
          { name: 'pushgateway_exporter_pushgateway_read_duration_seconds_count', value: this.readCount },
        ],
      },
      {
        name: 'pushgateway_exporter_snapshot_age_seconds', help: 'Age of the newest Pushgateway snapshot held.', type: 'gauge',
        samples: this.snapshotLoadedAtMs === undefined ? [] : [{ value: (nowMs - this.snapshotLoadedAtMs) / 1000 }],
      },
      {
        name: 'pushgateway_exporter_config_reloads_total', help: 'Config loads by outcome.', type: 'counter',
        samples: (['success', 'failure'] as const).map((outcome) => ({ labels: { outcome }, value: this.reloads.get(outcome) ?? 0 })),
      },
      {
        name: 'pushgateway_exporter_config_last_reload_successful', help: 'Whether the last config load succeeded.', type: 'gauge',
        samples: this.lastReloadSuccessful === undefined ? [] : [{ value: this.lastReloadSuccessful ? 1 : 0 }],
      },
      { name: 'pushgateway_exporter_probes_total', help: 'Probes answered, by route and result.', type: 'counter', samples: probeSamples },
      ...(this.checkIns === undefined ? [] : [{
        name: 'pushgateway_exporter_check_ins_total', help: 'Check-ins answered, by signal and outcome.', type: 'counter' as const,
        samples: [...this.checkIns].map(([key, value]) => {
          const [signal = '', outcome = ''] = key.split('\u0000');
          return { labels: { signal, outcome }, value };
        }),
      }]),
      { name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', type: 'counter', samples: [{ value: usage.cpuSeconds }] },
      { name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', type: 'gauge', samples: [{ value: usage.residentBytes }] },
      { name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.', type: 'gauge', samples: [{ value: this.startTimeSeconds }] },
      { name: 'nodejs_heap_size_used_bytes', help: 'Process heap size used from Node.js in bytes.', type: 'gauge', samples: [{ value: usage.heapUsedBytes }] },
    ];
  }
}
