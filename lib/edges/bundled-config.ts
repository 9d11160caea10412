/**
 * A config.yml the build parsed and validated (scripts/build.mjs): its YAML text and the plain
 * data the YAML parser made of it, as JSON. Loading a file with exactly that text skips the YAML
 * parser (docs/deploying.md#cold-start). The text itself is the key, compared as a string: no
 * digest, so a cold start does not load node:crypto for it (docs/performance-history.md).
 */
export interface PreparsedConfig {
  readonly text: string;
  readonly json: string;
}

/** Replaced by scripts/build.mjs (esbuild `define`); undeclared under tsx, where every config goes through YAML. */
declare const BUNDLED_CONFIG: PreparsedConfig | null | undefined;

/** The pre-parsed config.yml of this build, if it has one. */
export const bundledConfig: PreparsedConfig | undefined =
  typeof BUNDLED_CONFIG === 'object' && BUNDLED_CONFIG !== null ? BUNDLED_CONFIG : undefined;

/** The plain data of `text` when `preparsed` was made from exactly this text, else undefined. */
export function preparsedData(text: string, preparsed: PreparsedConfig | undefined): unknown {
  if (preparsed === undefined || text !== preparsed.text) return undefined;
  // A fresh copy per load: the validator never shares objects between two loads.
  return JSON.parse(preparsed.json) as unknown;
}
