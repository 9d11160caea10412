/**
 * Edit distance with adjacent transpositions (optimal string alignment): the number of single
 * characters inserted, deleted, replaced or swapped with a neighbour to turn `a` into `b`.
 */
export function editDistance(a: string, b: string): number {
  // Three rolling rows: the transposition looks two rows back.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** How many edits still read as a typo of a name this long: none for the shortest names, then about one in four characters. */
function typoBudget(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  return Math.min(3, Math.floor(length / 4));
}

/** Longest text compared: a pasted paragraph is no typo, and the distance costs length × length. */
const MAX_COMPARED = 100;

/**
 * The candidate `word` most likely misspells, or undefined when none is close: case, `-` for `_`
 * and a typo or two are forgiven; a word that is a whole `_`-separated prefix of exactly one
 * candidate (`scrape_interval` for `scrape_interval_seconds`) names it too. Ties go to the first candidate.
 */
export function nearestName(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_COMPARED) return undefined;
  const plain = word.toLowerCase().replaceAll('-', '_');
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(plain, name);
    if (distance <= typoBudget(Math.max(plain.length, name.length)) && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  if (best !== undefined) return best.name;
  const extended = candidates.filter((name) => plain.length > 2 && name.startsWith(`${plain}_`));
  return extended.length === 1 ? extended[0] : undefined;
}
