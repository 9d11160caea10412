import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_DEMO_PUSH_KEY, pushTokenEnv, readSettings, readyMessage } from '../../local/stack/settings.ts';

// The push key `npm run local` gives the exporter (docs/check-ins.md#in-the-local-stack).

const checkInLine = (env: NodeJS.ProcessEnv): string | undefined =>
  readyMessage(readSettings(env), 'native', false, '/classic/alerts').split('\n').find((line) => line.includes('check-in'));

describe('the local stack\'s push key', () => {
  it('is the demo key when the shell sets none, and the ready message prints a check-in URL with it on the chosen port', () => {
    const settings = readSettings({ PORT: '19116' });
    assert.deepEqual(pushTokenEnv(settings), { PUSH_TOKEN: LOCAL_DEMO_PUSH_KEY });
    assert.match(checkInLine({ PORT: '19116' }) ?? '', /curl -fsS 'localhost:19116\/ping\/local-demo-key\/service2'/);
  });

  it('is the shell\'s PUSH_TOKEN when set, which the ready message never prints', () => {
    const env = { PUSH_TOKEN: 'my-own-secret,another' };
    assert.deepEqual(pushTokenEnv(readSettings(env)), { PUSH_TOKEN: 'my-own-secret,another' });
    const line = checkInLine(env) ?? '';
    assert.match(line, /\/ping\/<your push key>\/service2/);
    assert.doesNotMatch(line, /my-own-secret|another|local-demo-key/);
  });

  it('is left to SSM when the shell names PUSH_TOKEN_SSM_PARAMETER alone: no PUSH_TOKEN set, no demo key', () => {
    const env = { PUSH_TOKEN_SSM_PARAMETER: '/team/push-keys' };
    assert.deepEqual(pushTokenEnv(readSettings(env)), {});
    assert.doesNotMatch(checkInLine(env) ?? '', /local-demo-key/);
  });
});
