// A loader for the expiring-cache tests: its calls are counted and its next outcome is set by the test.

/** A loader whose calls are counted and whose outcome the test sets. */
export function controlledLoader() {
  let calls = 0;
  let next: () => Promise<string> = async () => `value-${calls}`;
  return {
    load: () => {
      calls += 1;
      return next();
    },
    calls: () => calls,
    succeedWith(value: string) { next = async () => value; },
    failWith(message: string) { next = async () => { throw new Error(message); }; },
    hang(value = 'slow'): () => void {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      next = async () => { await gate; return value; };
      return release;
    },
    /** The next load hangs until the returned function makes it fail. */
    hangThenFail(): (message: string) => void {
      let fail: (message: string) => void = () => undefined;
      const gate = new Promise<never>((_, reject) => { fail = (message) => reject(new Error(message)); });
      next = () => gate;
      return fail;
    },
  };
}
