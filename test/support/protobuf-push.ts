/**
 * A minimal encoder of Prometheus' protobuf push format (io.prometheus.client.MetricFamily,
 * length-delimited), enough to push what the text format cannot say: metric names such as `a.b`,
 * `1ab` or "" and types such as GAUGE_HISTOGRAM, which Pushgateway 1.5 accepts in protobuf and
 * then writes into its /metrics as they are.
 */

/** MetricType of metrics.proto. */
export const METRIC_TYPE = { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4, GAUGE_HISTOGRAM: 5 } as const;

function varint(value: number): Buffer {
  const out: number[] = [];
  let n = BigInt(value);
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    out.push(byte);
  } while (n > 0n);
  return Buffer.from(out);
}

const key = (field: number, wireType: number): Buffer => varint((field << 3) | wireType);
const bytesField = (field: number, value: string | Buffer): Buffer => {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([key(field, 2), varint(data.length), data]);
};
const doubleField = (field: number, value: number): Buffer => {
  const data = Buffer.alloc(8);
  data.writeDoubleLE(value);
  return Buffer.concat([key(field, 1), data]);
};

/** One LabelPair, for `gaugeMetric`. */
export const labelPair = (name: string, value: string): Buffer => bytesField(1, Buffer.concat([bytesField(1, name), bytesField(2, value)]));

/** A Metric with a gauge value (field 2 of Metric). */
export const gaugeMetric = (labels: readonly Buffer[], value: number): Buffer => Buffer.concat([...labels, bytesField(2, doubleField(1, value))]);

/** One length-delimited MetricFamily. */
export function metricFamily(family: { name: string; help?: string; type: number; metrics: readonly Buffer[] }): Buffer {
  const parts = [bytesField(1, family.name)];
  if (family.help !== undefined) parts.push(bytesField(2, family.help));
  parts.push(Buffer.concat([key(3, 0), varint(family.type)]));
  for (const metric of family.metrics) parts.push(bytesField(4, metric));
  const body = Buffer.concat(parts);
  return Buffer.concat([varint(body.length), body]);
}

/** PUTs protobuf families to a group path such as `/metrics/job/x`; throws unless Pushgateway accepts them. */
export async function pushProtobuf(pushgatewayUrl: string, groupPath: string, families: readonly Buffer[]): Promise<void> {
  const response = await fetch(`${pushgatewayUrl}${groupPath}`, {
    method: 'PUT',
    body: Buffer.concat(families),
    headers: { 'content-type': 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited' },
  });
  if (!response.ok) throw new Error(`protobuf push to ${groupPath} refused: HTTP ${response.status} ${await response.text()}`);
}
