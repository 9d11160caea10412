import type { Sample } from '../exposition/exposition-types.ts';
import { onePerSeries } from './series-identity.ts';
import { PUSH_TIME_METRIC, type PushGroup } from './snapshot.ts';

export function newestPushTime(samples: readonly Sample[]): number | undefined {
  let pushTimeSeconds: number | undefined;
  for (const sample of samples) {
    if (sample.name === PUSH_TIME_METRIC && (pushTimeSeconds === undefined || sample.value > pushTimeSeconds)) pushTimeSeconds = sample.value;
  }
  return pushTimeSeconds;
}

export function materializeGroup(job: string, instance: string, decoded: Sample[]): PushGroup {
  const samples = onePerSeries(decoded);
  return { job, instance, samples, pushTimeSeconds: newestPushTime(samples) };
}

/**
 * A group found by a lookup: a bounded window of its samples, and its samples of given metrics
 * found by name among all its lines, decoded once per name and kept.
 */
export class LookedUpGroup implements PushGroup {
  private readonly byName = new Map<string, readonly Sample[]>();
  private pushTime: { value: number | undefined } | undefined;
  private window: { samples: readonly Sample[]; truncated: boolean } | undefined;

  constructor(
    readonly job: string,
    readonly instance: string,
    private readonly decodeWindow: () => { samples: readonly Sample[]; truncated: boolean },
    private readonly find: (metrics: readonly string[]) => Sample[],
  ) {}

  get samples(): readonly Sample[] {
    this.window ??= this.decodeWindow();
    return this.window.samples;
  }

  get truncated(): boolean {
    this.window ??= this.decodeWindow();
    return this.window.truncated;
  }

  get pushTimeSeconds(): number | undefined {
    this.pushTime ??= { value: newestPushTime(this.named([PUSH_TIME_METRIC])) };
    return this.pushTime.value;
  }

  named(metrics: readonly string[]): readonly Sample[] {
    // One walk of the group for every name not looked up yet (push_time_seconds rides along: every probe wants it).
    const missing = [...new Set([...metrics, PUSH_TIME_METRIC])].filter((metric) => !this.byName.has(metric));
    if (missing.length > 0) {
      const found = onePerSeries(this.find(missing));
      for (const metric of missing) this.byName.set(metric, found.filter((sample) => sample.name === metric));
    }
    const wanted = [...new Set(metrics)];
    return wanted.length === 1 ? (this.byName.get(wanted[0] as string) as readonly Sample[]) : wanted.flatMap((metric) => this.byName.get(metric) as readonly Sample[]);
  }
}
