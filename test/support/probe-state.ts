// Reading the `probe_state` series of an exporter's answer.
import assert from 'node:assert/strict';

/** The state whose `probe_state` series is 1 (for `service` in a /probes answer), checking that exactly one is. */
export function stateOf(body: string, service?: string): string {
  const labels = service === undefined ? '' : `service="${service}",`;
  const on = [...body.matchAll(new RegExp(`^probe_state\\{${labels}state="([a-z_]+)"\\} (\\d)$`, 'gm'))].filter((m) => m[2] === '1').map((m) => m[1]);
  assert.equal(on.length, 1, `exactly one probe_state series is 1${service === undefined ? '' : ` for ${service}`} in:\n${body}`);
  return on[0] ?? '';
}
