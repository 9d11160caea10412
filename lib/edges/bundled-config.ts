import { createHash } from 'node:crypto';

/**
 * A config.yml the build parsed and validated (scripts/build.mjs): the SHA-256 of its YAML text and
 * the plain data the YAML parser made of it, as JSON. Loading a file whose text has that hash skips
 * the YAML parser (docs/deploying.md#cold-start).
 */
export interface PreparsedConfig {
  readonly sha256: string;
  readonly json: string;
}

/** Replaced by scripts/build.mjs (esbuild `define`); undeclared under tsx, where every config goes through YAML. */
declare const BUNDLED_CONFIG: PreparsedConfig | null | undefined;

/** The pre-parsed config.yml of this build, if it has one. */
export const bundledConfig: PreparsedConfig | undefined =
  typeof BUNDLED_CONFIG === 'object' && BUNDLED_CONFIG !== null ? BUNDLED_CONFIG : undefined;

/** The key of a pre-parsed config: the build (scripts/bundled-config.mjs) and the loader hash with this one function. */
export const configTextHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The plain data of `text` when `preparsed` was made from exactly this text, else undefined. */
export function preparsedData(text: string, preparsed: PreparsedConfig | undefined): unknown {
  if (preparsed === undefined || configTextHash(text) !== preparsed.sha256) return undefined;
  // A fresh copy per load: the validator never shares objects between two loads.
  return JSON.parse(preparsed.json) as unknown;
}
