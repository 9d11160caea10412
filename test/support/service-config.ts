import type { ServiceConfig } from '../../lib/core/config/config-types.ts';

/** A service as the config parser would build it with every default, changed by `overrides`. */
export function serviceConfig(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name: 'service1',
    job: 'heartbeat',
    heartbeatMetric: 'loop_heartbeat_timestamp_seconds',
    freshnessThresholdSeconds: 5,
    schedule: undefined,
    replicas: undefined,
    maxRunSeconds: undefined,
    okWhen: [],
    paused: false,
    maintenance: [],
    ...overrides,
  };
}
