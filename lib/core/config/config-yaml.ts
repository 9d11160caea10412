import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLError } from 'yaml';
import { ConfigError } from '../errors.ts';
import { clip, quote } from '../quote.ts';
import { Problems } from './field-rules.ts';

/**
 * How many values aliases may add to the document. yaml's own alias budget counts aliases, not
 * what they repeat: one anchored list of 250,000 items aliased 98 times passed it and made 24
 * million values (docs/security-model.md#what-a-config-can-and-cannot-do).
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/**
 * The deepest a config may nest, counted as columns of indentation, block markers (`- `, `? `) and
 * open brackets. A config nests a few levels deep. yaml's parser recurses once per level and
 * overflows the stack near 800; on Node 20 a second parse after such an overflow can end the process
 * (a fatal error in V8's regular expressions), so the text is measured before it is parsed.
 */
export const MAX_NESTING = 256;

/** Where the text first nests deeper than MAX_NESTING, as a problem; undefined when it never does. One pass. */
function nestingProblem(text: string): [string, string] | undefined {
  let flow = 0;
  let openQuote: string | undefined;
  let line = 1;
  let lineStart = 0;
  const tooDeep = (at: number): [string, string] => [`yaml line ${line}, column ${at - lineStart + 1}`, `nested deeper than ${MAX_NESTING} levels (indentation, "- " and brackets counted): a config nests a few`];
  for (let at = 0; at < text.length; at++) {
    if (at === lineStart && openQuote === undefined) {
      // Indentation and the block markers that open a level each on one line (`- - - x`).
      let depth = 0;
      while (text[at] === ' ' || ((text[at] === '-' || text[at] === '?') && (text[at + 1] === ' ' || text[at + 1] === undefined))) {
        depth += 1;
        if (depth + flow > MAX_NESTING) return tooDeep(at);
        at += 1;
      }
    }
    const c = text[at];
    if (c === '\n') {
      line += 1;
      lineStart = at + 1;
    } else if (openQuote === '"') {
      if (c === '\\') at += 1;
      else if (c === '"') openQuote = undefined;
    } else if (openQuote === "'") {
      if (c === "'") openQuote = undefined;
    } else if (c === '"' || c === "'") openQuote = c;
    else if (c === '#' && (at === lineStart || text[at - 1] === ' ' || text[at - 1] === '\t')) {
      const end = text.indexOf('\n', at);
      at = (end === -1 ? text.length : end) - 1;
    } else if (c === '[' || c === '{') {
      flow += 1;
      if (flow > MAX_NESTING) return tooDeep(at);
    } else if ((c === ']' || c === '}') && flow > 0) flow -= 1;
  }
  return undefined;
}

/** Where a node starts, as problems name it. */
function at(node: Node, lines: LineCounter): string {
  const start = node.range?.[0];
  if (start === undefined) return 'yaml';
  const { line, col } = lines.linePos(start);
  return `yaml line ${line}, column ${col}`;
}

/** A node's children in document order: a list's items, a mapping's keys and values. */
function childrenOf(node: unknown): unknown[] {
  if (isSeq(node)) return node.items;
  if (!isMap(node)) return [];
  const children: unknown[] = [];
  for (const { key, value } of node.items) children.push(key, value);
  return children;
}

/**
 * Visits every node of the document as written (no alias followed) in document order, without
 * recursion: a config nested 100,000 levels deep must not overflow the stack.
 */
function visitOwn(doc: Document, visit: (node: unknown) => void): void {
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || node === undefined) continue;
    visit(node);
    const children = childrenOf(node);
    for (let index = children.length - 1; index >= 0; index--) pending.push(children[index]);
  }
}

/**
 * Every mapping's keys: plain values (a list or mapping as a key would be turned into a string),
 * each once, a Set per mapping: yaml's own `uniqueKeys` compares each key with every earlier one,
 * 11 s for a mapping of 40,000 keys.
 */
function checkKeys(doc: Document, lines: LineCounter, problems: Problems): void {
  visitOwn(doc, (node) => {
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const { key } of node.items) {
      if (!isScalar(key)) {
        if (key !== null) problems.add(at(key as Node, lines), 'a key must be a plain value, not a list, a mapping or an alias');
        continue;
      }
      // The key as the plain data will hold it: a null key becomes "".
      const name = key.value === null ? '' : String(key.value);
      if (seen.has(name)) problems.add(at(key, lines), `duplicate key ${quote(name)} (each key once in a mapping)`);
      seen.add(name);
    }
  });
}

/**
 * Refuses a document whose aliases would add more than MAX_ALIAS_EXPANSION values. Each alias
 * stands for the node last anchored with its name before it (found in one pass in document order);
 * the values are then counted with each alias as what it repeats, stopping at the bound, so the
 * count costs at most the document and the bound.
 */
function checkAliasExpansion(doc: Document, lines: LineCounter, problems: Problems): void {
  const anchored = new Map<string, unknown>();
  const targets = new Map<unknown, unknown>();
  let ownValues = 0;
  visitOwn(doc, (node) => {
    ownValues += 1;
    if (isAlias(node)) {
      const target = anchored.get(node.source);
      if (target === undefined) problems.add(at(node, lines), `alias *${clip(node.source, 40)} names no anchor before it`);
      else targets.set(node, target);
    } else if ((node as Node).anchor !== undefined) anchored.set((node as Node).anchor as string, node);
  });
  const bound = ownValues + MAX_ALIAS_EXPANSION;
  let values = 0;
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || node === undefined) continue;
    values += 1;
    if (values > bound) {
      problems.add('yaml', `aliases repeat more than ${MAX_ALIAS_EXPANSION} values: write the repeated part out, or repeat it less`);
      return;
    }
    if (isAlias(node)) pending.push(targets.get(node));
    else for (const child of childrenOf(node)) pending.push(child);
  }
}

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
  const tooDeep = nestingProblem(text);
  if (tooDeep !== undefined) {
    problems.add(...tooDeep);
    throw new ConfigError(problems.list, source);
  }
  // The core schema even under a %YAML 1.1 directive, and resolveKnownTags off: !!binary, !!timestamp,
  // !!set and !!omap would make Buffers, Dates, Sets and Maps, and a Set passes for an empty mapping.
  // Keys are checked below, in one pass (checkKeys).
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true, schema: 'core', resolveKnownTags: false, lineCounter: lines });
  const issues = [...doc.errors, ...doc.warnings];
  for (const error of issues) {
    const position = error.linePos?.[0];
    const where = position === undefined ? 'yaml' : `yaml line ${position.line}, column ${position.col}`;
    problems.add(where, yamlProblem(error));
  }
  if (issues.length > 0) throw new ConfigError(problems.list, source);
  checkKeys(doc, lines, problems);
  checkAliasExpansion(doc, lines, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list, source);
  try {
    // checkAliasExpansion bounds what aliases add; yaml's own count (of aliases, not of what they
    // repeat) would refuse a 101st service sharing one anchored rule.
    return doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    problems.add('yaml', error instanceof Error ? error.message : String(error));
    throw new ConfigError(problems.list, source);
  }
}
