// Reading the `probe_state` series of an exporter's answer.
import assert from 'node:assert/strict';

/** The state whose `probe_state` series is 1 (for `service` in a /probes answer), checking that exactly one is. */
export function stateOf(body: string, service?: string): string {
  const labels = service === undefined ? '' : `service="${service}",`;
  const on = [...body.matchAll(new RegExp(`^probe_state\\{${labels}state="([a-z_]+)"\\} (\\d)$`, 'gm'))].filter((m) => m[2] === '1').map((m) => m[1]);
  assert.equal(on.length, 1, `exactly one probe_state series is 1${service === undefined ? '' : ` for ${service}`} in:\n${body}`);
  return on[0] ?? '';
}

/** The state at 1 in a /probe answer, or undefined when there is none (an exporter without probe_state). */
export function stateAtOne(body: string): string | undefined {
  return /^probe_state\{state="([a-z_]+)"\} 1$/m.exec(body)?.[1];
}

/** The state at 1 if the answer exposes probe_state at all, checking a series is at 1 when it does. */
export function exposedState(body: string): string | undefined {
  const state = stateAtOne(body);
  if (body.includes('probe_state')) assert.ok(state, `probe_state without a series at 1:\n${body}`);
  return state;
}
