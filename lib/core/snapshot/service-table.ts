import { viewOf } from '../exposition/byte-scanning.ts';
import { KEY_SERVICE, keyBit, keyLabelsAt } from '../exposition/key-labels.ts';
import { newScannedSample, type ScannedSample } from '../exposition/scanned-line.ts';
import { keepShape } from '../shape-anchors.ts';
import type { SlicedWork } from '../sliced-work.ts';
import { hashBytes } from './byte-hash.ts';
import { bucketsFor, KeyedLines, type KeyMatcher } from './keyed-lines.ts';
import { sameLabelsAt, sameValue } from './label-text.ts';
import { ServiceLines } from './service-lines.ts';
import type { SnapshotSlot } from './snapshot-slot.ts';

const SERVICE_KEY = keyBit(KEY_SERVICE);
/** Lines added between two yields: a few tens of microseconds of work. */
const LINES_PER_STEP = 256;

/**
 * Builds the slot's `service` table (step 2 of the heartbeat lookup, docs/probe-rules.md) from the
 * lines the read noted (`slot.serviceLines`), as the read itself used to: most probes find their
 * heartbeat in their own group and never need it, so a read does not pay for it
 * (docs/performance.md). Linear in the body: one hash and one table insert per noted line, with the
 * same key comparisons the read made. Yields every few hundred lines.
 */
export function* buildServiceTable(slot: SnapshotSlot, bytes: Buffer, base: number): SlicedWork<void> {
  const lines = slot.serviceLines;
  const services = slot.services;
  services.reset(bucketsFor(bytes.length, 256));
  const matcher = new ServiceMatcher(bytes, services, lines);
  for (let line = 0; line < lines.count; line++) {
    matcher.line = line;
    services.add(hashBytes(bytes, lines.serviceStart(line), lines.serviceEnd(line), base), lines.lineStart(line), 0, matcher, lines.labelsAt(line));
    if ((line + 1) % LINES_PER_STEP === 0) yield;
  }
}

/** Whether an earlier line of the service table has the `service` of noted line `line`, the line being added. */
class ServiceMatcher implements KeyMatcher {
  line = 0;
  private readonly other: ScannedSample = newScannedSample();
  private readonly view: DataView;

  constructor(private readonly bytes: Buffer, private readonly services: KeyedLines, private readonly lines: ServiceLines) {
    this.view = viewOf(bytes);
  }

  sameKey(_kind: number, entry: number, mark: number): boolean {
    const bytes = this.bytes;
    const lines = this.lines;
    const line = this.line;
    const serviceStart = lines.serviceStart(line);
    const serviceEnd = lines.serviceEnd(line);
    // Most lines of a service repeat its label text up to its value (Pushgateway sorts labels). The
    // mark is where the earlier line's label set starts: no scan of its metric name.
    if (sameLabelsAt(this.view, mark, lines.labelsAt(line), serviceEnd + 1)) return true;
    keyLabelsAt(bytes, this.services.line.get(entry), this.other, SERVICE_KEY);
    return sameValue(bytes, this.other.serviceStart, this.other.serviceEnd, serviceStart, serviceEnd);
  }
}

// A build's matcher dies with the build: one kept, so its maps survive a full collection (lib/core/shape-anchors.ts).
keepShape(new ServiceMatcher(Buffer.alloc(0), new KeyedLines(true), new ServiceLines()));
