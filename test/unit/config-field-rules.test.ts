import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFIG_RANGES, describeRange, type RangedKey } from '../../lib/core/config/config-ranges.ts';
import { FieldReader, httpUrl, Problems, show } from '../../lib/core/config/field-rules.ts';

// Every rule a config key is read by, at its limits, with the problem it adds word for word
// (docs/configuration-ranges.md): a user reads these lines and nothing else.

/** What reading `fields` with `read` gives, and the problems it added. */
function read<T>(fields: Record<string, unknown>, readWith: (reader: FieldReader) => T, prefix = ''): { value: T; problems: string[] } {
  const problems = new Problems();
  const value = readWith(new FieldReader(fields, prefix, problems));
  return { value, problems: problems.list };
}

describe('FieldReader.number at the edges of every range', () => {
  for (const [key, range] of Object.entries(CONFIG_RANGES) as [RangedKey, (typeof CONFIG_RANGES)[RangedKey]][]) {
    it(`${key}: takes ${range.min} and ${range.max}, refuses just outside both with the range`, () => {
      assert.deepEqual(read({ [key]: range.min }, (r) => r.number(key)), { value: range.min, problems: [] });
      assert.deepEqual(read({ [key]: range.max }, (r) => r.number(key)), { value: range.max, problems: [] });
      const step = range.integer ? 1 : 0.0001;
      const must = `must be ${range.integer ? 'a whole number ' : ''}${describeRange(range)}`;
      for (const outside of [range.min - step, range.max + step]) {
        assert.deepEqual(read({ [key]: outside }, (r) => r.number(key)), { value: undefined, problems: [`${key}: ${must}, got ${outside}`] });
      }
    });
  }

  it('refuses a fraction for a whole-number key, saying so', () => {
    assert.deepEqual(read({ replicas: 1.5 }, (r) => r.number('replicas')), { value: undefined, problems: ['replicas: must be a whole number between 1 and 1000, got 1.5'] });
    assert.deepEqual(read({ max_discovered_services: '7' }, (r) => r.number('max_discovered_services')), { value: undefined, problems: ['max_discovered_services: must be a whole number between 1 and 100000 services, got "7"'] });
  });

  it('names a value of the wrong type: a positive number where the range starts above 0, a number where it starts at 0', () => {
    assert.deepEqual(read({ timeout_seconds: 'soon' }, (r) => r.number('timeout_seconds')).problems, ['timeout_seconds: must be a positive number, got "soon"']);
    assert.deepEqual(read({ grace_seconds: [1] }, (r) => r.number('grace_seconds')).problems, ['grace_seconds: must be a number, got a list']);
    assert.deepEqual(read({ grace_seconds: 0 }, (r) => r.number('grace_seconds')), { value: 0, problems: [] });
  });

  it('reads an alias by its own path with its key\'s range', () => {
    assert.deepEqual(read({ default_freshness_threshold_seconds: 0 }, (r) => r.number('default_freshness_threshold_seconds', 'freshness_threshold_seconds'), 'defaults.'), {
      value: undefined, problems: ['defaults.default_freshness_threshold_seconds: must be between 0.001 and 31622400 seconds (366 days), got 0'],
    });
  });

  it('reads an absent key as undefined with no problem', () => {
    assert.deepEqual(read({}, (r) => r.number('timeout_seconds')), { value: undefined, problems: [] });
  });
});

describe('describeRange', () => {
  it('says the unit and the note only where a range has them', () => {
    assert.equal(describeRange(CONFIG_RANGES.replicas), 'between 1 and 1000');
    assert.equal(describeRange(CONFIG_RANGES.timeout_seconds), 'between 0.1 and 300 seconds');
    assert.equal(describeRange(CONFIG_RANGES.max_stale_seconds), 'between 0.001 and 604800 seconds (1 week)');
  });
});

