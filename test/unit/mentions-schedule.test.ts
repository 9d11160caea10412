import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { validateConfigData } from '../../lib/core/config/config-validation.ts';
import { parseConfigYaml } from '../../lib/core/config/config-yaml.ts';
import { mentionsSchedule } from '../../lib/core/config/mentions-schedule.ts';
import { validateConfig } from '../../lib/core/config/validate-config.ts';
import type { ScheduleParser } from '../../lib/core/rules/schedule-types.ts';

// docs/deploying.md#cold-start: the config loader loads croner only for data that mentions a
// schedule. These hold that data which does not never needs it, and validates as it did with croner.

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'config');

/** The config or the problems validation gives, as text (a schedule holds a croner object). */
const outcome = (validate: () => unknown): string => {
  try {
    return inspect(validate(), { depth: Infinity, sorted: true, getters: false });
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
};

const refusing: ScheduleParser = (expression) => {
  throw new Error(`schedule parser called for ${expression}`);
};

/** Config-shaped data: services with keys drawn from the real ones (schedule among them), nested values. */
const key = fc.constantFrom('name', 'schedule', 'timezone', 'grace_seconds', 'freshness_threshold_seconds', 'maintenance', 'from', 'ok_when', 'defaults', 'paused');
const leaf = fc.oneof(fc.constantFrom('0 9 * * *', '@hourly', '61 * * * *', 'x * * * *', '', 'svc', 'UTC', 'Mars/Olympus'), fc.integer(), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
})).value;
const service = fc.dictionary(key, value, { maxKeys: 5 });
const config = fc.record({ pushgateway_url: fc.constant('http://pg:9091'), services: fc.array(service, { maxLength: 4 }) }, { requiredKeys: ['pushgateway_url'] });

describe('mentionsSchedule', () => {
  it('finds a schedule key at any depth, and only an own key', () => {
    assert.equal(mentionsSchedule({ pushgateway_url: 'http://pg:9091', services: [{ name: 'a' }, { name: 'b', schedule: '@hourly' }] }), true);
    assert.equal(mentionsSchedule({ services: [{ name: 'a', maintenance: [{ schedule: null }] }] }), true);
    assert.equal(mentionsSchedule([[{ schedule: 1 }]]), true);
    assert.equal(mentionsSchedule({ pushgateway_url: 'http://pg:9091', services: [{ name: 'schedule' }, 'schedule'] }), false);
    assert.equal(mentionsSchedule(Object.create({ schedule: '@hourly' }) as unknown), false);
    for (const scalar of [null, undefined, 'schedule', 3]) assert.equal(mentionsSchedule(scalar), false);
  });

  it('is true of every fixture whose validation compiles a schedule, and the others validate the same without croner', () => {
    let without = 0;
    for (const name of readdirSync(FIXTURES).filter((file) => file.endsWith('.yml'))) {
      let data: unknown;
      try {
        data = parseConfigYaml(readFileSync(join(FIXTURES, name), 'utf8'), name);
      } catch {
        continue;
      }
      if (mentionsSchedule(data)) continue;
      without++;
      assert.equal(outcome(() => validateConfigData(data, {}, name, refusing)), outcome(() => validateConfig(data, {}, name)), name);
    }
    assert.ok(without > 5, `fixtures without a schedule: ${without}`);
  });

  it('gives generated data without a schedule key the same config or problems as validation with croner', () => {
    const seen = { with: 0, without: 0 };
    fc.assert(fc.property(config, (data) => {
      if (mentionsSchedule(data)) {
        seen.with++;
        return;
      }
      seen.without++;
      assert.equal(outcome(() => validateConfigData(data, {}, undefined, refusing)), outcome(() => validateConfig(data)));
    }), { numRuns: 1000 });
    assert.ok(seen.with > 100 && seen.without > 100, `both kinds generated: ${JSON.stringify(seen)}`);
  });
});
