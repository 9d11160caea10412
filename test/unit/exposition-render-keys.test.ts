import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHelp, escapeLabelValue, EXPOSITION_CONTENT_TYPE, formatLabels, renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { KEY_INSTANCE, KEY_JOB, KEY_SERVICE, keyBit, keyLabel, keyLabelsAt } from '../../lib/core/exposition/key-labels.ts';
import { scanExposition } from '../../lib/core/exposition/exposition-scanner.ts';
import { isValidMetricName } from '../../lib/core/exposition/metric-names.ts';
import { newLabelSet } from '../../lib/core/exposition/label-set.ts';
import type { ScannedSample } from '../../lib/core/exposition/scanned-line.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// The renderer's whole output, byte for byte, and the label-key reader the snapshot index groups
// by, at every edge of its byte comparisons (docs/architecture.md).

describe('renderExposition, byte for byte', () => {
  it('writes HELP and TYPE once per family, each sample under its own or the family name, and skips an empty family', () => {
    const text = renderExposition([
      { name: 'a', help: 'first\\one\nline', type: 'gauge', samples: [{ value: 1 }, { labels: { k: 'v"' }, value: 2 }] },
      { name: 'empty', help: 'never shown', type: 'counter', samples: [] },
      { name: 'h', help: 'plain', type: 'summary', samples: [{ name: 'h_sum', value: 0.5 }, { name: 'h_count', labels: {}, value: Number.NaN }] },
    ]);
    assert.equal(text, [
      '# HELP a first\\\\one\\nline', '# TYPE a gauge', 'a 1', 'a{k="v\\""} 2',
      '# HELP h plain', '# TYPE h summary', 'h_sum 0.5', 'h_count NaN', '',
    ].join('\n'));
    assert.equal(renderExposition([]), '');
    assert.equal(EXPOSITION_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
  });

  it('leaves text without anything to escape as it is, and escapes every occurrence where there is', () => {
    assert.equal(escapeLabelValue('plain text'), 'plain text');
    assert.equal(escapeLabelValue('""\n\n\\\\'), '\\"\\"\\n\\n\\\\\\\\');
    assert.equal(escapeHelp('say "x"'), 'say "x"');
    assert.equal(escapeHelp('\n\\\n'), '\\n\\\\\\n');
    assert.equal(formatLabels(undefined), '');
    assert.equal(formatLabels({ a: '1', b: '2', c: '3' }), '{a="1",b="2",c="3"}');
  });
});

describe('metric names and label sets', () => {
  it('takes exactly the exposition format\'s metric names', () => {
    assert.deepEqual(['a', '_', ':', 'a:b_9', 'A1'].map(isValidMetricName), [true, true, true, true, true]);
    assert.deepEqual(['', '9a', 'a-b', 'a b', 'é', 'a\n', '\na'].map(isValidMetricName), [false, false, false, false, false, false, false]);
  });

  it('makes an empty set with nothing inherited', () => {
    const labels = newLabelSet();
    assert.deepEqual(Object.keys(labels), []);
    assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(labels)), null);
    assert.equal('toString' in labels, false);
    assert.equal('constructor' in labels, false);
  });
});

