import type { Labels, Sample } from '../exposition/exposition-types.ts';

/**
 * One sample per series — metric name and label set, in any label order. Pushgateway never sends
 * a series twice, but a body can (a group pushed with and without a grouping label, consistency
 * checks off): the last line wins, as a later write wins in Pushgateway itself, and Prometheus
 * would reject the second copy as a duplicate sample.
 */
export function onePerSeries(samples: Sample[]): Sample[] {
  if (samples.length < 2) return samples;
  const names = new Set<string>();
  let repeated = false;
  for (const sample of samples) {
    if (names.has(sample.name)) {
      repeated = true;
      break;
    }
    names.add(sample.name);
  }
  if (!repeated) return samples;
  const seen = new Set<string>();
  const kept: Sample[] = [];
  for (let k = samples.length - 1; k >= 0; k--) {
    const sample = samples[k] as Sample;
    const id = seriesId(sample.name, sample.labels);
    if (seen.has(id)) continue;
    seen.add(id);
    kept.push(sample);
  }
  return kept.reverse();
}

/** The identity of a series: its name and its non-empty labels (Prometheus treats `l=""` as no label `l`). */
export function seriesId(name: string, labels: Labels): string {
  const names = Object.keys(labels).filter((label) => labels[label] !== '').sort();
  return JSON.stringify([name, ...names.map((label) => [label, labels[label]])]);
}
