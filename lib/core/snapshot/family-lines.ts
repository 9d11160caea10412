import { lineEndOf } from '../exposition/byte-scanning.ts';
import type { FamilyMetadata } from '../exposition/exposition-types.ts';
import { metadataAt, metadataNameEnd, metadataNameStart } from '../exposition/metadata-lines.ts';
import { keepShape } from '../shape-anchors.ts';
import type { SlicedWork } from '../sliced-work.ts';
import { hashBytes } from './byte-hash.ts';
import { bucketsFor, KeyedLines, NO_MARK, type KeyMatcher } from './keyed-lines.ts';
import { sameValue } from './label-text.ts';
import type { SnapshotSlot } from './snapshot-slot.ts';

// A snapshot's `# HELP` and `# TYPE` lines, read from the body through the slot's two metadata
// tables (keyed by the family name's hash): what IndexedSnapshot.families answers. The read only
// notes the lines, in body order (what a sample's family is, `lastBefore`, needs no more); the
// tables are keyed after it (buildFamilyTables), when a probe first asks for a family's HELP or
// TYPE or in the background.

/** Noted lines keyed between two yields: a few tens of microseconds of work. */
const LINES_PER_STEP = 256;
/**
 * Buckets: one per four noted lines (the bucket's tag spares most new names the walk of its chain,
 * keyed-lines.ts), but at most one per 128 body bytes, as many as the read itself gave these
 * tables before it left them for later: a body of nothing but short HELP lines holds no more.
 */
const LINES_PER_BUCKET = 4;
const BODY_BYTES_PER_BUCKET = 128;

/**
 * Keys the slot's noted HELP and TYPE lines by family name, as the read itself used to: a
 * Pushgateway body has two such lines a family, but a pushed body of one family per sample has one
 * every other line, and the read would hash and insert each (docs/performance.md). Linear in
 * the noted lines: one hash of the name and one table insert each. Yields every few hundred lines.
 */
export function* buildFamilyTables(slot: Pick<SnapshotSlot, 'helps' | 'types'>, bytes: Buffer, base: number): SlicedWork<void> {
  for (const table of [slot.helps, slot.types]) {
    table.startLinking(Math.min(bucketsFor(table.entries, LINES_PER_BUCKET), bucketsFor(bytes.length, BODY_BYTES_PER_BUCKET)));
    const matcher = new NameMatcher(bytes, table);
    for (let entry = 0; entry < table.entries; entry++) {
      const nameStart = metadataNameStart(bytes, table.line.get(entry));
      const nameEnd = metadataNameEnd(bytes, nameStart);
      matcher.nameStart = nameStart;
      matcher.nameEnd = nameEnd;
      table.link(entry, hashBytes(bytes, nameStart, nameEnd, base), 0, matcher, NO_MARK);
      if ((entry + 1) % LINES_PER_STEP === 0) yield;
    }
  }
}

/** Whether an earlier line of a family table names the family `[nameStart, nameEnd)`, that of the line being linked. */
class NameMatcher implements KeyMatcher {
  nameStart = 0;
  nameEnd = 0;

  constructor(private readonly bytes: Buffer, private readonly table: KeyedLines) {}

  sameKey(_kind: number, entry: number): boolean {
    const start = metadataNameStart(this.bytes, this.table.line.get(entry));
    return sameValue(this.bytes, start, metadataNameEnd(this.bytes, start), this.nameStart, this.nameEnd);
  }
}

// A build's matcher dies with the build: one kept, so its maps survive a full collection (lib/core/shape-anchors.ts).
keepShape(new NameMatcher(Buffer.alloc(0), new KeyedLines(false)));

/** The family name of the HELP or TYPE line starting at `metadataLine`. */
export function familyNameAt(body: Buffer, metadataLine: number): string {
  const nameStart = metadataNameStart(body, metadataLine);
  return body.toString('latin1', nameStart, metadataNameEnd(body, nameStart));
}

/** The newest HELP and TYPE of family `name` (`base`: the slot's hash seed), or undefined when it has neither. */
export function familyNamed(body: Buffer, slot: Pick<SnapshotSlot, 'helps' | 'types'>, base: number, name: string): FamilyMetadata | undefined {
  const raw = Buffer.from(name, 'utf8');
  const hash = hashBytes(raw, 0, raw.length, base);
  const newest = (table: KeyedLines): string | undefined => {
    const entry = table.newest(hash, (candidate) => {
      const nameStart = metadataNameStart(body, table.line.get(candidate));
      const nameEnd = metadataNameEnd(body, nameStart);
      return nameEnd - nameStart === raw.length && body.compare(raw, 0, raw.length, nameStart, nameEnd) === 0;
    });
    if (entry === -1) return undefined;
    const line = table.line.get(entry);
    return metadataAt(body, line, lineEndOf(body, line)).text;
  };
  const help = newest(slot.helps);
  const type = newest(slot.types);
  return help === undefined && type === undefined ? undefined : { name, help, type };
}

/** The names of every family with a HELP or TYPE line, each once, HELP lines' first, in body order. */
export function familyNames(body: Buffer, slot: Pick<SnapshotSlot, 'helps' | 'types'>): string[] {
  const names = new Set<string>();
  for (const table of [slot.helps, slot.types]) {
    for (const entry of table.allKeys().sort((a, b) => table.line.get(a) - table.line.get(b))) names.add(familyNameAt(body, table.line.get(entry)));
  }
  return [...names];
}
