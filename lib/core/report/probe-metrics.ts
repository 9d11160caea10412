import { PROBE_STATES, type PassThrough, type ProbeEvaluation } from '../probe/probe-evaluation.ts';
import { isMetricType, type Labels } from '../exposition/exposition-types.ts';
import { escapeHelp, formatLabels, formatValue, renderExposition, type MetricFamily, type RenderedSample } from '../exposition/exposition-renderer.ts';
import { newLabelSet } from '../exposition/label-set.ts';
import { MAX_LOOKUP_BYTES, MAX_LOOKUP_SAMPLES, type Snapshot } from '../snapshot/snapshot.ts';
import type { GatewayRead } from '../snapshot/snapshot-read.ts';
import { seriesId } from '../snapshot/series-identity.ts';
import { roundSeconds } from '../time/round-seconds.ts';
import { formatMicroValue } from '../exposition/micro-value.ts';
import { isAscii } from '../ascii-text.ts';
import { flatText } from '../flat-text.ts';

/** What the probe knows beyond the evaluation: the Pushgateway read and the config behind it. */
export interface ProbeContext {
  /** True when the snapshot came from a successful read (not a stale fallback, not missing). */
  readonly pushgatewayUp: boolean;
  /** Age of the snapshot used; undefined when there is none. */
  readonly snapshotAgeSeconds: number | undefined;
  readonly durationSeconds: number;
  /** False while a failed config reload left the last good config in force. */
  readonly configReloadSuccessful: boolean;
  /** Each Pushgateway read, only with several (docs/high-availability.md#per-gateway-health): one adds nothing to an answer. */
  readonly gateways?: readonly GatewayRead[] | undefined;
}

const GATEWAY_READ = {
  name: 'probe_pushgateway_read_success',
  help: 'Whether the latest read of this Pushgateway succeeded (only with several; probe_pushgateway_up is 1 when any did).',
} as const;

/** One series per Pushgateway read, labelled with its URL redacted of credentials; none with one Pushgateway. */
function gatewayFamilies(context: ProbeContext): MetricFamily[] {
  if (context.gateways === undefined) return [];
  const samples = context.gateways.map((gateway) => ({ labels: { pushgateway: gateway.pushgateway }, value: bool(gateway.up) }));
  return [{ name: GATEWAY_READ.name, help: GATEWAY_READ.help, type: 'gauge', samples }];
}

function gauge(name: string, help: string, value: number | undefined): MetricFamily {
  return { name, help, type: 'gauge', samples: value === undefined ? [] : [{ value }] };
}

const bool = (flag: boolean): number => (flag ? 1 : 0);
/** One label set per state, made once: every probe renders all seven. */
const STATE_LABELS: readonly Labels[] = PROBE_STATES.map((state) => ({ state }));
/** Durations and ages to the microsecond: finer digits are clock noise. */
const micro = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : roundSeconds(seconds, 'micro'));

/**
 * The probe's metric families (docs/probe-rules.md#metrics), followed by the target group's
 * pass-through samples.
 */
export function buildProbeMetrics(
  evaluation: ProbeEvaluation,
  context: ProbeContext,
  snapshot: Snapshot,
): MetricFamily[] {
  return buildProbeOwnMetrics(evaluation, context).concat(passThroughFamilies(evaluation.passThrough, evaluation.target, snapshot));
}

/** One of the probe's own gauges: its name, help, value, and its two header lines rendered once. */
interface OwnGauge {
  readonly name: string;
  readonly help: string;
  readonly value: (evaluation: ProbeEvaluation, context: ProbeContext) => number | undefined;
  /**
   * Seconds whose finer digits are clock noise: rounded to the microsecond (gaugeValue), and so
   * written from their count of microseconds (formatMicroValue, which needs a rounded value).
   */
  readonly roundedToMicro: boolean;
  /** `# HELP` and `# TYPE`, as renderExposition writes them. */
  readonly head: string;
  /** The head and the sample's name up to its value, one flat string: a line is this, the value and a newline. */
  readonly prefix: string;
  /**
   * The value of the line this gauge rendered last, and that line: most values (a heartbeat's
   * time, a threshold, a 1 or 0) repeat from answer to answer, and are then neither formatted nor
   * joined again. Equal values render equal lines (0 and -0 both as "0"; NaN never equals itself).
   */
  lastValue: number;
  lastLine: string;
}

