import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigYaml } from '../../lib/core/config/config-yaml.ts';
import { ConfigError } from '../../lib/core/errors.ts';
import { validated, validationProblems, withGateway } from '../support/config-problems.ts';

// validateConfig's own keys (the token, defaults:, expiry) and parseConfigYaml's problem lines,
// word for word (docs/configuration.md). Written for the mutation run (docs/testing.md#mutation-score).

function yamlProblems(text: string): readonly string[] {
  try {
    parseConfigYaml(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('YAML was accepted');
}

describe('pushgateway_bearer_token and PUSHGATEWAY_BEARER_TOKEN', () => {
  it('reads the configured token, lets the environment win, and an empty override leaves the config\'s', () => {
    assert.equal(validated({ pushgateway_bearer_token: 'from-config' }).pushgatewayBearerToken, 'from-config');
    assert.equal(validated({ pushgateway_bearer_token: 'from-config' }, { pushgatewayBearerToken: 'from-env' }).pushgatewayBearerToken, 'from-env');
    assert.equal(validated({}, { pushgatewayBearerToken: 'from-env' }).pushgatewayBearerToken, 'from-env');
    assert.equal(validated({ pushgateway_bearer_token: 'from-config' }, { pushgatewayBearerToken: '' }).pushgatewayBearerToken, 'from-config');
    assert.equal(validated().pushgatewayBearerToken, undefined);
  });

  it('trims the configured token and refuses one of white space or with a line break, by the environment variable\'s rules, never showing it', () => {
    assert.equal(validated({ pushgateway_bearer_token: '  tok-1 \n' }).pushgatewayBearerToken, 'tok-1');
    assert.deepEqual(validationProblems(withGateway({ pushgateway_bearer_token: '   ' })), ['pushgateway_bearer_token: it holds only white space (value not shown)']);
    const broken = validationProblems(withGateway({ pushgateway_bearer_token: 'tokSECRET\nline2' }));
    assert.deepEqual(broken, ['pushgateway_bearer_token: it holds a character other than printable ASCII (a line break or tab?) (value not shown)']);
    // Checked even when the environment's token is the one sent: the file is wrong either way.
    assert.deepEqual(validationProblems(withGateway({ pushgateway_bearer_token: 'a\tb' }), { pushgatewayBearerToken: 'from-env' }), broken);
  });
});

describe('defaults:', () => {
  it('must be a mapping', () => {
    assert.deepEqual(validationProblems(withGateway({ defaults: 5 })), ['defaults: must be a mapping, got 5']);
    assert.deepEqual(validationProblems(withGateway({ defaults: ['job'] })), ['defaults: must be a mapping, got a list']);
  });

  it('has no pushgateways or expireAfterSeconds key unless set (an unsharded config reads as before)', () => {
    const { defaults } = validated();
    assert.deepEqual(Object.keys(defaults).sort(), ['freshnessThresholdSeconds', 'graceSeconds', 'heartbeatMetric', 'job', 'maxRunSeconds', 'timezone']);
    assert.deepEqual(validated({ defaults: { pushgateways: ['http://gateway:9091'] } }).defaults.pushgateways, ['http://gateway:9091']);
  });
});

describe('expire_after_seconds at the top level', () => {
  it('is on the config and on the defaults when set, and absent from both when not', () => {
    const config = validated({ expire_after_seconds: 3600 });
    assert.equal(config.expireAfterSeconds, 3600);
    assert.equal(config.defaults.expireAfterSeconds, 3600);
    const without = validated();
    assert.equal('expireAfterSeconds' in without, false);
    assert.equal('expireAfterSeconds' in without.defaults, false);
  });

  it('is range-checked by its own name', () => {
    assert.deepEqual(validationProblems(withGateway({ expire_after_seconds: 0 })).length, 1);
    assert.match(validationProblems(withGateway({ expire_after_seconds: 0 }))[0] ?? '', /^expire_after_seconds: must be /);
  });
});

describe('parseConfigYaml problem lines', () => {
  it('names each core tag that does not fit its value, and keeps a fitting one', () => {
    const cases: [string, string][] = [
      ['a: !!str [1]', 'str'], ['a: !!int abc', 'int'], ['a: !!float abc', 'float'], ['a: !!bool maybe', 'bool'],
      ['a: !!null x', 'null'], ['a: !!map [1]', 'map'], ['a: !!seq {b: 1}', 'seq'],
    ];
    for (const [text, tag] of cases) {
      assert.deepEqual(yamlProblems(text), [`yaml line 1, column 4: tag !!${tag} does not fit its value (leave the tag out)`], text);
    }
    assert.deepEqual(parseConfigYaml('a: !!str 5'), { a: '5' });
  });

  it('drops the position YAML appends to its message, on lines and columns of two digits too', () => {
    const text = `${'\n'.repeat(11)}a:\n${' '.repeat(10)}b: !!int abc`;
    assert.deepEqual(yamlProblems(text), ['yaml line 13, column 14: tag !!int does not fit its value (leave the tag out)']);
  });

  it('reads YAML 1.1 words as strings even under a %YAML 1.1 directive', () => {
    assert.deepEqual(parseConfigYaml('%YAML 1.1\n---\na: yes\nb: 1_000\n'), { a: 'yes', b: '1_000' });
  });
});
