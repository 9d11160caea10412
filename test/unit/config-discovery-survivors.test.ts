import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobPatternProblem, MAX_JOB_PATTERN_LENGTH } from '../../lib/core/config/discovery-config.ts';
import { validated, validationProblems, withGateway } from '../support/config-problems.ts';

// discover_services and its two keys at every edge, each problem word for word (docs/discovery.md).
// Written for the mutation run (docs/testing.md#mutation-score).

describe('jobPatternProblem', () => {
  it('takes a pattern of up to 256 characters and refuses a longer one, counting it', () => {
    assert.equal(MAX_JOB_PATTERN_LENGTH, 256);
    assert.equal(jobPatternProblem('a'.repeat(256)), undefined);
    assert.equal(jobPatternProblem('a'.repeat(257)), 'must be at most 256 characters, got 257');
  });

  it('names what the regular expression engine found, without its own prefix', () => {
    assert.equal(jobPatternProblem('('), 'not a regular expression (/(/: Unterminated group)');
    assert.equal(jobPatternProblem('a**'), 'not a regular expression (/a**/: Nothing to repeat)');
  });

  it('refuses backreferences by number or name, and nothing else that starts with a backslash', () => {
    const backreference = 'backreferences cannot run in linear time; use a pattern without \\1 or \\k<name>';
    assert.equal(jobPatternProblem('(a)\\1'), backreference);
    assert.equal(jobPatternProblem('(a)(b)\\2'), backreference);
    assert.equal(jobPatternProblem('(?<n>a)\\k<n>'), backreference);
    for (const pattern of ['\\d+', '\\0', 'a\\.b', '\\w-\\s']) assert.equal(jobPatternProblem(pattern), undefined, pattern);
  });

  it('refuses each of the four lookarounds, and takes the other groups', () => {
    const lookaround = 'lookaheads and lookbehinds cannot run in linear time; use a pattern without (?= (?! (?<= (?<!';
    for (const pattern of ['(?=a)b', '(?!a)b', '(?<=a)b', '(?<!a)b']) assert.equal(jobPatternProblem(pattern), lookaround, pattern);
    for (const pattern of ['(?:a)b', '(?<name>a)b', '(a)|b']) assert.equal(jobPatternProblem(pattern), undefined, pattern);
  });

  it('takes counted repetitions up to {100} at either end, and refuses one above', () => {
    const counted = 'counted repetitions above {100} cannot run in linear time';
    for (const pattern of ['a{100}', 'a{1,100}', 'a{100,}', 'a{5,}', 'a{0,0}', 'x{2}y{3,4}']) assert.equal(jobPatternProblem(pattern), undefined, pattern);
    for (const pattern of ['a{101}', 'a{1000}', 'a{1,101}', 'a{101,}', 'a{2}b{0,200}']) assert.equal(jobPatternProblem(pattern), counted, pattern);
  });
});

describe('discoveryConfig through validateConfig', () => {
  it('is absent, not undefined-valued, unless discover_services is true', () => {
    assert.equal('discovery' in validated(), false);
    assert.equal('discovery' in validated({ discover_services: false }), false);
  });

  it('defaults to every job and 1000 services, and keeps the patterns and the limit given', () => {
    assert.deepEqual(validated({ discover_services: true }).discovery, { jobPatterns: [], maxServices: 1000 });
    assert.deepEqual(validated({ discover_services: true, discover_jobs: null }).discovery, { jobPatterns: [], maxServices: 1000 });
    assert.deepEqual(validated({ discover_services: true, discover_jobs: ['^batch-', 'cron'], max_discovered_services: 5 }).discovery, { jobPatterns: ['^batch-', 'cron'], maxServices: 5 });
  });

  it('names each key that only applies with discover_services, whether it is false or absent', () => {
    const only = ['discover_jobs: only applies with discover_services: true', 'max_discovered_services: only applies with discover_services: true'];
    assert.deepEqual(validationProblems(withGateway({ discover_jobs: ['a'], max_discovered_services: 5 })), only);
    assert.deepEqual(validationProblems(withGateway({ discover_services: false, discover_jobs: ['a'], max_discovered_services: 5 })), only);
    assert.deepEqual(validationProblems(withGateway({ max_discovered_services: 5 })), [only[1]]);
    assert.deepEqual(validationProblems(withGateway({ discover_jobs: [] })), [only[0]]);
  });

  it('refuses discover_services that is not true or false', () => {
    assert.deepEqual(validationProblems(withGateway({ discover_services: 'yes' })), ['discover_services: must be true or false, got "yes"']);
  });

  it('refuses discover_jobs that is not a list, and each entry that is not a usable pattern, by its path', () => {
    assert.deepEqual(validationProblems(withGateway({ discover_services: true, discover_jobs: '^batch-' })), ['discover_jobs: must be a list of regular expressions, got "^batch-"']);
    assert.deepEqual(validationProblems(withGateway({ discover_services: true, discover_jobs: ['ok', 7, '', ['a'], 'a(?=b)', 'x{101}'] })), [
      'discover_jobs[1]: must be a non-empty regular expression string, got 7',
      'discover_jobs[2]: must be a non-empty regular expression string, got ""',
      'discover_jobs[3]: must be a non-empty regular expression string, got a list',
      'discover_jobs[4]: lookaheads and lookbehinds cannot run in linear time; use a pattern without (?= (?! (?<= (?<!, got "a(?=b)"',
      'discover_jobs[5]: counted repetitions above {100} cannot run in linear time, got "x{101}"',
    ]);
  });
});
