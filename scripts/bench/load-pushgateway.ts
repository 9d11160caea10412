// The bench's Pushgateway content: `groups` groups shaped like the seed's pushes, a heartbeat and a
// status counter each (docs/performance.md#running-the-benchmark).

/** Pushes the groups to the Pushgateway at `url`, 16 at a time. */
export async function loadPushgateway(url: string, groups: number): Promise<void> {
  const now = Date.now() / 1000;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < groups; i = next++) {
      const body = `loop_heartbeat_timestamp_seconds{service="svc${i}"} ${now - (i % 10)}\nloop_errors_total{service="svc${i}"} ${i % 7}\n`;
      const response = await fetch(`${url}/metrics/job/heartbeat/instance/svc${i}`, { method: 'PUT', body });
      if (!response.ok) throw new Error(`push ${i}: HTTP ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}
