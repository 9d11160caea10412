import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { monotonicMs } from '../edges/monotonic-clock.ts';

/** How a wrapped command ended. */
export interface CommandOutcome {
  /** What a shell would report as `$?`. */
  readonly exitCode: number;
  readonly durationSeconds: number;
  /** Why the command could not be started at all, one line; undefined when it ran. */
  readonly startError: string | undefined;
}

/**
 * A supervisor (a container runtime, a job runner) sends SIGTERM to this process alone: the
 * command must get it too.
 */
export const FORWARDED_SIGNALS = ['SIGTERM'] as const;
/**
 * A terminal sends these to its whole foreground process group, the command included: passing
 * them on would deliver them twice, and many tools take a second Ctrl-C as "quit without cleanup".
 * This process only outlives them, so the command's outcome is still pushed.
 */
export const OUTLIVED_SIGNALS = ['SIGINT', 'SIGHUP'] as const;

/** `$?` as a shell reports it: the exit code, or 128 + the signal's number when a signal ended the process. */
export function shellExitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : constants.signals[signal];
  return number === undefined ? 1 : 128 + number;
}

/** The shell's codes for a command that could not be run: 127 not found, 126 found but not executable. */
function startFailure(error: NodeJS.ErrnoException, program: string): { exitCode: number; reason: string } {
  const shown = JSON.stringify(program);
  if (error.code === 'ENOENT') return { exitCode: 127, reason: `cannot run ${shown}: command not found` };
  if (error.code === 'EACCES') return { exitCode: 126, reason: `cannot run ${shown}: permission denied` };
  return { exitCode: 126, reason: `cannot run ${shown}: ${error.message.replace(/\s+/g, ' ')}` };
}

/**
 * Runs a command with this process's stdin, stdout and stderr, passing on SIGTERM and outliving
 * SIGINT and SIGHUP, and resolves when it has exited. Never rejects: a command that cannot start is an outcome.
 */
export function runWrappedCommand(command: readonly string[]): Promise<CommandOutcome> {
  const [program = '', ...args] = command;
  const startedMs = monotonicMs();
  const elapsed = () => (monotonicMs() - startedMs) / 1000;
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: 'inherit' });
    // While a handler is installed, the signal no longer ends this process: it waits for the
    // command to exit, so its outcome is still pushed.
    const handlers: [NodeJS.Signals, () => void][] = [
      ...FORWARDED_SIGNALS.map((signal): [NodeJS.Signals, () => void] => [signal, () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      }]),
      ...OUTLIVED_SIGNALS.map((signal): [NodeJS.Signals, () => void] => [signal, () => {}]),
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const forwarders = handlers.map(([signal, handler]) => () => process.off(signal, handler));
    const settle = (outcome: CommandOutcome) => {
      for (const remove of forwarders) remove();
      resolve(outcome);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      const failure = startFailure(error, program);
      settle({ exitCode: failure.exitCode, durationSeconds: elapsed(), startError: failure.reason });
    });
    child.once('exit', (code, signal) => settle({ exitCode: shellExitStatus(code, signal), durationSeconds: elapsed(), startError: undefined }));
  });
}
