// Pushgateway /metrics bodies of a given size, in the shapes that stress a parser and an index:
// the usual shape, and the worst a pusher (or a careless one) can make. Deterministic, so a
// failure reproduces. Every body is valid exposition text ending with a newline.

export const BODY_SHAPES = [
  /** Pushgateway's own shape: HELP/TYPE per family, four samples per group, `service` labels. */
  'plain',
  /** The most lines per byte: `a{job="<id>"}1`, each its own group (the index's worst case). */
  'tiny-groups',
  /** Every sample under a family of its own (`#HELP` before each): the most family changes per byte. */
  'family-per-sample',
  /** Lines of 30,000 labels each (duplicate-label checks). */
  'many-labels',
  /** Label values of escape sequences followed by text (the closing-quote search). */
  'escaped-values',
  /** Plain shape with label values in CJK and emoji (no Latin-1 text anywhere). */
  'non-latin1',
  /** Lines of hundreds of kilobytes: long names, long label values, long blank runs. */
  'long-lines',
] as const;
export type BodyShape = (typeof BODY_SHAPES)[number];

const HEARTBEAT = 1_764_000_000;

/** A body of about `bytes` bytes (within one line) in `shape`. */
export function hostileBody(shape: BodyShape, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  const add = (line: string) => {
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  };
  const fill = (make: (index: number) => string) => {
    for (let index = 0; size < bytes; index++) add(make(index));
  };
  switch (shape) {
    case 'plain':
    case 'non-latin1': {
      const name = shape === 'plain' ? (i: number) => `svc${i}` : (i: number) => `サービス${i}🚀`;
      const groups = Math.max(1, Math.round(bytes / (shape === 'plain' ? 300 : 360)));
      const families: [string, string, (i: number) => string][] = [
        ['loop_errors_total', 'counter', (i) => String(i % 7)],
        ['loop_heartbeat_timestamp_seconds', 'gauge', (i) => String(HEARTBEAT + i)],
        ['push_failure_time_seconds', 'gauge', () => '0'],
        ['push_time_seconds', 'gauge', (i) => `${HEARTBEAT + i}.123456789`],
      ];
      for (const [family, type, value] of families) {
        add(`# HELP ${family} ${family.replaceAll('_', ' ')}.`);
        add(`# TYPE ${family} ${type}`);
        for (let i = 0; i < groups; i++) add(`${family}{instance="${name(i)}",job="heartbeat",service="${name(i)}"} ${value(i)}`);
      }
      break;
    }
    case 'tiny-groups':
      fill((i) => `a{job="${i.toString(36)}"}1`);
      break;
    case 'family-per-sample':
      fill((i) => `#HELP f${i.toString(36)}\nf${i.toString(36)}{job="${i.toString(36)}"}1`);
      break;
    case 'many-labels':
      fill((i) => {
        const labels = Array.from({ length: 30_000 }, (_, k) => `l${k.toString(36)}="${k % 10}"`).join(',');
        return `wide{${labels},job="heartbeat",instance="wide${i}"} 1`;
      });
      break;
    case 'escaped-values': {
      // No escaped quote: a closing-quote search restarted after each escape runs to the value's end every time.
      const escapes = '\\\\\\n'.repeat(30_000);
      fill((i) => `m{job="heartbeat",instance="esc${i}",note="${escapes}${'x'.repeat(100_000)}"} 1`);
      break;
    }
    case 'long-lines':
      fill((i) => {
        switch (i % 3) {
          case 0: return `${'n'.repeat(300_000)}{job="long",instance="name${i}"} 1`;
          case 1: return `m{job="long",instance="value${i}",v="${'v'.repeat(300_000)}"} 1`;
          default: return `m{job="long",instance="blank${i}"}${' '.repeat(300_000)}1`;
        }
      });
      break;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The push of finding 1: one label value of 400,000 escape sequences followed by 4 MB of text,
 * which Pushgateway accepts (the line is over 1 MiB: the index leaves it out, unread).
 */
export function freezingPush(): string {
  return `frozen{note="${'\\\\'.repeat(400_000)}${'x'.repeat(4_000_000)}"} 1\n`;
}

/** The same attack kept under the 1 MiB line limit, so every byte of it is scanned: 200,000 escapes and 500 kB of text. */
export function escapesPush(): string {
  return `escapes{note="${'\\\\'.repeat(200_000)}${'x'.repeat(500_000)}"} 1\n`;
}

/** One line of `labels` labels (30,000: 0.4 MB): quadratic duplicate checks stalled on it for seconds. */
export function manyLabelsPush(labels = 30_000): string {
  return `wide{${Array.from({ length: labels }, (_, k) => `l${k}="${k}"`).join(',')}} 1\n`;
}
