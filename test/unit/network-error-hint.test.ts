import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNetworkError } from '../../lib/core/errors.ts';

/** A DNS failure as undici reports one: getaddrinfo's error with `code` and `hostname`. */
function dnsError(code: string, hostname: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, errno: -3008, syscall: 'getaddrinfo', hostname });
}

const HINT = '(the name pushgateway resolves only inside the Docker compose network; elsewhere set PUSHGATEWAY_URL, e.g. PUSHGATEWAY_URL=http://127.0.0.1:9091 for the local stack)';

describe('describeNetworkError', () => {
  it('says that the compose name "pushgateway" needs PUSHGATEWAY_URL outside Docker', () => {
    assert.equal(describeNetworkError(dnsError('ENOTFOUND', 'pushgateway')), `getaddrinfo ENOTFOUND pushgateway ${HINT}`);
    assert.equal(describeNetworkError(dnsError('EAI_AGAIN', 'pushgateway')), `getaddrinfo EAI_AGAIN pushgateway ${HINT}`);
  });

  it('adds nothing for another host, or for another failure', () => {
    assert.equal(describeNetworkError(dnsError('ENOTFOUND', 'pushgateway.example.com')), 'getaddrinfo ENOTFOUND pushgateway.example.com');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9091'), { code: 'ECONNREFUSED' });
    assert.equal(describeNetworkError(refused), 'connect ECONNREFUSED 127.0.0.1:9091');
    assert.equal(describeNetworkError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })), 'UND_ERR_SOCKET: other side closed');
    assert.equal(describeNetworkError('plain'), 'plain');
    assert.equal(describeNetworkError(undefined), 'undefined');
  });
});
