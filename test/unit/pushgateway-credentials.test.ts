import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ConfigError } from '../../lib/core/errors.ts';

// docs/high-availability.md#several-pushgateways: every answer names a Pushgateway by its URL
// redacted of credentials, so two URLs that differ only in credentials are refused.

function problemsOf(text: string, pushgatewayUrl?: string): readonly string[] {
  try {
    parseConfig(text, { pushgatewayUrl });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return [];
}

describe('Pushgateway URLs that differ only in credentials', () => {
  it('are a config error naming both paths, never the credentials', () => {
    const problems = problemsOf('pushgateway_url: ["http://ops:s3cret@pg:9091", "http://ci:t0ken@pg:9091/", "http://pg:9091"]\n');
    assert.deepEqual(problems, [
      'pushgateway_url[1]: differs from pushgateway_url[0] only in its credentials: that is one Pushgateway read twice, and answers name Pushgateways without credentials; name each Pushgateway once',
      'pushgateway_url[2]: differs from pushgateway_url[0] only in its credentials: that is one Pushgateway read twice, and answers name Pushgateways without credentials; name each Pushgateway once',
    ]);
    assert.ok(!problems.join('\n').match(/s3cret|t0ken|ops|ci:/), problems.join('\n'));
  });

  it('are refused in PUSHGATEWAY_URL too', () => {
    assert.deepEqual(problemsOf('pushgateway_url: http://x:9091\n', 'http://pg:9091, http://u:p@pg:9091'), [
      'PUSHGATEWAY_URL (environment) item 2: differs from PUSHGATEWAY_URL (environment) item 1 only in its credentials: that is one Pushgateway read twice, and answers name Pushgateways without credentials; name each Pushgateway once',
    ]);
  });

  it('leave Pushgateways on other hosts, ports or paths alone', () => {
    const config = parseConfig('pushgateway_url: ["http://u:p@pg:9091", "http://u:p@pg:9092", "http://u:p@pg-b:9091", "https://u:p@pg:9091", "http://u:p@pg:9091/prefix"]\n');
    assert.equal(config.pushgatewayUrls.length, 5);
  });
});
