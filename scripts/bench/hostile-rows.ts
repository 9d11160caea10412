// Row 11 of `npm run bench`: parse+index time per byte of the hostile body shapes against a
// Pushgateway-shaped body, each measured in several node processes of their own
// (docs/performance.md#what-each-row-means).
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { randomHashSeed } from '../../lib/edges/random-hash-seed.ts';
import { BODY_SHAPES, hostileBody } from '../../test/support/hostile-bodies.ts';
import { alternatingRounds } from './alternating-rounds.ts';
import { median, ms, perRoundRatio, type Row } from './figures.ts';
import { howItEnded } from './side-spawner.ts';

const SIZE = 1024 * 1024;
/**
 * Processes the row is measured in. One process's ratio for a shape differs from the next one's by
 * up to about 15%, while its own rounds agree far more closely (docs/performance.md#where-each-row-stands):
 * the median of several processes is the figure, not the luck of one.
 */
const PROCESSES = 5;
const ONE_PROCESS = '--hostile-shapes-once';
/** The line of a child's stdout that carries its figures (anything else it prints is left aside). */
const FIGURES_LINE = 'row 11 figures: ';
/** Untimed indexes of the plain body before the first shape: a new process's first calls run unoptimized. */
const PLAIN_WARM_UP = 10;
/** A child still running after this long is ended: a stuck process must not hang the bench. */
const CHILD_TIMEOUT_MS = 300_000;

/** One shape's figures in one process: the per-byte ratio (median of per-round ratios) and the medians of each side, ms. */
interface ShapeFigures {
  readonly ratio: number;
  readonly hostileMs: number;
  readonly plainMs: number;
}

/**
 * Indexes `body` into `slot` as a read refills the slot it keeps (lib/core/snapshot/snapshot-memory.ts):
 * the tables' memory is reused, not allocated anew. With a new slot per call, the plain side's
 * rounds paid for collecting the memory the hostile side had just allocated (docs/performance.md).
 */
function indexInto(slot: SnapshotSlot, body: Buffer): void {
  indexSnapshot(body, randomHashSeed(), { slot });
}

/** Every hostile shape measured against the plain one in this process, in BODY_SHAPES order. */
function measureShapes(): Record<string, ShapeFigures> {
  const plain = Buffer.from(hostileBody('plain', SIZE));
  const plainSlot = new SnapshotSlot();
  const hostileSlot = new SnapshotSlot();
  // The plain side of the first shape's rounds would otherwise run colder than the next shapes'.
  for (let i = 0; i < PLAIN_WARM_UP; i++) indexInto(plainSlot, plain);
  const figures: Record<string, ShapeFigures> = {};
  for (const shape of BODY_SHAPES.filter((name) => name !== 'plain')) {
    const body = Buffer.from(hostileBody(shape, SIZE));
    const indexPlain = () => indexInto(plainSlot, plain);
    const indexHostile = () => indexInto(hostileSlot, body);
    // As row 4: both compiled for this shape before any round counts (a new shape takes code paths
    // the last did not, and its first calls run unoptimized), then rounds alternating which goes
    // first, and the median of the per-round ratios: both sides of a round see the same machine.
    for (let i = 0; i < 3; i++) { indexPlain(); indexHostile(); }
    const [plainTimes, hostileTimes] = alternatingRounds(15, indexPlain, indexHostile);
    // Per byte: the sizes are the same in every round, so they scale the median of the ratios.
    figures[shape] = { ratio: (perRoundRatio(hostileTimes, plainTimes) * plain.length) / body.length, hostileMs: median(hostileTimes), plainMs: median(plainTimes) };
  }
  return figures;
}

/** `measureShapes` in a new node process (this file, run with the bench's own flags). */
function measureShapesInProcess(): Record<string, ShapeFigures> {
  const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ONE_PROCESS], { maxBuffer: 1024 * 1024, timeout: CHILD_TIMEOUT_MS });
  if (result.error !== undefined) throw new Error(`row 11's process failed: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`row 11's process failed (${howItEnded(result)}): ${result.stderr.toString().trim()}`);
  const line = result.stdout.toString().split('\n').find((text) => text.startsWith(FIGURES_LINE));
  if (line === undefined) throw new Error(`row 11's process printed no figures: ${JSON.stringify(result.stdout.toString().slice(0, 200))}`);
  return JSON.parse(line.slice(FIGURES_LINE.length)) as Record<string, ShapeFigures>;
}

/** Row 11: per shape, the median over PROCESSES processes; the worst shape by that median. */
export function benchHostile(rows: Row[]): void {
  const runs = Array.from({ length: PROCESSES }, measureShapesInProcess);
  let worst = { shape: '', ratio: 0, hostileMs: 0, plainMs: 0 };
  const perShape: Record<string, number> = {};
  const perProcess: Record<string, number[]> = {};
  for (const shape of Object.keys(runs[0] ?? {})) {
    const of = (pick: (figures: ShapeFigures) => number) => runs.map((run) => pick(run[shape] as ShapeFigures));
    const ratios = of((figures) => figures.ratio);
    const ratio = median(ratios);
    perShape[shape] = ratio;
    perProcess[shape] = ratios;
    if (ratio > worst.ratio) worst = { shape, ratio, hostileMs: median(of((figures) => figures.hostileMs)), plainMs: median(of((figures) => figures.plainMs)) };
  }
  console.log(`row 11, each shape's ratio in each of ${PROCESSES} processes: ${Object.entries(perProcess).map(([shape, ratios]) => `${shape} ${ratios.map((ratio) => ratio.toFixed(2)).join('/')}`).join('; ')}`);
  rows.push({
    name: `11. parse+index per byte, worst hostile shape (${worst.shape}) vs Pushgateway-shaped, 1 MiB each, median of ${PROCESSES} processes`,
    measured: ms(worst.hostileMs), baseline: ms(worst.plainMs), ratio: worst.ratio, target: '≤ 3×', met: worst.ratio <= 3,
    raw: { ...perShape, ...Object.fromEntries(Object.entries(perProcess).map(([shape, ratios]) => [`${shape}:perProcess`, ratios])) },
  });
}

if (process.argv[2] === ONE_PROCESS && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${FIGURES_LINE}${JSON.stringify(measureShapes())}\n`);
}
