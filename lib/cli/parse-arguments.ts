// node:util's parseArgs with the CLI's own usage-error lines: what every command's parser shares.

import type { ParseArgsConfig } from 'node:util';
import type { CliCommand } from './cli-command.ts';

// Node's own module object: on Node 24 an ES import of node:util reads its lazy getters, about 35
// modules and 6 ms at every CLI start (docs/performance.md#nodehttp-without-its-es-module-facade).
const { parseArgs } = process.getBuiltinModule('node:util');

export const usageError = (message: string): CliCommand => ({ kind: 'usage-error', message });

/** node:util's messages carry a second sentence of advice meant for programmers; the first says what is wrong. */
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split(/\.\s/)[0] ?? message;
  // An option's value that starts with a dash is read as another option: say how to give it.
  const dashed = /^Option '(--[\w-]+)' argument is ambiguous/.exec(first);
  const advice = dashed === null ? '' : ` (a value starting with "-" goes as ${dashed[1]}=VALUE)`;
  return first.charAt(0).toLowerCase() + first.slice(1) + advice;
}

export type Parsed = ReturnType<typeof parseArgs>;

export function parseArguments(command: string, args: readonly string[], options: ParseArgsConfig['options'], allowPositionals: boolean): Parsed | CliCommand {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    return usageError(`${command}: ${parseArgsMessage(error)}`);
  }
}

export const isCommand = (value: Parsed | CliCommand): value is CliCommand => 'kind' in value;

export function stringOption(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}