describe('keyLabel and keyLabelsAt', () => {
  const at = (text: string, start = 0, end = text.length) => keyLabel(Buffer.from(text, 'latin1'), start, end);

  it('knows job, instance and service by every byte, and nothing else', () => {
    assert.deepEqual([at('job'), at('instance'), at('service')], [KEY_JOB, KEY_INSTANCE, KEY_SERVICE]);
    for (const other of ['jox', 'jxb', 'xob', 'jobs', 'jo', 'instancx', 'xnstance', 'servicx', 'xervice', 'services', 'service_name', 'servicexy', '', 'env']) {
      assert.equal(at(other), 0, other);
    }
    assert.equal(at('xjobx', 1, 4), KEY_JOB, 'a name inside a longer line');
    assert.equal(at('xinstancex', 1, 9), KEY_INSTANCE);
  });

  it('lets the scanner take a label for job, instance or service only when every byte of its name is that word\'s', () => {
    /** The job, instance and service values the scanner hands the sink for a line alone. */
    function keyValues(line: string): (string | undefined)[] {
      const bytes = Buffer.from(`${line}\n`, 'latin1');
      const heard: (string | undefined)[][] = [];
      const text = (start: number, end: number) => (start < 0 ? undefined : bytes.toString('latin1', start, end));
      const work = scanExposition(bytes, { sample: (s) => heard.push([text(s.jobStart, s.jobEnd), text(s.instanceStart, s.instanceEnd), text(s.serviceStart, s.serviceEnd)]), metadata: () => undefined, skipped: () => undefined }, FIXED_HASH_SEED.base);
      while (work.next().done !== true);
      assert.equal(heard.length, 1, line);
      return heard[0] as (string | undefined)[];
    }
    const words = ['job', 'instance', 'service'];
    words.forEach((word, key) => {
      const found = [undefined, undefined, undefined];
      assert.deepEqual(keyValues(`m{a="0",${word}="v"} 1`), found.map((none, k) => (k === key ? 'v' : none)), word);
      // The word with any one byte changed (to the next letter) is another label.
      for (let at = 0; at < word.length; at++) {
        const other = `${word.slice(0, at)}${String.fromCharCode(word.charCodeAt(at) + 1)}${word.slice(at + 1)}`;
        assert.deepEqual(keyValues(`m{a="0",${other}="v"} 1`), found, other);
      }
    });
  });

  it('gives each key its own bit and no bit for an other label', () => {
    assert.deepEqual([keyBit(0), keyBit(KEY_JOB), keyBit(KEY_INSTANCE), keyBit(KEY_SERVICE)], [0, 2, 4, 8]);
  });

  const ALL = keyBit(KEY_JOB) | keyBit(KEY_INSTANCE) | keyBit(KEY_SERVICE);
  function positions(line: string, wanted = ALL): Record<string, string | number> {
    const bytes = Buffer.from(line, 'latin1');
    const out: ScannedSample = { lineNumber: 1, start: 0, end: bytes.length, labelsAt: 99, jobStart: 99, jobEnd: 99, instanceStart: 99, instanceEnd: 99, serviceStart: 99, serviceEnd: 99 };
    keyLabelsAt(bytes, 0, out, wanted);
    const slice = (start: number, end: number) => (start < 0 ? -1 : line.slice(start, end));
    return { labelsAt: out.labelsAt, job: slice(out.jobStart, out.jobEnd), instance: slice(out.instanceStart, out.instanceEnd), service: slice(out.serviceStart, out.serviceEnd) };
  }

  it('finds the three values, escaped quotes and all, around other labels, blanks and a trailing comma', () => {
    assert.deepEqual(positions('m{ a="x" , service="s\\"1",instance="i",\tjob="j",} 1\n'), { labelsAt: 1, job: 'j', instance: 'i', service: 's\\"1' });
  });

  it('resets every position, and finds no label set on a line without one', () => {
    assert.deepEqual(positions('metric_name 1\n'), { labelsAt: -1, job: -1, instance: -1, service: -1 });
    assert.deepEqual(positions('m{} 1\n'), { labelsAt: 1, job: -1, instance: -1, service: -1 });
    assert.deepEqual(positions('m{a="1"} 1\n'), { labelsAt: 1, job: -1, instance: -1, service: -1 });
  });

  it('stops once the wanted labels are found', () => {
    assert.deepEqual(positions('m{job="j",instance="i",service="s"} 1\n', keyBit(KEY_JOB)), { labelsAt: 1, job: 'j', instance: -1, service: -1 });
    assert.deepEqual(positions('m{job="j",instance="i",service="s"} 1\n', keyBit(KEY_JOB) | keyBit(KEY_INSTANCE)), { labelsAt: 1, job: 'j', instance: 'i', service: -1 });
    assert.deepEqual(positions('m{job="j"} 1\n', 0), { labelsAt: 1, job: -1, instance: -1, service: -1 });
  });
});
