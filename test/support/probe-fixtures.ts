import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from './fixed-hash-seed.ts';
import { serviceConfig } from './service-config.ts';

// What the evaluate-probe* unit tests share: the heartbeat metric, the exporter-wide config the
// rules read, a service with the seed config's defaults, and snapshots built from exposition lines.

export const HB = 'loop_heartbeat_timestamp_seconds';
/** The one exporter-wide setting evaluateProbe reads: the default clock-skew allowance. */
export const PROBE_CONFIG = { maxClockSkewSeconds: 300 };
export const SERVICE1 = serviceConfig({ heartbeatMetric: HB });

export const snapshotOf = (lines: string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
/** A heartbeat sample of `instance` in job `job`, with `extra` labels (each led by a comma). */
export const pushed = (instance: string, value: number | string, extra = '', job = 'heartbeat'): string =>
  `${HB}{instance="${instance}",job="${job}"${extra}} ${value}`;
/** service1's own group: a heartbeat at 1000 labelled service="service1", pushed at 1000.5. */
export const OWN_SNAPSHOT = snapshotOf([pushed('service1', 1000, ',service="service1"'), 'push_time_seconds{instance="service1",job="heartbeat"} 1000.5']);
