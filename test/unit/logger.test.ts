import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, parseLogLevel } from '../../lib/edges/logger.ts';

describe('parseLogLevel', () => {
  it('reads the four levels in any case, and unset or empty as info', () => {
    assert.deepEqual(parseLogLevel('DEBUG'), { level: 'debug' });
    assert.deepEqual(parseLogLevel(' warn '), { level: 'warn' });
    assert.deepEqual(parseLogLevel(undefined), { level: 'info' });
    assert.deepEqual(parseLogLevel(''), { level: 'info' });
  });

  it('names an unknown level, Object.prototype member names included, and logs at info', () => {
    for (const value of ['verbose', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const parsed = parseLogLevel(value);
      assert.equal(parsed.level, 'info', value);
      assert.equal(parsed.problem, `LOG_LEVEL must be one of debug, info, warn, error, got ${JSON.stringify(value)}; logging at info`);
    }
  });

  it('drops lines below the level', () => {
    const lines: string[] = [];
    const logger = createLogger(parseLogLevel('constructor').level, (line) => lines.push(line), () => 0);
    logger.debug('hidden');
    logger.info('shown');
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as { msg: string }).msg), ['shown']);
  });
});
