import type { ExporterConfig, ServiceConfig } from '../config/config-types.ts';
import { renderExposition } from '../exposition/exposition-renderer.ts';
import { lookUpProbe, type ProbeLookup } from '../probe/evaluate-probe.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { isAscii } from '../ascii-text.ts';
import { flatText } from '../flat-text.ts';
import { passThroughFamilies } from './probe-metrics.ts';

// What a warm `/probe` can keep between requests: everything of its answer that does not depend on
// the time it is judged at (docs/performance.md#the-warm-path). The heartbeat lookup, the group's key
// samples and the pass-through samples depend only on the snapshot, the config and the target; the
// pass-through families are the answer's last lines, kept rendered. The state, the ages and the
// durations are judged and rendered on every request, so a cached answer is byte for byte the one
// evaluateProbe and buildProbeMetrics give at any time (test/unit/probe-answer-cache.test.ts).

/** One target's part of every answer, for one snapshot and one config. */
export interface ProbeParts {
  readonly service: ServiceConfig;
  readonly snapshot: Snapshot;
  readonly lookup: ProbeLookup;
  /** The pass-through families in the text exposition format: the end of every answer. */
  readonly passThroughText: string;
  /** Whether that text is all ASCII, found once here so a warm answer is never scanned for its length. */
  readonly passThroughAscii: boolean;
}

interface Entry extends ProbeParts {
  readonly bytes: number;
}

/** Targets kept at most. */
export const PROBE_CACHE_MAX_ENTRIES = 10_000;
/** Estimated bytes kept at most (text, and the samples a lookup holds). */
export const PROBE_CACHE_MAX_BYTES = 8 * 1024 * 1024;
/** A longer target is answered, never kept. */
const MAX_TARGET_CHARS = 200;
/** An estimate of an entry's objects, and of one decoded sample with its labels. */
const ENTRY_BYTES = 512;
const SAMPLE_BYTES = 256;

/**
 * The parts of each target's answer, for the snapshot and the config in force. A new snapshot or
 * config drops every entry. Bounded in entries and bytes, oldest out first; an unlisted target
 * (`allow_unlisted_targets`) is kept only when the snapshot holds a group or heartbeat for it, so
 * a caller sending made-up targets adds nothing, and a snapshot's own groups are bounded by
 * `max_body_bytes`.
 */
export class ProbeAnswerCache {
  private config: ExporterConfig | undefined;
  private snapshot: Snapshot | undefined;
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  /** The parts kept for `target` under `config`, if any (of any snapshot: check `snapshot`). */
  find(config: ExporterConfig, target: string): ProbeParts | undefined {
    if (config !== this.config) this.reset(config, undefined);
    return this.entries.get(target);
  }

  /** Looks `target` up in `snapshot` (its `service` resolved under `config`) and keeps the parts when it may. */
  parts(config: ExporterConfig, snapshot: Snapshot, service: ServiceConfig, target: string): ProbeParts {
    if (config !== this.config || snapshot !== this.snapshot) this.reset(config, snapshot);
    const known = this.entries.get(target);
    if (known !== undefined && known.service === service) return known;
    const lookup = lookUpProbe(snapshot, service, target);
    // Kept flat: every answer ends with it, and a tree of pieces would be walked again per answer.
    const passThroughText = flatText(renderExposition(passThroughFamilies(lookup.passThrough, target, snapshot)));
    const bytes = ENTRY_BYTES + 2 * (target.length + passThroughText.length) + SAMPLE_BYTES * lookup.sampleCount;
    const entry: Entry = { service, snapshot, lookup, passThroughText, passThroughAscii: isAscii(passThroughText), bytes };
    const listed = config.services.get(target) === service;
    const found = lookup.primary !== undefined || lookup.group !== undefined;
    if (target.length <= MAX_TARGET_CHARS && (listed || found) && bytes <= PROBE_CACHE_MAX_BYTES) this.keep(target, entry);
    return entry;
  }

  /** Entries and estimated bytes kept (for tests). */
  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private keep(target: string, entry: Entry): void {
    const known = this.entries.get(target);
    if (known !== undefined) {
      this.entries.delete(target);
      this.bytes -= known.bytes;
    }
    this.entries.set(target, entry);
    this.bytes += entry.bytes;
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= PROBE_CACHE_MAX_ENTRIES && this.bytes <= PROBE_CACHE_MAX_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
    }
  }

  private reset(config: ExporterConfig, snapshot: Snapshot | undefined): void {
    this.config = config;
    this.snapshot = snapshot;
    this.entries.clear();
    this.bytes = 0;
  }
}