const own = (name: string, help: string, value: OwnGauge['value'], roundedToMicro = false): OwnGauge => {
  const head = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} gauge\n`;
  return { name, help, value, roundedToMicro, head, prefix: flatText(`${head}${name} `), lastValue: Number.NaN, lastLine: '' };
};

/** A gauge's value for an answer: a `roundedToMicro` one rounded to the microsecond. */
function gaugeValue(entry: OwnGauge, evaluation: ProbeEvaluation, context: ProbeContext): number | undefined {
  const value = entry.value(evaluation, context);
  return entry.roundedToMicro ? micro(value) : value;
}

/** `probe_state`: one series per state, rendered apart. */
const STATE = own('probe_state', 'Why the probe answered as it did: the series of the state that holds is 1.', () => undefined);
/** `probe_state{state="…"} `, per state, in PROBE_STATES order. */
const STATE_LINES: readonly string[] = STATE_LABELS.map((labels) => `${STATE.name}${formatLabels(labels)} `);
/**
 * The whole `probe_state` family, rendered once per state (by `PROBE_STATES` index), plus one for
 * a state outside the list: a warm probe appends one constant string, no new one per answer.
 */
const STATE_BLOCKS: readonly string[] = [...PROBE_STATES, undefined].map((held) =>
  flatText(STATE.head + PROBE_STATES.map((state, index) => `${STATE_LINES[index]}${state === held ? '1' : '0'}\n`).join('')));

/** The probe's own gauges, in the order of every answer (docs/probe-rules.md#metrics). */
const OWN_GAUGES: readonly OwnGauge[] = [
  own('probe_success', 'Whether the service is up or paused (1) or not (0).', (e) => bool(e.success)),
  STATE,
  own('probe_duration_seconds', 'Returns how long the probe took to complete in seconds.', (_e, c) => c.durationSeconds, true),
  own('probe_heartbeat_found', 'Whether a heartbeat sample for the target was found on the Pushgateway.', (e) => bool(e.heartbeat.found !== undefined)),
  own('probe_heartbeat_timestamp_seconds', 'Unix time of the newest heartbeat for the target.', (e) => e.heartbeat.found?.timestampSeconds),
  own('probe_heartbeat_age_seconds', 'Seconds since the newest heartbeat for the target.', (e) => e.heartbeat.ageSeconds, true),
  own('probe_freshness_threshold_seconds', 'Maximum heartbeat age considered fresh (services without a schedule).', (e) => e.service.freshnessThresholdSeconds),
  own('probe_next_expected_timestamp_seconds', 'Unix time by which the next heartbeat is due, before grace.', (e) => e.deadline.nextExpectedSeconds),
  own('probe_late_seconds', 'Seconds the service is past its deadline, grace included (0 when on time).', (e) => e.deadline.lateSeconds, true),
  own('probe_last_run_duration_seconds', 'Duration of the last finished run, from the pushed run signals.', (e) => e.run.lastRunDurationSeconds, true),
  own('probe_pushgateway_up', 'Whether the snapshot used came from a successful Pushgateway read.', (_e, c) => bool(c.pushgatewayUp)),
  own('probe_snapshot_age_seconds', 'Age of the Pushgateway snapshot used by the probe.', (_e, c) => c.snapshotAgeSeconds, true),
  own('probe_push_time_seconds', "Pushgateway's last push time of the target's group.", (e) => e.heartbeat.found?.group.pushTimeSeconds),
  own('probe_config_last_reload_successful', 'Whether the last config reload succeeded (0: an older good config is in force).', (_e, c) => bool(c.configReloadSuccessful)),
];
/** Only when it happens: an ordinary probe's answer is unchanged. */
const TRUNCATED = own(
  'probe_passthrough_truncated',
  `Whether the target's group held more than the ${MAX_LOOKUP_SAMPLES} series or ${MAX_LOOKUP_BYTES / 1024} KiB passed through (its last lines are).`,
  (e) => (e.passThrough.truncated ? 1 : undefined),
);
const REPLICA_GAUGES: readonly OwnGauge[] = [
  own('probe_replicas_fresh', 'Distinct instances with a fresh heartbeat for the target.', (e) => e.replicas?.fresh),
  own('probe_replicas_expected', 'Minimum number of fresh instances for the probe to succeed.', (e) => e.replicas?.expected),
];

/** The probe's own families, without the pass-through ones: the part of an answer that changes with the time judged. */
export function buildProbeOwnMetrics(evaluation: ProbeEvaluation, context: ProbeContext): MetricFamily[] {
  const families: MetricFamily[] = OWN_GAUGES.map((entry) => entry === STATE
    ? { name: STATE.name, help: STATE.help, type: 'gauge', samples: PROBE_STATES.map((state, index) => ({ labels: STATE_LABELS[index], value: bool(state === evaluation.state) })) }
    : gauge(entry.name, entry.help, gaugeValue(entry, evaluation, context)));
  if (evaluation.passThrough.truncated) families.push(gauge(TRUNCATED.name, TRUNCATED.help, 1));
  if (evaluation.replicas !== undefined) for (const entry of REPLICA_GAUGES) families.push(gauge(entry.name, entry.help, gaugeValue(entry, evaluation, context)));
  return families.concat(gatewayFamilies(context));
}

/**
 * renderExposition(buildProbeOwnMetrics(…)), written straight from the values: the headers are
 * rendered once, and a warm probe makes no family objects (test/unit/probe-answer-cache.test.ts
 * checks the two agree).
 */
