import { CONFIG_DEFAULTS, type DiscoveryConfig } from './config-types.ts';
import { show, type FieldReader } from './field-rules.ts';

/** The longest `discover_jobs` pattern: a job filter is a prefix or a few alternatives, never a program. */
export const MAX_JOB_PATTERN_LENGTH = 256;

/**
 * Why a `discover_jobs` pattern cannot be used, or undefined. The pattern runs against job names
 * pushers choose, so it must run in linear time (docs/discovery.md#limiting-discovery-to-jobs): V8's
 * linear engine (lib/edges/linear-regexp.ts) runs it, and has no backreferences, lookarounds or
 * large counted repetitions; they are refused here, where the config is read, so that the engine
 * never meets one. Flags are not part of a pattern: a job name is matched case-sensitively.
 */
export function jobPatternProblem(source: string): string | undefined {
  if (source.length > MAX_JOB_PATTERN_LENGTH) return `must be at most ${MAX_JOB_PATTERN_LENGTH} characters, got ${source.length}`;
  try {
    new RegExp(source);
  } catch (error) {
    return `not a regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
  if (/\\[1-9]|\\k</.test(source)) return 'backreferences cannot run in linear time; use a pattern without \\1 or \\k<name>';
  if (/\(\?<?[=!]/.test(source)) return 'lookaheads and lookbehinds cannot run in linear time; use a pattern without (?= (?! (?<= (?<!';
  // V8's linear engine refuses a counted repetition it would unroll past its limit.
  for (const match of source.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    if (Number(match[1]) > 100 || Number(match[2] || 0) > 100) return 'counted repetitions above {100} cannot run in linear time';
  }
  return undefined;
}

/**
 * `discover_services`, `discover_jobs` and `max_discovered_services` of the top-level mapping: the
 * discovery config when `discover_services: true`, else undefined (the other two keys only apply with it).
 */
export function discoveryConfig(top: FieldReader): DiscoveryConfig | undefined {
  const enabled = top.boolean('discover_services');
  const value = top.value('discover_jobs');
  const jobPatterns: string[] = [];
  if (value !== undefined && value !== null) {
    if (!Array.isArray(value)) top.problem('discover_jobs', `must be a list of regular expressions, got ${show(value)}`);
    else {
      value.forEach((entry: unknown, index: number) => {
        const where = `discover_jobs[${index}]`;
        if (typeof entry !== 'string' || entry === '') {
          top.problem(where, `must be a non-empty regular expression string, got ${show(entry)}`);
          return;
        }
        const problem = jobPatternProblem(entry);
        if (problem === undefined) jobPatterns.push(entry);
        else top.problem(where, `${problem}, got ${show(entry)}`);
      });
    }
  }
  const maxServices = top.number('max_discovered_services');
  if (enabled !== true) {
    for (const key of ['discover_jobs', 'max_discovered_services']) {
      if (top.has(key)) top.problem(key, 'only applies with discover_services: true');
    }
    return undefined;
  }
  return { jobPatterns, maxServices: maxServices ?? CONFIG_DEFAULTS.maxDiscoveredServices };
}
