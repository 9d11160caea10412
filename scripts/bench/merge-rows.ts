// Row 12 of `npm run bench` (docs/high-availability.md#sizing): what merging several Pushgateways
// costs a probe. The same 10,000 groups indexed as one snapshot, and split round-robin over three
// indexed apart and merged (lib/core/snapshot/merged-snapshot.ts); 1,000 services judged against
// each, on fresh snapshots every round (a probe's lookups after a read are cold: nothing of the
// index is materialized yet), one and three alternating so both see the same load.
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { serviceFromDefaults } from '../../lib/core/config/parse-service.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { mergeSnapshots } from '../../lib/core/snapshot/merged-snapshot.ts';
import type { Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { randomHashSeed } from '../../lib/edges/random-hash-seed.ts';
import { median, type Row } from './figures.ts';

const GROUPS = 10_000;
const SERVICES = 1000;
const GATEWAYS = 3;
const ROUNDS = 21;

/** Group `i` as Pushgateway renders it: its heartbeat, a counter, and its push time. */
function groupLines(i: number, now: number): string {
  const labels = `instance="svc${i}",job="heartbeat"`;
  return `loop_heartbeat_timestamp_seconds{${labels},service="svc${i}"} ${now - (i % 10)}\nloop_errors_total{${labels},service="svc${i}"} ${i % 7}\npush_time_seconds{${labels}} ${now - (i % 10)}\n`;
}

function bodies(now: number): { whole: string; parts: string[] } {
  const parts = Array.from({ length: GATEWAYS }, () => [] as string[]);
  const whole: string[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const lines = groupLines(i, now);
    whole.push(lines);
    parts[i % GATEWAYS]?.push(lines);
  }
  return { whole: whole.join(''), parts: parts.map((lines) => lines.join('')) };
}

export async function benchMerge(rows: Row[]): Promise<void> {
  const now = 1_800_000_000;
  const config = parseConfig('pushgateway_url: "http://unused:9091"\ndefaults:\n  freshness_threshold_seconds: 60\n');
  const services = Array.from({ length: SERVICES }, (_, i) => serviceFromDefaults(`svc${(i * 7919) % GROUPS}`, config.defaults));
  const { whole, parts } = bodies(now);
  const judgeAll = (snapshot: Snapshot) => {
    let up = 0;
    for (const service of services) if (evaluateProbe(config, snapshot, service, service.name, now).success) up += 1;
    if (up !== SERVICES) throw new Error(`merge bench: ${up} of ${SERVICES} services up`);
  };
  const one: number[] = [];
  const three: number[] = [];
  for (let round = 0; round < ROUNDS + 2; round++) {
    // Indexed outside the timing: the row times the lookups of a probe, not the reads.
    const single = indexSnapshot(whole, randomHashSeed());
    const merged = mergeSnapshots(parts.map((body) => indexSnapshot(body, randomHashSeed())));
    // CPU time, not wall time: on a shared, loaded host the process's own CPU time is what the lookups cost.
    const timed = (snapshot: Snapshot) => {
      const start = process.cpuUsage();
      judgeAll(snapshot);
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    };
    // Each goes first every other round, so neither always follows the other's garbage.
    let singleMs: number;
    let mergedMs: number;
    if (round % 2 === 0) {
      singleMs = timed(single);
      mergedMs = timed(merged);
    } else {
      mergedMs = timed(merged);
      singleMs = timed(single);
    }
    // The first two rounds warm the JIT.
    if (round >= 2) {
      one.push(singleMs);
      three.push(mergedMs);
    }
  }
  const oneMs = median(one);
  const threeMs = median(three);
  // The median of each round's ratio: a round slowed by the host slows both of its halves.
  const pairRatio = median(one.map((single, index) => (three[index] ?? Number.NaN) / single));
  rows.push({
    name: `12. ${SERVICES} probes' lookups after a read: ${GATEWAYS} Pushgateways merged vs one (same ${GROUPS / 1000}k groups split)`,
    measured: `${(threeMs * 1000 / SERVICES).toFixed(1)} µs/probe`, baseline: `${(oneMs * 1000 / SERVICES).toFixed(1)} µs/probe`,
    ratio: pairRatio, target: '—', met: undefined,
    raw: { oneMs, threeMs, ratioOfMedians: threeMs / oneMs, rounds: ROUNDS, services: SERVICES, groups: GROUPS, gateways: GATEWAYS },
  });
}
