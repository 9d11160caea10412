import type { FamilyMetadata, Sample } from '../exposition/exposition-types.ts';
import { MAX_LOOKUP_BYTES, type PushGroup } from './snapshot.ts';

export type Materialized = PushGroup | readonly Sample[] | FamilyMetadata | null;

/**
 * What lookups decoded, kept for the snapshot's life up to a bound: warm probes skip decoding,
 * and a stream of lookups (unlisted targets, /probes over thousands of services) cannot grow the
 * heap past it. Oldest out first.
 */
export class MaterializedCache {
  private static readonly MAX_ENTRIES = 4096;
  private static readonly MAX_SAMPLES = 20_000;
  /** Line text behind the cached samples: a few lookups at the byte bound, a few MB of objects. */
  private static readonly MAX_BYTES = 4 * MAX_LOOKUP_BYTES;
  private bytes = 0;
  private readonly entries = new Map<string, { value: Materialized; weight: number; bytes: number }>();
  private weight = 0;

  get(key: string): Materialized | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: string, value: Materialized, samples: number, bytes = 0): void {
    const weight = samples + 1;
    const known = this.entries.get(key);
    if (known !== undefined) {
      // A group weighed again once its samples are decoded.
      this.entries.delete(key);
      this.weight -= known.weight;
      this.bytes -= known.bytes;
    }
    if (weight > MaterializedCache.MAX_SAMPLES || bytes > MaterializedCache.MAX_BYTES) return;
    this.entries.set(key, { value, weight, bytes });
    this.weight += weight;
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= MaterializedCache.MAX_ENTRIES && this.weight <= MaterializedCache.MAX_SAMPLES && this.bytes <= MaterializedCache.MAX_BYTES) break;
      this.entries.delete(oldest);
      this.weight -= entry.weight;
      this.bytes -= entry.bytes;
    }
  }
}
