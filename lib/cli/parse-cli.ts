import { quote } from '../core/quote.ts';
import { readPushDefaults } from '../runtime/environment-settings.ts';
import type { CliCommand, CliEnvironment } from './cli-command.ts';
import { isCommand, parseArguments, stringOption, usageError } from './parse-arguments.ts';
import { parsePushArguments } from './parse-push-arguments.ts';

function parseCheckConfig(args: readonly string[]): CliCommand {
  const parsed = parseArguments('check-config', args, {}, true);
  if (isCommand(parsed)) return parsed;
  if (parsed.values.help === true) return { kind: 'help' };
  if (parsed.positionals.length === 0) return usageError('check-config: name the config file to check, e.g. check-config config.yml');
  if (parsed.positionals.includes('')) return usageError('check-config: a FILE must not be empty');
  return { kind: 'check-config', files: parsed.positionals };
}

function parseProbe(args: readonly string[]): CliCommand {
  const parsed = parseArguments('probe', args, { target: { type: 'string' }, config: { type: 'string' } }, false);
  if (isCommand(parsed)) return parsed;
  if (parsed.values.help === true) return { kind: 'help' };
  const target = stringOption(parsed, 'target');
  if (target === undefined || target === '') return usageError('probe: --target NAME is required');
  const configFile = stringOption(parsed, 'config');
  if (configFile === '') return usageError('probe: --config must name a file');
  return { kind: 'probe', target, configFile };
}

function parseReap(args: readonly string[]): CliCommand {
  const parsed = parseArguments('reap', args, { 'dry-run': { type: 'boolean' }, config: { type: 'string' } }, false);
  if (isCommand(parsed)) return parsed;
  if (parsed.values.help === true) return { kind: 'help' };
  const configFile = stringOption(parsed, 'config');
  if (configFile === '') return usageError('reap: --config must name a file');
  return { kind: 'reap', dryRun: parsed.values['dry-run'] === true, configFile };
}

/** Turns the arguments after the program name into a command, or the usage error to print. Pure. */
export function parseCli(argv: readonly string[], env: CliEnvironment): CliCommand {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      return usageError('missing command');
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    case '--version':
    case '-V':
    case 'version':
      return { kind: 'version' };
    case 'push':
      return parsePushArguments(rest, readPushDefaults(env));
    case 'check-config':
      return parseCheckConfig(rest);
    case 'probe':
      return parseProbe(rest);
    case 'reap':
      return parseReap(rest);
    default: {
      const shown = quote(first, 60);
      return usageError(first.startsWith('-') ? `unknown option ${shown}` : `unknown command ${shown} (commands: push, check-config, probe, reap, help)`);
    }
  }
}
