import type { FamilyMetadata, Sample } from '../exposition/exposition-types.ts';
import { IndexView } from './index-view.ts';
import { groupKey, MAX_LOOKUP_SAMPLES, type PushGroup, type Snapshot } from './snapshot.ts';

/** A group without `push_time_seconds` loses to any that has one. */
const pushTime = (group: PushGroup): number => group.pushTimeSeconds ?? Number.NEGATIVE_INFINITY;

/**
 * Several Pushgateways' snapshots as one (docs/high-availability.md#how-gateways-are-merged): a
 * view, not a copy, so merging costs nothing until a probe looks something up, and each lookup is
 * K of the parts' own lookups.
 *
 * - A group (`job`, `instance`) is the one whose `push_time_seconds` is newest across the parts; on a
 *   tie, or when none has one, the first part (in `pushgateway_url` order) that holds it.
 * - A service's labelled samples are each part's, kept only for the groups whose part wins, so one
 *   series never comes from two Pushgateways; past MAX_LOOKUP_SAMPLES the last are kept, as in one part.
 * - Families: the first part's metadata of each name.
 *
 * Pure: the parts are read, never changed. With one part, use that part itself.
 */
export function mergeSnapshots(parts: readonly Snapshot[]): Snapshot {
  const winner = (key: string): { readonly index: number; readonly group: PushGroup } | undefined => {
    let best: { index: number; group: PushGroup } | undefined;
    parts.forEach((part, index) => {
      const group = part.groups.get(key);
      if (group !== undefined && (best === undefined || pushTime(group) > pushTime(best.group))) best = { index, group };
    });
    return best;
  };
  const allGroups = (): [string, PushGroup][] => {
    const keys = new Set<string>();
    for (const part of parts) for (const key of part.groups.keys()) keys.add(key);
    return [...keys].map((key) => [key, winner(key)?.group as PushGroup]);
  };
  const groups = new IndexView<PushGroup>((key) => winner(key)?.group, () => allGroups().length, allGroups);

  const allFamilies = (): [string, FamilyMetadata][] => {
    const merged = new Map<string, FamilyMetadata>();
    for (const part of parts) for (const [name, family] of part.families) if (!merged.has(name)) merged.set(name, family);
    return [...merged];
  };
  const families = new IndexView<FamilyMetadata>(
    (name) => {
      for (const part of parts) {
        const family = part.families.get(name);
        if (family !== undefined) return family;
      }
      return undefined;
    },
    () => allFamilies().length,
    allFamilies,
  );

  const samplesOfService = (name: string, metric?: string): readonly Sample[] => {
    const kept: Sample[] = [];
    const winners = new Map<string, number | undefined>();
    parts.forEach((part, index) => {
      for (const sample of part.samplesOfService(name, metric)) {
        const key = groupKey(sample.job ?? '', sample.instance ?? '');
        if (!winners.has(key)) winners.set(key, winner(key)?.index);
        // A sample outside any group this part holds (none in a Pushgateway body) is its part's own.
        const wins = winners.get(key);
        if (wins === undefined || wins === index) kept.push(sample);
      }
    });
    return kept.length > MAX_LOOKUP_SAMPLES ? kept.slice(kept.length - MAX_LOOKUP_SAMPLES) : kept;
  };

  let invalidLines = 0;
  let firstInvalidLine: string | undefined;
  for (const part of parts) {
    invalidLines += part.invalidLines ?? 0;
    firstInvalidLine ??= part.firstInvalidLine;
  }
  return {
    groups,
    families,
    samplesOfService,
    sampleCount: parts.reduce((sum, part) => sum + part.sampleCount, 0),
    ...(invalidLines > 0 ? { invalidLines, firstInvalidLine } : {}),
  };
}
