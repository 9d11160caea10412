import { lineEndOf } from '../exposition/byte-scanning.ts';
import type { FamilyMetadata } from '../exposition/exposition-types.ts';
import { metadataAt, metadataNameEnd, metadataNameStart } from '../exposition/metadata-lines.ts';
import { hashBytes } from './byte-hash.ts';
import type { KeyedLines } from './keyed-lines.ts';
import type { SnapshotSlot } from './snapshot-slot.ts';

// A snapshot's `# HELP` and `# TYPE` lines, read from the body through the slot's two metadata
// tables (keyed by the family name's hash): what IndexedSnapshot.families answers.

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
