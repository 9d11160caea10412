import { GroupingKeyError } from '../errors.ts';

// The push path of the Pushgateway API, /metrics/job/<job>{/<label>/<value>}, encoded as that API
// asks (docs/cli.md#pushing-by-hand).

/** Label names of the Prometheus data model; names starting with `__` are reserved and Pushgateway rejects them. */
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Grouping labels after `job`, in the order they appear in the path. */
export type GroupingLabels = readonly (readonly [name: string, value: string])[];

/** Why a grouping label name cannot be used, or undefined when it can. */
export function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME_PATTERN.test(name)) return `label name ${JSON.stringify(name)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`;
  if (name.startsWith('__')) return `label name ${JSON.stringify(name)} is reserved (names starting with __ are for Prometheus itself)`;
  if (name === 'job') return 'label name "job" is set by the job, not as a label';
  return undefined;
}

/** base64url without padding, which Pushgateway decodes after a `@base64` suffix. */
function base64Url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/**
 * One `<name>/<value>` pair of the path. Plain percent-encoding cannot carry a `/` (it would be
 * read as a separator), an empty value (the router drops `//`) or `.`/`..` (the router resolves them
 * as path steps), so those go as `<name>@base64/<base64url>`, an empty value as `@base64/=`.
 */
function pathPair(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/') || value === '.' || value === '..') return `${name}@base64/${base64Url(value)}`;
  try {
    return `${name}/${encodeURIComponent(value)}`;
  } catch {
    // encodeURIComponent throws on a lone UTF-16 surrogate: such a string has no UTF-8 form.
    throw new GroupingKeyError(`${name} value is not valid Unicode text (a lone surrogate): it cannot be sent as a label value`);
  }
}

/**
 * The push path `/metrics/job/<job>/<label>/<value>…` for a grouping key. Pure; throws a
 * GroupingKeyError for an empty job or a label name Pushgateway would reject, before any request.
 */
export function groupingKeyPath(job: string, labels: GroupingLabels = []): string {
  if (job === '') throw new GroupingKeyError('job must not be empty (Pushgateway rejects an empty job)');
  const seen = new Set<string>();
  let path = `/metrics/${pathPair('job', job)}`;
  for (const [name, value] of labels) {
    const problem = labelNameProblem(name);
    if (problem !== undefined) throw new GroupingKeyError(problem);
    if (seen.has(name)) throw new GroupingKeyError(`label ${name} given twice in the grouping key`);
    seen.add(name);
    path += `/${pathPair(name, value)}`;
  }
  return path;
}
