import { parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from '../errors.ts';
import { clip } from '../quote.ts';
import { Problems } from './field-rules.ts';

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';
/** The YAML 1.2 core schema's own tags, which resolve whenever they fit the value they tag. */
const CORE_TAGS: readonly string[] = ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'];

/** The one-line problem of a YAML error or warning; a tag is named as it is written (`!!js/function`). */
function yamlProblem(error: YAMLError): string {
  const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  if (error.code !== 'TAG_RESOLVE_FAILED') return message;
  const tag = message.replace(/^Unresolved tag: /, '');
  const core = tag.startsWith(YAML_TAG_PREFIX) ? tag.slice(YAML_TAG_PREFIX.length) : undefined;
  if (core !== undefined && CORE_TAGS.includes(core)) return `tag !!${core} does not fit its value (leave the tag out)`;
  const written = core === undefined ? tag : `!!${core}`;
  return `unsupported tag ${clip(written, 60)} (write a plain value: a string, number, true/false, list or mapping)`;
}

/**
 * Parses the config's YAML text into plain data (mappings, lists, strings, numbers, booleans, null),
 * not yet validated as a config. Syntax errors, duplicate keys, and every warning (an unknown tag
 * such as `!!js/function` or `!foo` above all: YAML would quietly read it as a string) become
 * one-line problems naming line and column, thrown together as one ConfigError.
 */
export function parseConfigYaml(text: string, source?: string): unknown {
  const problems = new Problems();
  // The core schema even under a %YAML 1.1 directive, and resolveKnownTags off: !!binary, !!timestamp,
  // !!set and !!omap would make Buffers, Dates, Sets and Maps, and a Set passes for an empty mapping.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, schema: 'core', resolveKnownTags: false });
  const issues = [...doc.errors, ...doc.warnings];
  for (const error of issues) {
    const position = error.linePos?.[0];
    const where = position === undefined ? 'yaml' : `yaml line ${position.line}, column ${position.col}`;
    problems.add(where, yamlProblem(error));
  }
  if (issues.length > 0) throw new ConfigError(problems.list, source);
  try {
    // A small alias budget keeps a "billion laughs" document from expanding without bound.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    problems.add('yaml', error instanceof Error ? error.message : String(error));
    throw new ConfigError(problems.list, source);
  }
}
