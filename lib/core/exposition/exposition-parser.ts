import type { HashSeed } from '../snapshot/byte-hash.ts';
import { runToEnd } from '../sliced-work.ts';
import type { Exposition, FamilyMetadata, Sample } from './exposition-types.ts';
import { scanExposition } from './exposition-scanner.ts';
import { helpText, typeText } from './metadata-lines.ts';
import { decodeSample } from './sample-decoder.ts';

/**
 * Parses a whole exposition into samples, in one go: tests and tools (the snapshot index scans
 * without materializing them, and a read seeds it at random: lib/edges/random-hash-seed.ts); the
 * caller gives the seed.
 */
export function parseExposition(text: string, hashSeed: HashSeed): Exposition {
  const bytes = Buffer.from(text, 'utf8');
  const samples: Sample[] = [];
  const families = new Map<string, FamilyMetadata>();
  let context: string | undefined;
  runToEnd(scanExposition(bytes, {
    sample: (line) => samples.push(decodeSample(bytes, line.start, line.end, context)),
    metadata: (line) => {
      const name = bytes.toString('latin1', line.nameStart, line.nameEnd);
      let family = families.get(name);
      if (family === undefined) families.set(name, (family = { name, help: undefined, type: undefined }));
      if (line.kind === 'HELP') family.help = helpText(bytes, line.nameEnd, line.end);
      else family.type = typeText(bytes, line.nameEnd, line.end);
      context = name;
    },
    skipped: () => undefined,
  }, hashSeed.base));
  return { samples, families };
}

