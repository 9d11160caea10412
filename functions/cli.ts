import type { CliCommand, CliOutput } from '../lib/cli/cli-command.ts';
import { parseCli } from '../lib/cli/parse-cli.ts';
import { CLI_NAME, USAGE } from '../lib/cli/usage.ts';
import { describeError } from '../lib/core/errors.ts';
import { readConfigOverrides } from '../lib/runtime/environment-settings.ts';

// `pushgateway-exporter`: argv, environment and stdio in, an exit code out; everything else is lib/.

/** Set by the build from package.json; absent when run from source. */
declare const PACKAGE_VERSION: string | undefined;

const output: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

async function run(command: CliCommand): Promise<number> {
  switch (command.kind) {
    case 'help':
      output.stdout(USAGE);
      return 0;
    case 'version':
      output.stdout(`${CLI_NAME} ${typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'development'}\n`);
      return 0;
    case 'usage-error':
      output.stderr(`${CLI_NAME}: ${command.message}\n\n${USAGE}`);
      return 2;
    case 'push': {
      const { runPushCommand } = await import('../lib/cli/push-command.ts');
      const { PushgatewayPusher } = await import('../lib/edges/pushgateway/pushgateway-pusher.ts');
      const pusher = new PushgatewayPusher();
      try {
        return await runPushCommand(command.options, output, { clock: Date.now, pusher });
      } finally {
        await pusher.close();
      }
    }
    case 'check-config': {
      const read = readConfigOverrides(process.env);
      if ('problem' in read) {
        output.stderr(`${CLI_NAME}: ${read.problem}\n`);
        return 1;
      }
      const { runCheckConfigCommand } = await import('../lib/cli/check-config-command.ts');
      return runCheckConfigCommand(command.files, read.overrides, process.cwd(), output);
    }
    case 'probe':
      return (await import('../lib/cli/probe-command.ts')).runProbeCommand(command.target, { ...process.env, CONFIG_FILE: command.configFile ?? process.env.CONFIG_FILE }, process.cwd(), output);
    case 'reap':
      return (await import('../lib/cli/reap-command.ts')).runReapCommand({ dryRun: command.dryRun }, { ...process.env, CONFIG_FILE: command.configFile ?? process.env.CONFIG_FILE }, process.cwd(), output);
  }
}

process.exitCode = await run(parseCli(process.argv.slice(2), process.env)).catch((error: unknown) => {
  // A bug, not a usage problem: still one line, never a stack.
  output.stderr(`${CLI_NAME}: ${describeError(error)}\n`);
  return 1;
});
