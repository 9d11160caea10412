import type { ExporterConfig, ServiceConfig } from './config-types.ts';
import { serviceFromDefaults } from './parse-service.ts';

/** The service a probe target names: configured, or built from defaults when unlisted targets are allowed. */
export function resolveService(config: ExporterConfig, target: string): ServiceConfig | undefined {
  const configured = config.services.get(target);
  if (configured) return configured;
  if (!config.allowUnlistedTargets) return undefined;
  return serviceFromDefaults(target, config.defaults);
}