describe('the other field rules, each with its exact problem', () => {
  const table: { name: string; fields: Record<string, unknown>; readWith: (reader: FieldReader) => unknown; value: unknown; problems: string[] }[] = [
    { name: 'a non-empty string', fields: { name: 'a' }, readWith: (r) => r.nonEmptyString('name'), value: 'a', problems: [] },
    { name: 'an empty string', fields: { name: '' }, readWith: (r) => r.nonEmptyString('name'), value: undefined, problems: ['s.name: must be a non-empty string, got ""'] },
    { name: 'a number for a string', fields: { name: 3 }, readWith: (r) => r.nonEmptyString('name'), value: undefined, problems: ['s.name: must be a non-empty string, got 3'] },
    { name: 'a list for a string, though it has a length', fields: { name: ['a'] }, readWith: (r) => r.nonEmptyString('name'), value: undefined, problems: ['s.name: must be a non-empty string, got a list'] },
    { name: 'a metric name', fields: { m: 'a:b_1' }, readWith: (r) => r.metricName('m'), value: 'a:b_1', problems: [] },
    { name: 'a bad metric name', fields: { m: '1a' }, readWith: (r) => r.metricName('m'), value: undefined, problems: ['s.m: must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got "1a"'] },
    { name: 'an empty metric name, once', fields: { m: '' }, readWith: (r) => r.metricName('m'), value: undefined, problems: ['s.m: must be a non-empty string, got ""'] },
    { name: 'a time zone', fields: { tz: 'America/New_York' }, readWith: (r) => r.timezone('tz'), value: 'America/New_York', problems: [] },
    { name: 'an unknown time zone', fields: { tz: 'Mars/Olympus' }, readWith: (r) => r.timezone('tz'), value: undefined, problems: ['s.tz: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin or UTC)'] },
    { name: 'false', fields: { b: false }, readWith: (r) => r.boolean('b'), value: false, problems: [] },
    { name: 'a string for a boolean', fields: { b: 'yes' }, readWith: (r) => r.boolean('b'), value: undefined, problems: ['s.b: must be true or false, got "yes"'] },
    { name: 'a secret', fields: { t: 'hunter2' }, readWith: (r) => r.secret('t'), value: 'hunter2', problems: [] },
    { name: 'an empty secret, never shown', fields: { t: '' }, readWith: (r) => r.secret('t'), value: undefined, problems: ['s.t: must be a non-empty string (value not shown)'] },
    { name: 'a mapping for a secret, never shown', fields: { t: { a: 1 } }, readWith: (r) => r.secret('t'), value: undefined, problems: ['s.t: must be a non-empty string (value not shown)'] },
    { name: 'a list for a secret, though it has a length, never shown', fields: { t: ['hunter2'] }, readWith: (r) => r.secret('t'), value: undefined, problems: ['s.t: must be a non-empty string (value not shown)'] },
    { name: 'an Object.prototype member as a key, absent', fields: {}, readWith: (r) => [r.value('toString'), r.has('toString'), r.nonEmptyString('constructor')], value: [undefined, false, undefined], problems: [] },
    { name: 'a key set to null, present', fields: { n: null }, readWith: (r) => r.has('n'), value: true, problems: [] },
  ];
  for (const row of table) {
    it(row.name, () => {
      assert.deepEqual(read(row.fields, row.readWith, 's.'), { value: row.value, problems: row.problems });
    });
  }

  it('names each unknown key once: a misspelling with its nearest known key, an odd key quoted, anything else with the known keys', () => {
    const { problems } = read({ name: 'a', nmae: 'b', 'we"ird\nkey': 1, zzzzzzzz: 2 }, (r) => r.unknownKeys(['name', 'schedule']), 'services[0].');
    assert.deepEqual(problems, [
      'services[0].nmae: unknown key; did you mean name?',
      'services[0]."we\\"ird\\nkey": unknown key (known keys: name, schedule)',
      'services[0].zzzzzzzz: unknown key (known keys: name, schedule)',
    ]);
  });

  it('gives a nested mapping its own path', () => {
    const problems = new Problems();
    new FieldReader({}, 'services[2].', problems).nested('maintenance[1]', { start: '' }).nonEmptyString('start');
    assert.deepEqual(problems.list, ['services[2].maintenance[1].start: must be a non-empty string, got ""']);
  });
});

describe('show and httpUrl', () => {
  it('names a value by kind, strings quoted and clipped', () => {
    assert.deepEqual([undefined, null, 3, true, 'x"y', [1], { a: 1 }].map(show), ['nothing', 'null', '3', 'true', '"x\\"y"', 'a list', 'a mapping']);
    assert.equal(show('y'.repeat(100)), `"${'y'.repeat(80)}…"`);
  });

  it('strips every trailing slash from a good URL and adds nothing', () => {
    const problems = new Problems();
    assert.equal(httpUrl('http://pushgateway:9091///', 'pushgateway_url', problems), 'http://pushgateway:9091');
    assert.equal(httpUrl('https://a/b/', 'pushgateway_url', problems), 'https://a/b');
    assert.deepEqual(problems.list, []);
  });

  it('adds the problem of a bad URL at its path', () => {
    const problems = new Problems();
    assert.equal(httpUrl('ftp://x', 'pushgateway_url', problems), undefined);
    assert.equal(problems.list.length, 1);
    assert.match(problems.list[0] ?? '', /^pushgateway_url: must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/x"$/);
  });
});
