import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeLabelValue } from '../../lib/core/exposition/exposition-renderer.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { IndexedSnapshot } from '../../lib/core/snapshot/indexed-snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { hostileBody } from '../support/hostile-bodies.ts';
import { assertLinearPerByte, linesBody } from '../support/linear-time.ts';

// The `service` table is built after the read: on the first lookup that needs it, or in the
// background in slices (docs/performance.md). Whichever comes first, the answers are the same.

const serviceName = fc.constantFrom('svc', 'svc1', 'a"b', 'back\\slash', 'new\nline', 'ünï', '');
const pushedLine = fc.record({
  metric: fc.constantFrom('loop_heartbeat_timestamp_seconds', 'loop_errors_total', 'push_time_seconds'),
  job: fc.constantFrom('heartbeat', 'cron'),
  instance: fc.constantFrom('i1', 'i2', 'svc'),
  service: fc.option(serviceName, { nil: undefined }),
  extra: fc.option(fc.constantFrom('a="1"', 'zz="x"'), { nil: undefined }),
  value: fc.integer({ min: 0, max: 1000 }),
});

type PushedLine = typeof pushedLine extends fc.Arbitrary<infer T> ? T : never;

function bodyOf(lines: readonly PushedLine[]): string {
  const text = lines.map(({ metric, job, instance, service, extra, value }) => {
    const labels = [extra, `instance="${instance}"`, `job="${job}"`, service === undefined ? undefined : `service="${escapeLabelValue(service)}"`].filter((label) => label !== undefined);
    return `${metric}{${labels.join(',')}} ${value}`;
  });
  return `${text.join('\n')}\n`;
}

/** What step 2 of the lookup and discovery read, for every name a body can hold. */
function serviceAnswers(snapshot: IndexedSnapshot): unknown {
  const names = ['svc', 'svc1', 'a"b', 'back\\slash', 'new\nline', 'ünï', '', 'absent'];
  return {
    samples: names.map((name) => snapshot.samplesOfService(name)),
    heartbeats: names.map((name) => snapshot.samplesOfService(name, 'loop_heartbeat_timestamp_seconds')),
    pushers: snapshot.heartbeatPushers('loop_heartbeat_timestamp_seconds', 'heartbeat'),
  };
}

describe('the service table, built after the read', () => {
  it('answers a step-2 lookup the same whether it is built by the lookup, in the background first, or part-way in the background', async () => {
    let partwayLookups = 0;
    await fc.assert(
      // Repeated, the lines make bodies of up to some 2,400 lines: builds of several steps.
      fc.asyncProperty(fc.array(pushedLine, { minLength: 1, maxLength: 300, size: 'max' }), fc.integer({ min: 1, max: 8 }), async (once, times) => {
        const body = bodyOf(Array.from({ length: times }, () => once).flat());
        const byLookup = serviceAnswers(indexSnapshot(body, FIXED_HASH_SEED));
        const background = indexSnapshot(body, FIXED_HASH_SEED);
        let backgroundSteps = 0;
        for (const _ of background.indexLater()) backgroundSteps++;
        assert.deepEqual(serviceAnswers(background), byLookup);
        // A lookup after every number of background steps: these bodies have no HELP or TYPE line,
        // so the first step is the family tables' and the ones after it the service table's.
        for (let steps = 1; steps < backgroundSteps; steps++) {
          const partway = indexSnapshot(body, FIXED_HASH_SEED);
          const table = partway.slot.services;
          const reset = table.reset.bind(table);
          let builds = 0;
          table.reset = (buckets: number) => {
            builds++;
            reset(buckets);
          };
          const build = partway.indexLater();
          for (let k = 0; k < steps; k++) build.next();
          if (steps > 1) partwayLookups++;
          assert.deepEqual(serviceAnswers(partway), byLookup);
          // The background build, resumed after the lookup finished the service table, does not build it again.
          while (build.next().done !== true);
          assert.equal(builds, 1);
          assert.deepEqual(serviceAnswers(partway), byLookup);
        }
      }),
      {
        numRuns: 40,
        // Always, besides the random bodies: the longest body, 2,400 lines that each name a service.
        examples: [[Array.from({ length: 300 }, (_, i): PushedLine => ({ metric: 'loop_heartbeat_timestamp_seconds', job: 'heartbeat', instance: 'i1', service: i % 2 === 0 ? 'svc' : 'ünï', extra: undefined, value: i })), 8]],
      },
    );
    // The example alone gives 9: its 2,400 noted lines are keyed 256 a step, and a lookup after each of that table's first 9 steps finds it part-way.
    assert.ok(partwayLookups >= 9, `only ${partwayLookups} lookups came while the background build was part-way`);
  });

  it('takes time linear in the body on service-heavy hostile shapes (CPU time, best of 5, side by side with a Pushgateway-shaped body)', () => {
    const size = 512 * 1024;
    const shapes = {
      'a service per line': linesBody(size, (i) => `a{job="j",service="${i.toString(36)}"}1`),
      'one service, label text differing before it on every line': linesBody(size, (i) => `a{i="${i}",job="j",service="s"}1`),
      'services colliding in their first bytes': linesBody(size, (i) => `a{job="j",service="${'x'.repeat(200)}${i % 50}"}1`),
    };
    assertLinearPerByte(shapes, hostileBody('plain', size), (text) => indexSnapshot(text, FIXED_HASH_SEED).samplesOfService('s'), 5);
  });
});

describe('a service table whose build throws', () => {
  it('throws at every lookup that needs it, never answering from the part built before', () => {
    const lines = Array.from({ length: 3_000 }, (_, i) => `loop_heartbeat_timestamp_seconds{instance="i${i}",job="heartbeat",service="svc${i}"} ${i}`);
    const snapshot = indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
    // A bug in the build, planted past its first step: the table then holds some services, not all.
    const table = snapshot.slot.services;
    const add = table.add.bind(table);
    let added = 0;
    const bug = new Error('a bug in the service table build');
    table.add = (...args: Parameters<typeof add>) => {
      if (++added > 1_000) throw bug;
      return add(...args);
    };
    assert.throws(() => snapshot.samplesOfService('svc0'), bug);
    assert.throws(() => snapshot.samplesOfService('svc0'), bug);
    assert.throws(() => snapshot.samplesOfService('svc2999'), bug);
    assert.equal(added, 1_001);
  });
});