export function renderProbeOwnMetrics(evaluation: ProbeEvaluation, context: ProbeContext): string {
  let out = '';
  for (const entry of OWN_GAUGES) {
    if (entry === STATE) {
      const held = PROBE_STATES.indexOf(evaluation.state);
      out += STATE_BLOCKS[held === -1 ? PROBE_STATES.length : held] ?? '';
      continue;
    }
    out += ownLine(entry, evaluation, context);
  }
  if (evaluation.passThrough.truncated) out += ownLine(TRUNCATED, evaluation, context);
  if (evaluation.replicas !== undefined) for (const entry of REPLICA_GAUGES) out += ownLine(entry, evaluation, context);
  if (context.gateways !== undefined) out += renderExposition(gatewayFamilies(context));
  return out;
}

/**
 * Whether `own`, what renderProbeOwnMetrics gave for `context`, is all ASCII. Its names and numbers
 * are; only the URLs of several Pushgateways are text from a config, so only then is it scanned.
 */
export const ownMetricsAscii = (own: string, context: ProbeContext): boolean => context.gateways === undefined || isAscii(own);

function ownLine(entry: OwnGauge, evaluation: ProbeEvaluation, context: ProbeContext): string {
  const value = gaugeValue(entry, evaluation, context);
  if (value === undefined) return '';
  if (value !== entry.lastValue) {
    entry.lastValue = value;
    entry.lastLine = `${entry.prefix}${entry.roundedToMicro ? formatMicroValue(value) : formatValue(value)}\n`;
  }
  return entry.lastLine;
}

/**
 * The pushed samples passed through, as families: they depend on the snapshot, the service and
 * the target only, never on the time judged (../report/probe-answer-cache.ts keeps them rendered).
 */
export function passThroughFamilies(passThrough: PassThrough, target: string, snapshot: Snapshot): MetricFamily[] {
  const byFamily = new Map<string, { name: string; labels: Record<string, string>; value: number }[]>();
  for (const sample of passThrough.samples) {
    let list = byFamily.get(sample.family);
    if (list === undefined) byFamily.set(sample.family, (list = []));
    list.push({ name: sample.name, labels: sample.labels, value: sample.value });
  }
  const families: MetricFamily[] = [];
  for (const [name, samples] of byFamily) {
    const meta = snapshot.families.get(name);
    const type = isMetricType(meta?.type) ? meta.type : 'untyped';
    families.push({ name, help: meta?.help ?? `Pushed to the Pushgateway by ${target}.`, type, samples });
  }
  return families;
}

/** Per-service series in one answer get this label. */
const SERVICE_LABEL = 'service';

/**
 * Sets `service`; a pushed value that differs moves to `exported_service` (and an existing
 * one of those to `exported_exported_service`, …), as Prometheus does with conflicting labels.
 * A label set and own-property reads only: a pushed label named `constructor`, `toString` or
 * `__proto__` is a label like any other, never mistaken for one already set.
 */
function withService(labels: Labels | undefined, service: string): Labels {
  const out = newLabelSet();
  out[SERVICE_LABEL] = service;
  if (labels === undefined) return out;
  let carried = Object.hasOwn(labels, SERVICE_LABEL) ? labels[SERVICE_LABEL] : undefined;
  let name = SERVICE_LABEL;
  while (carried !== undefined && carried !== service) {
    name = `exported_${name}`;
    const displaced = Object.hasOwn(labels, name) ? labels[name] : undefined;
    out[name] = carried;
    carried = displaced;
  }
  // `out` has nothing behind it: undefined there means not set yet, whatever the name.
  for (const label of Object.keys(labels)) if (out[label] === undefined) out[label] = labels[label] as string;
  return out;
}

/**
 * Every service's probe metrics in one exposition (`GET /probes`): each series labelled with its
 * service, families merged by name, and one `probe_duration_seconds` for the whole answer.
 */
export function buildAllProbesMetrics(
  evaluations: readonly ProbeEvaluation[],
  context: ProbeContext,
  snapshot: Snapshot,
): MetricFamily[] {
  // Samples by series identity, known only once `service` is set: an unlabelled pushed sample and
  // one labelled with its own service become the same series, and the later one wins.
  const merged = new Map<string, { family: MetricFamily; samples: Map<string, RenderedSample> }>();
  for (const evaluation of evaluations) {
    for (const family of buildProbeMetrics(evaluation, context, snapshot)) {
      // Once for the whole answer, not per service: every service's read of a Pushgateway is the same read.
      if (family.name === 'probe_duration_seconds' || family.name === GATEWAY_READ.name) continue;
      let entry = merged.get(family.name);
      if (entry === undefined) merged.set(family.name, (entry = { family, samples: new Map() }));
      for (const sample of family.samples) {
        const labels = withService(sample.labels, evaluation.target);
        const id = seriesId(sample.name ?? family.name, labels);
        entry.samples.set(id, { ...sample, labels });
      }
    }
  }
  const duration = gauge('probe_duration_seconds', 'Returns how long the probes took to complete in seconds.', micro(context.durationSeconds));
  return [duration, ...[...merged.values()].map(({ family, samples }) => ({ ...family, samples: [...samples.values()] })), ...gatewayFamilies(context)];
}
