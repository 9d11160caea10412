/** CPU time this process has used, in ms: unlike the wall clock it does not run while the process waits for a core. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The most CPU time the process spent between two turns of the event loop, from now until
 * `stop()`. CPU time, not wall time: on a loaded machine the process can wait tens of
 * milliseconds for a core in the middle of any turn, which says nothing about how the work
 * slices itself.
 */
export function watchTurns(): { stop(): number } {
  let last = cpuMs();
  let longest = 0;
  const timer = setInterval(() => {
    const now = cpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, cpuMs() - last);
    },
  };
}
