import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldReader, Problems } from '../../lib/core/config/field-rules.ts';
import { maintenanceWindows, okWhenRules, serviceSchedule } from '../../lib/core/config/service-fields.ts';
import { parseSchedule } from '../../lib/core/rules/schedule.ts';
import { validated, validationProblems, withGateway } from '../support/config-problems.ts';

// A service's keys read one rule at a time, with what each gives back when the config is wrong too
// (validateConfig throws then, so only a direct read sees it), and the keys a service carries only
// when set (docs/configuration.md). Written for the mutation run (docs/testing.md#mutation-score).

/** What reading `fields` with `readWith` gives, and the problems it added. */
function read<T>(fields: Record<string, unknown>, readWith: (reader: FieldReader) => T): { value: T; problems: string[] } {
  const problems = new Problems();
  const value = readWith(new FieldReader(fields, '', problems));
  return { value, problems: problems.list };
}

const DEFAULTS = { graceSeconds: 300, timezone: 'UTC' };
const GATEWAYS = ['http://a:9091', 'http://b:9091'];

describe('serviceSchedule', () => {
  it('reads no schedule, adding only the type problem, when schedule is not a string', () => {
    assert.deepEqual(read({ schedule: 5 }, (r) => serviceSchedule(r, DEFAULTS, parseSchedule)), { value: undefined, problems: ['schedule: must be a non-empty string, got 5'] });
  });

  it('reads no schedule when the time zone is unknown, rather than one in the default zone', () => {
    const { value, problems } = read({ schedule: '@hourly', timezone: 'Nowhere' }, (r) => serviceSchedule(r, DEFAULTS, parseSchedule));
    assert.equal(value, undefined);
    assert.deepEqual(problems, ['timezone: unknown time zone "Nowhere" (use an IANA name such as Europe/Berlin or UTC)']);
  });

  it('reads the zone and grace given, else the defaults', () => {
    const given = read({ schedule: '@hourly', timezone: 'Europe/Berlin', grace_seconds: 5 }, (r) => serviceSchedule(r, DEFAULTS, parseSchedule));
    assert.deepEqual([given.value?.schedule.timezone, given.value?.graceSeconds, given.problems], ['Europe/Berlin', 5, []]);
    const defaulted = read({ schedule: '@hourly' }, (r) => serviceSchedule(r, DEFAULTS, parseSchedule));
    assert.deepEqual([defaulted.value?.schedule.timezone, defaulted.value?.graceSeconds, defaulted.problems], ['UTC', 300, []]);
  });
});

describe('okWhenRules', () => {
  it('names a single rule of the wrong type by the key itself, a listed one by its index', () => {
    assert.deepEqual(read({ ok_when: 3 }, okWhenRules), { value: [], problems: ['ok_when: must be a rule such as "loop_status == 1", got 3'] });
    assert.deepEqual(read({ ok_when: ['loop_status == 1', true] }, okWhenRules).problems, ['ok_when[1]: must be a rule such as "loop_status == 1", got true']);
  });
});

