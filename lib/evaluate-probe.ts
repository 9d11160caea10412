import type { ExporterConfig, ServiceConfig } from './config.ts';
import type { Labels } from './exposition-parser.ts';
import { lookupHeartbeat, type Heartbeat } from './heartbeat-lookup.ts';
import { PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC, type Snapshot } from './snapshot.ts';

/** A pushed sample as the probe re-exposes it. */
export interface PassThroughSample {
  readonly name: string;
  readonly family: string;
  readonly labels: Labels;
  readonly value: number;
}

export type ProbeVerdict = 'fresh' | 'stale' | 'future' | 'never' | 'too_few_replicas';

export interface ReplicaHeartbeat {
  readonly job: string;
  readonly instance: string;
  readonly timestampSeconds: number;
  readonly ageSeconds: number;
  readonly fresh: boolean;
}

export interface ProbeEvaluation {
  readonly target: string;
  readonly service: ServiceConfig;
  readonly success: boolean;
  readonly verdict: ProbeVerdict;
  readonly heartbeat: Heartbeat | undefined;
  readonly ageSeconds: number | undefined;
  readonly maxClockSkewSeconds: number;
  readonly replicas: { readonly expected: number; readonly fresh: number; readonly heartbeats: readonly ReplicaHeartbeat[] } | undefined;
  /** The target group's other samples, re-exposed with `job`/`instance` removed. */
  readonly passThrough: readonly PassThroughSample[];
}

/** Names the probe itself exposes: a pushed sample may not shadow them. */
const OWN_PREFIX = 'probe_';

type Freshness = 'fresh' | 'stale' | 'future';

function freshness(ageSeconds: number, service: ServiceConfig, maxClockSkewSeconds: number): Freshness {
  if (ageSeconds < -maxClockSkewSeconds) return 'future';
  return ageSeconds <= service.freshnessThresholdSeconds ? 'fresh' : 'stale';
}

function passThroughOf(heartbeat: Heartbeat | undefined, service: ServiceConfig): PassThroughSample[] {
  if (heartbeat === undefined) return [];
  const out: PassThroughSample[] = [];
  for (const sample of heartbeat.group.samples) {
    if (
      sample.name === service.heartbeatMetric ||
      sample.name === PUSH_TIME_METRIC ||
      sample.name === PUSH_FAILURE_TIME_METRIC ||
      sample.family.startsWith(OWN_PREFIX) ||
      sample.name.startsWith(OWN_PREFIX)
    ) {
      continue;
    }
    const { job: _job, instance: _instance, ...labels } = sample.labels;
    out.push({ name: sample.name, family: sample.family, labels, value: sample.value });
  }
  return out;
}

/**
 * Judges one target against one snapshot at `nowSeconds`. Pure: the caller supplies the
 * config, the snapshot and the clock reading.
 */
export function evaluateProbe(
  config: Pick<ExporterConfig, 'maxClockSkewSeconds'>,
  snapshot: Snapshot,
  service: ServiceConfig,
  target: string,
  nowSeconds: number,
): ProbeEvaluation {
  const { primary, perInstance } = lookupHeartbeat(snapshot, service, target);
  const skew = config.maxClockSkewSeconds;
  const ageSeconds = primary === undefined ? undefined : nowSeconds - primary.timestampSeconds;
  const passThrough = passThroughOf(primary, service);

  if (service.replicas !== undefined) {
    const heartbeats = perInstance.map((heartbeat): ReplicaHeartbeat => {
      const age = nowSeconds - heartbeat.timestampSeconds;
      return {
        job: heartbeat.group.job,
        instance: heartbeat.group.instance,
        timestampSeconds: heartbeat.timestampSeconds,
        ageSeconds: age,
        fresh: freshness(age, service, skew) === 'fresh',
      };
    });
    const fresh = heartbeats.filter((heartbeat) => heartbeat.fresh).length;
    const success = fresh >= service.replicas;
    const verdict: ProbeVerdict = success ? 'fresh' : primary === undefined ? 'never' : 'too_few_replicas';
    return {
      target, service, success, verdict, heartbeat: primary, ageSeconds, maxClockSkewSeconds: skew,
      replicas: { expected: service.replicas, fresh, heartbeats }, passThrough,
    };
  }

  const verdict: ProbeVerdict = ageSeconds === undefined ? 'never' : freshness(ageSeconds, service, skew);
  return {
    target, service, success: verdict === 'fresh', verdict, heartbeat: primary, ageSeconds,
    maxClockSkewSeconds: skew, replicas: undefined, passThrough,
  };
}
