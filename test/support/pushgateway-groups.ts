/** One group as Pushgateway's `/api/v1/metrics` reports it: its grouping labels and its metric families. */
export interface PushedGroup {
  readonly labels: Readonly<Record<string, string>>;
  readonly families: ReadonlyMap<string, PushedFamily>;
}

export interface PushedFamily {
  readonly type: string;
  readonly samples: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: number }[];
}

interface ApiFamily {
  readonly type?: string;
  readonly metrics?: readonly { readonly labels?: Record<string, string>; readonly value?: string }[];
}

/** Every group on the Pushgateway, read from its JSON API (which decodes grouping keys for us). */
export async function pushedGroups(pushgatewayUrl: string): Promise<PushedGroup[]> {
  const response = await fetch(`${pushgatewayUrl}/api/v1/metrics`);
  if (!response.ok) throw new Error(`GET /api/v1/metrics: HTTP ${response.status}`);
  const json = (await response.json()) as { data: Record<string, unknown>[] };
  return json.data.map((entry) => {
    const families = new Map<string, PushedFamily>();
    for (const [name, value] of Object.entries(entry)) {
      if (name === 'labels' || name === 'last_push_successful' || value === null || typeof value !== 'object') continue;
      const family = value as ApiFamily;
      families.set(name, {
        type: (family.type ?? '').toLowerCase(),
        samples: (family.metrics ?? []).map((metric) => ({ labels: metric.labels ?? {}, value: Number(metric.value) })),
      });
    }
    return { labels: entry.labels as Record<string, string>, families };
  });
}

/** The group whose grouping labels are exactly `labels`, if any. */
export async function pushedGroup(pushgatewayUrl: string, labels: Readonly<Record<string, string>>): Promise<PushedGroup | undefined> {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return (await pushedGroups(pushgatewayUrl)).find((group) => JSON.stringify(Object.entries(group.labels).sort()) === wanted);
}

/** The value of a metric's only sample in a group, or undefined. */
export function valueOf(group: PushedGroup | undefined, metric: string): number | undefined {
  return group?.families.get(metric)?.samples[0]?.value;
}