describe('maintenanceWindows', () => {
  const window = { from: '2026-12-24T18:00:00Z', to: '2026-12-24T20:00:00Z' };

  it('reads no key and null alike as no windows, with no problem', () => {
    assert.deepEqual(read({}, maintenanceWindows), { value: [], problems: [] });
    assert.deepEqual(read({ maintenance: null }, maintenanceWindows), { value: [], problems: [] });
  });

  it('reads no windows at all from a value that is not a list', () => {
    assert.deepEqual(read({ maintenance: window }, maintenanceWindows), { value: [], problems: ['maintenance: must be a list of {from, to} windows, got a mapping'] });
  });

  it('keeps a window only when both ends read, and the reason only when given', () => {
    const at = (text: string): number => Date.parse(text) / 1000;
    const { value, problems } = read({ maintenance: [{ from: window.from }, { to: window.to }, { from: 5, to: window.to }, window, { ...window, reason: 'upgrade' }] }, maintenanceWindows);
    assert.deepEqual(value, [
      { fromSeconds: at(window.from), toSeconds: at(window.to), reason: undefined },
      { fromSeconds: at(window.from), toSeconds: at(window.to), reason: 'upgrade' },
    ]);
    assert.deepEqual(problems, [
      'maintenance[0].to: required (an RFC 3339 time such as 2026-12-24T18:00:00+01:00)',
      'maintenance[1].from: required (an RFC 3339 time such as 2026-12-24T18:00:00+01:00)',
      'maintenance[2].from: must be an RFC 3339 time with an offset, such as 2026-12-24T18:00:00Z, got 5',
    ]);
  });

  it('refuses a list holding a time, whose text would read as that time', () => {
    assert.deepEqual(read({ maintenance: [{ from: [window.from], to: window.to }] }, maintenanceWindows), {
      value: [], problems: ['maintenance[0].from: must be an RFC 3339 time with an offset, such as 2026-12-24T18:00:00Z, got a list'],
    });
  });

  it('refuses a window that ends where it starts, and takes one a microsecond long', () => {
    assert.deepEqual(read({ maintenance: [{ from: window.from, to: window.from }] }, maintenanceWindows), { value: [], problems: ['maintenance[0].to: must be later than from'] });
    assert.equal(read({ maintenance: [{ from: window.from, to: '2026-12-24T18:00:00.000001Z' }] }, maintenanceWindows).value.length, 1);
  });
});

describe('a service\'s own keys through validateConfig', () => {
  it('reads services: null as no services', () => {
    assert.equal(validated({ services: null }).services.size, 0);
  });

  it('names every service without a usable name, and never calls two of them duplicates', () => {
    assert.deepEqual(validationProblems(withGateway({ services: [{ job: 'a' }, { name: 5 }, { name: '' }] })), [
      'services[0].name: required', 'services[1].name: must be a non-empty string, got 5', 'services[2].name: must be a non-empty string, got ""',
    ]);
  });

  it('carries pushgateways and expireAfterSeconds only when set, from defaults: or its own keys', () => {
    const plain = validated({ services: [{ name: 'a' }] }).services.get('a');
    assert.equal(plain !== undefined && ('pushgateways' in plain || 'expireAfterSeconds' in plain), false);
    const fromDefaults = validated({ pushgateway_url: GATEWAYS, expire_after_seconds: 600, defaults: { pushgateways: ['http://b:9091'] }, services: [{ name: 'a' }] }).services.get('a');
    assert.deepEqual([fromDefaults?.pushgateways, fromDefaults?.expireAfterSeconds], [['http://b:9091'], 600]);
    const own = validated({ pushgateway_url: GATEWAYS, expire_after_seconds: 600, services: [{ name: 'a', pushgateways: ['http://a:9091'], expire_after_seconds: 60 }] }).services.get('a');
    assert.deepEqual([own?.pushgateways, own?.expireAfterSeconds], [['http://a:9091'], 60]);
  });

  it('takes never as a service\'s expire_after_seconds, and names every other string and number', () => {
    const never = validated({ expire_after_seconds: 600, services: [{ name: 'a', expire_after_seconds: 'never' }] }).services.get('a');
    assert.equal(never !== undefined && 'expireAfterSeconds' in never, false);
    assert.deepEqual(validationProblems(withGateway({ services: [{ name: 'a', expire_after_seconds: 'Never' }, { name: 'b', expire_after_seconds: '' }] })), [
      'services[0].expire_after_seconds: must be a positive number or never, got "Never"',
      'services[1].expire_after_seconds: must be a positive number or never, got ""',
    ]);
    assert.match(validationProblems(withGateway({ services: [{ name: 'a', expire_after_seconds: 0 }] }))[0] ?? '', /^services\[0\]\.expire_after_seconds: must be /);
  });
});
