import type { FamilyMetadata, Sample } from '../exposition/exposition-types.ts';
import { IndexView } from './index-view.ts';
import { byCodeUnits, sortedWork, type SlicedWork } from '../sliced-work.ts';
import { groupKey, heartbeatPushersOf, MAX_LOOKUP_SAMPLES, PUSHER_STEP, type HeartbeatPusher, type PushGroup, type Snapshot } from './snapshot.ts';

interface Winner {
  readonly index: number;
  readonly group: PushGroup;
}

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
 * - Heartbeat pushers (discovery): those of each group's winning copy, so a name is discovered
 *   exactly when it would be in one snapshot holding the merged groups.
 *
 * Pure: the parts are read, never changed. With one part, use that part itself.
 */
export function mergeSnapshots(parts: readonly Snapshot[]): Snapshot {
  const winner = (key: string): Winner | undefined => {
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
    heartbeatPushers: (metric, job) => mergedPushers(parts, winner, metric, job),
    sampleCount: parts.reduce((sum, part) => sum + part.sampleCount, 0),
    ...(invalidLines > 0 ? { invalidLines, firstInvalidLine } : {}),
  };
}

/**
 * The pushers of each group's winning copy. Each part's own walk, its pushers sorted by group (all
 * sliced: no Map of 60k groups rehashed in one turn), then one pass over the groups of all parts in
 * key order: when every part holding a group names the same pushers there, those are the answer
 * whoever wins (the usual case: every pusher reaches every Pushgateway), so push times are compared
 * only where the copies differ. A part holding the group without the heartbeat is found by one lookup.
 */
function* mergedPushers(parts: readonly Snapshot[], winner: (key: string) => Winner | undefined, metric: string, job: string): SlicedWork<readonly HeartbeatPusher[]> {
  const lists: Keyed[][] = [];
  let steps = 0;
  for (const part of parts) {
    const keyed: Keyed[] = [];
    for (const pusher of yield* heartbeatPushersOf(part, metric, job)) {
      if (++steps % PUSHER_STEP === 0) yield;
      keyed.push({ key: groupKey(pusher.job, pusher.instance), pusher });
    }
    lists.push(yield* sortedWork(keyed, byKey));
  }
  const pushers: HeartbeatPusher[] = [];
  const cursors = parts.map(() => 0);
  for (;;) {
    if (++steps % PUSHER_STEP === 0) yield;
    let key: string | undefined;
    lists.forEach((list, index) => {
      const next = list[cursors[index] as number]?.key;
      if (next !== undefined && (key === undefined || next < key)) key = next;
    });
    if (key === undefined) return pushers;
    // Each part's pushers in this group: lists[index][starts[index], cursors[index]).
    const starts = [...cursors];
    lists.forEach((list, index) => {
      let end = cursors[index] as number;
      while (list[end]?.key === key) end++;
      cursors[index] = end;
    });
    const copy = (index: number): HeartbeatPusher[] => (lists[index] ?? []).slice(starts[index], cursors[index]).map((keyed) => keyed.pusher);
    const first = cursors.findIndex((end, index) => end > (starts[index] as number));
    const named = copy(first);
    const agreed = cursors.every((end, index) => index === first
      || (end === starts[index] ? parts[index]?.groups.get(key as string) === undefined : sameNames(named, copy(index))));
    pushers.push(...(agreed ? named : copy(winner(key)?.index ?? first)));
  }
}

interface Keyed {
  readonly key: string;
  readonly pusher: HeartbeatPusher;
}

const byKey = (a: Keyed, b: Keyed): number => byCodeUnits(a.key, b.key);

/** Whether two copies of a group name the same pushers (their job and instance are the group's). */
function sameNames(a: readonly HeartbeatPusher[], b: readonly HeartbeatPusher[]): boolean {
  if (a.length === 1 && b.length === 1) return a[0]?.name === b[0]?.name;
  const names = new Set(a.map((pusher) => pusher.name));
  const theirs = new Set(b.map((pusher) => pusher.name));
  return names.size === theirs.size && [...names].every((name) => theirs.has(name));
}
