import type { ServiceConfig } from '../config/config-types.ts';
import type { Sample } from '../exposition/exposition-types.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from './signal-metrics.ts';
import { groupKey, samplesNamed, type PushGroup, type Snapshot } from '../snapshot/snapshot.ts';

export interface Heartbeat {
  readonly group: PushGroup;
  readonly timestampSeconds: number;
  /** Which lookup rule found it: the target's own group, or a `service` label elsewhere. */
  readonly via: 'group' | 'service_label';
}

export interface HeartbeatLookup {
  /** The heartbeat the probe judges: from the target's group if it has one, else the newest labelled one. */
  readonly primary: Heartbeat | undefined;
  /**
   * With `replicas`: the newest `service`-labelled heartbeat of each distinct `instance`, newest first
   * (what `replicas` counts). Without: at most the newest one, when the target has no own group.
   */
  readonly perInstance: readonly Heartbeat[];
}

/**
 * The metrics a probe judges a group by: its heartbeat, the run signals and its ok_when metrics.
 * They are looked up by name, so a group flooded with other series still yields them.
 */
export function keyMetricsOf(service: ServiceConfig): readonly string[] {
  return [service.heartbeatMetric, START_METRIC, FAILURE_METRIC, RUN_DURATION_METRIC, ...service.okWhen.map((rule) => rule.metric)];
}

function newestIn(samples: Iterable<Sample>, metric: string): Sample | undefined {
  let newest: Sample | undefined;
  for (const sample of samples) {
    // A NaN or infinite "timestamp" says nothing about when the service was alive.
    if (sample.name !== metric || !Number.isFinite(sample.value)) continue;
    if (newest === undefined || sample.value > newest.value) newest = sample;
  }
  return newest;
}

/**
 * Finds the target's heartbeat (docs/probe-rules.md#how-the-heartbeat-is-found): its
 * `{job, instance=target}` group first, then any sample of the heartbeat metric labelled
 * `service="<target>"`.
 * `heartbeat_metric: push_time_seconds` needs no special case: Pushgateway exposes it per group.
 */
export function lookupHeartbeat(snapshot: Snapshot, service: ServiceConfig, target: string): HeartbeatLookup {
  const metric = service.heartbeatMetric;
  const ownGroup = snapshot.groups.get(groupKey(service.job, target));
  // By name with every other key metric: one walk of the group serves the whole probe.
  const own = ownGroup ? newestIn(samplesNamed(ownGroup, keyMetricsOf(service)), metric) : undefined;

  const primaryOwn = ownGroup && own ? { group: ownGroup, timestampSeconds: own.value, via: 'group' as const } : undefined;
  const everyInstance = service.replicas !== undefined;
  // Without replicas, a found own group settles it: no labelled heartbeat is looked at.
  if (primaryOwn !== undefined && !everyInstance) return { primary: primaryOwn, perInstance: [] };

  const newestByInstance = new Map<string, Sample>();
  for (const sample of snapshot.samplesOfService(target, metric)) {
    if (sample.name !== metric || !Number.isFinite(sample.value)) continue;
    const instance = sample.instance ?? '';
    const known = newestByInstance.get(instance);
    if (known === undefined || sample.value > known.value) newestByInstance.set(instance, sample);
  }
  // Groups are looked up newest first, and only as many as the probe judges: every instance's with
  // replicas, else the newest one's (a thousand labelled instances cost one group, not a thousand).
  const perInstance: Heartbeat[] = [];
  for (const sample of [...newestByInstance.values()].sort((a, b) => b.value - a.value)) {
    const group = snapshot.groups.get(groupKey(sample.job ?? '', sample.instance ?? ''));
    if (group === undefined) continue;
    perInstance.push({ group, timestampSeconds: sample.value, via: 'service_label' });
    if (!everyInstance) break;
  }
  const primary = primaryOwn ?? perInstance[0];
  return { primary, perInstance };
}
