import type { MetricFamily } from '../exposition/exposition-renderer.ts';
import { groupKey, samplesNamed, type Snapshot } from '../snapshot/snapshot.ts';

// The reaper is a batch job: it pushes what each sweep did to its own Pushgateway group (POST,
// replacing only the names sent), so Prometheus has it from its Pushgateway scrape, and the exporter's
// `/metrics` shows it from the snapshot in hand (docs/operations.md#expiring-dead-groups).

/** The reaper's own group: `job` alone. The reaper never deletes it (no service is attributed it). */
export const REAPER_JOB = 'pushgateway_exporter_reaper';

const LAST_SWEEP = 'pushgateway_exporter_reaper_last_sweep_timestamp_seconds';
const LAST_SUCCESS = 'pushgateway_exporter_reaper_last_success_timestamp_seconds';
const SUCCESS = 'pushgateway_exporter_reaper_last_sweep_success';
const DELETED = 'pushgateway_exporter_reaper_last_sweep_deleted_groups';
const DURATION = 'pushgateway_exporter_reaper_last_sweep_duration_seconds';

const HELP: Readonly<Record<string, string>> = {
  [LAST_SWEEP]: 'Unix time when the reaper last finished a sweep, whatever its outcome.',
  [LAST_SUCCESS]: 'Unix time when a reaper sweep last succeeded.',
  [SUCCESS]: 'Whether the last reaper sweep succeeded (1) or failed (0).',
  [DELETED]: 'Pushgateway groups the last reaper sweep deleted.',
  [DURATION]: 'How long the last reaper sweep took, in seconds.',
};

/** What one sweep reports. */
export interface SweepReport {
  readonly finishedAtSeconds: number;
  readonly success: boolean;
  readonly deletedGroups: number;
  readonly durationSeconds: number;
}

const gauge = (name: string, value: number): MetricFamily => ({ name, help: HELP[name] ?? '', type: 'gauge', samples: [{ value }] });

/** The families a sweep pushes to the reaper's group; a failed sweep leaves the last success time as it was. */
export function sweepFamilies(report: SweepReport): MetricFamily[] {
  const families = [
    gauge(LAST_SWEEP, report.finishedAtSeconds),
    gauge(SUCCESS, report.success ? 1 : 0),
    gauge(DELETED, report.deletedGroups),
    gauge(DURATION, report.durationSeconds),
  ];
  if (report.success) families.push(gauge(LAST_SUCCESS, report.finishedAtSeconds));
  return families;
}

/** The reaper's metrics as the snapshot holds them, for the exporter's `/metrics`; none before a first sweep pushed them. */
export function reaperFamiliesFrom(snapshot: Snapshot | undefined): MetricFamily[] {
  const group = snapshot?.groups.get(groupKey(REAPER_JOB, ''));
  if (group === undefined) return [];
  const names = Object.keys(HELP);
  const samples = samplesNamed(group, names);
  return names.flatMap((name) => {
    const sample = samples.find((candidate) => candidate.name === name);
    return sample === undefined ? [] : [gauge(name, sample.value)];
  });
}
