import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readExporterSecrets, readPushgatewayBearerToken } from '../../lib/runtime/environment-settings.ts';

describe('readExporterSecrets', () => {
  it('trims what it keeps and treats exactly "" as unset', () => {
    assert.deepEqual(
      readExporterSecrets({ AUTH_TOKEN: ' a , b c ', PUSHGATEWAY_BEARER_TOKEN: '\tpg-token\n', AUTH_TOKEN_SSM_PARAMETER: ' /x ', CONFIG_SSM_PARAMETER: '/c' }),
      { secrets: { authTokens: ['a', 'b c'], pushgatewayBearerToken: 'pg-token', authTokenParameter: '/x', configParameter: '/c' } },
    );
    assert.deepEqual(
      readExporterSecrets({ AUTH_TOKEN: '', PUSHGATEWAY_BEARER_TOKEN: '', AUTH_TOKEN_SSM_PARAMETER: '', CONFIG_SSM_PARAMETER: '' }),
      { secrets: { authTokens: [], pushgatewayBearerToken: undefined, authTokenParameter: undefined, configParameter: undefined } },
    );
  });

  it('names every variable at fault in one line, never a value', () => {
    const read = readExporterSecrets({ AUTH_TOKEN: ' , ', AUTH_TOKEN_SSM_PARAMETER: ' ', CONFIG_SSM_PARAMETER: '\t', PUSHGATEWAY_BEARER_TOKEN: 'x\ny' });
    assert.ok('problem' in read);
    assert.equal(read.problem, [
      'AUTH_TOKEN holds no token (only commas or white space): give one or more tokens separated by commas, or leave it empty',
      'AUTH_TOKEN_SSM_PARAMETER holds only white space: name the SSM parameter holding the bearer tokens, or leave it empty',
      'CONFIG_SSM_PARAMETER holds only white space: name the SSM parameter holding the config, or leave it empty to read CONFIG_FILE',
      'PUSHGATEWAY_BEARER_TOKEN holds a character other than printable ASCII (a line break or tab?): give the token, or leave it empty',
    ].join('; '));
  });
});

describe('readPushgatewayBearerToken', () => {
  it('is one token, trimmed; a comma is part of it', () => {
    assert.deepEqual(readPushgatewayBearerToken(undefined), { token: undefined });
    assert.deepEqual(readPushgatewayBearerToken(''), { token: undefined });
    assert.deepEqual(readPushgatewayBearerToken(' a,b c \n'), { token: 'a,b c' });
    assert.deepEqual(readPushgatewayBearerToken(' \t\n'), { problem: 'PUSHGATEWAY_BEARER_TOKEN holds only white space: give the token, or leave it empty' });
  });
});
