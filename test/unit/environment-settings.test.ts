import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConfigOverrides, readPushDefaults, readServerSettings, readSettings } from '../../lib/runtime/environment-settings.ts';

describe('readSettings: the environment as runtime settings, in one place', () => {
  it('reads the config file against cwd, overrides and tokens', () => {
    assert.deepEqual(readSettings({ CONFIG_FILE: 'conf/x.yml', PUSHGATEWAY_URL: 'http://pg:9091', AUTH_TOKEN: 'a,b', LOG_LEVEL: 'debug' }, '/srv'), {
      kind: 'settings',
      settings: {
        logging: { level: 'debug' },
        configSource: { kind: 'file', path: '/srv/conf/x.yml' },
        configOverrides: { pushgatewayUrl: 'http://pg:9091', pushgatewayBearerToken: undefined },
        authTokens: ['a', 'b'],
        authTokenParameter: undefined,
        refreshAhead: true,
      },
    });
  });

  it('prefers the SSM parameter, and config.yml when nothing is set', () => {
    const ssm = readSettings({ CONFIG_SSM_PARAMETER: ' /exporter/config ', CONFIG_FILE: 'ignored.yml' }, '/');
    assert.ok(ssm.kind === 'settings');
    assert.deepEqual(ssm.settings.configSource, { kind: 'ssm', parameter: '/exporter/config' });
    const bare = readSettings({}, '/app');
    assert.ok(bare.kind === 'settings');
    assert.deepEqual(bare.settings.configSource, { kind: 'file', path: '/app/config.yml' });
    assert.deepEqual(bare.settings.logging, { level: 'info' });
  });

  it('reads ahead of expiry except in Lambda, whose containers freeze as soon as they answer', () => {
    const server = readSettings({}, '/');
    const lambda = readSettings({ AWS_LAMBDA_FUNCTION_NAME: 'pushgateway-exporter-prod-probe' }, '/');
    assert.ok(server.kind === 'settings' && lambda.kind === 'settings');
    assert.equal(server.settings.refreshAhead, true);
    assert.equal(lambda.settings.refreshAhead, false);
  });

  it('gives one line naming the variables, never a value, and still the logging', () => {
    const read = readSettings({ AUTH_TOKEN: ' , ', PUSHGATEWAY_BEARER_TOKEN: 'secret\nvalue', LOG_LEVEL: 'loud' }, '/');
    assert.ok(read.kind === 'problem');
    assert.match(read.problem, /^AUTH_TOKEN holds no token .*; PUSHGATEWAY_BEARER_TOKEN holds a character/);
    assert.doesNotMatch(read.problem, /secret/);
    assert.equal(read.logging.level, 'info');
    assert.match(read.logging.problem ?? '', /^LOG_LEVEL must be one of/);
  });
});

describe('the entry points\' other settings', () => {
  it('check-config overrides, or the token problem', () => {
    assert.deepEqual(readConfigOverrides({ PUSHGATEWAY_URL: '', PUSHGATEWAY_BEARER_TOKEN: ' t ' }), { overrides: { pushgatewayUrl: undefined, pushgatewayBearerToken: 't' } });
    assert.ok('problem' in readConfigOverrides({ PUSHGATEWAY_BEARER_TOKEN: ' ' }));
  });

  it('push defaults', () => {
    assert.deepEqual(readPushDefaults({ PUSHGATEWAY_URL: 'http://pg:9091' }), { pushgatewayUrl: 'http://pg:9091', bearer: { token: undefined } });
  });

  it('where the server listens', () => {
    assert.deepEqual(readServerSettings({}), { server: { port: 9116, host: '0.0.0.0' } });
    assert.deepEqual(readServerSettings({ PORT: '8080', HOST: '127.0.0.1' }), { server: { port: 8080, host: '127.0.0.1' } });
    assert.deepEqual(readServerSettings({ PORT: '0x50' }), { problem: 'PORT must be a port number (0-65535), got "0x50"' });
  });
});
