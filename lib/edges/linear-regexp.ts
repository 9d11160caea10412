// discover_jobs patterns run against job names that pushers choose: a backtracking RegExp such as
// (a+)+$ would take exponential time on a crafted name. V8's linear-time engine (the `l` flag,
// behind a V8 flag) runs each in time linear in the name (docs/discovery.md#limiting-discovery-to-jobs).
let enabled = false;

/**
 * A pattern compiled for V8's linear-time engine, anchored at both ends as Prometheus anchors its
 * relabelling regexes; undefined when the engine refuses it (the config's checks,
 * lib/core/config/discovery-config.ts, refuse what it cannot run first).
 */
export function linearRegExp(source: string): RegExp | undefined {
  if (!enabled) {
    // Read when a RegExp is compiled, so setting it before the first `l` pattern is enough. node:v8
    // loads here, on the first discover_jobs pattern, not at a cold start (docs/deploying.md#cold-start).
    process.getBuiltinModule('node:v8').setFlagsFromString('--enable-experimental-regexp-engine');
    enabled = true;
  }
  try {
    return new RegExp(`^(?:${source})$`, 'l');
  } catch {
    return undefined;
  }
}
