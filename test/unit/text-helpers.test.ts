import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isAscii } from '../../lib/core/ascii-text.ts';
import { flatText } from '../../lib/core/flat-text.ts';

// The two text helpers of a warm answer (docs/performance.md#the-warm-path): isAscii lets the
// server take a string's length as its byte length, so it must never say yes to a non-ASCII
// character; flatText changes how a string is held, never what it says.

const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary-ascii', maxLength: 40 }));

describe('isAscii', () => {
  it('is true exactly when every UTF-16 unit is below 0x80, for any string (lone surrogates too)', () => {
    fc.assert(fc.property(anyText, fc.integer({ min: 0, max: 0xffff }), fc.nat(), (text, unit, at) => {
      const withUnit = text.slice(0, at % (text.length + 1)) + String.fromCharCode(unit) + text.slice(at % (text.length + 1));
      for (const sample of [text, withUnit]) assert.equal(isAscii(sample), [...sample].every((char) => char.charCodeAt(0) < 0x80 && char.length === 1), JSON.stringify(sample));
    }), { numRuns: 500 });
  });

  it('answers for strings built of many pieces and for the edges of the range', () => {
    let rope = '';
    for (let i = 0; i < 200; i++) rope += `line ${i}\n`;
    assert.equal(isAscii(rope), true);
    assert.equal(isAscii(`${rope}\u0080`), false);
    assert.equal(isAscii('\u007f'), true);
    assert.equal(isAscii(''), true);
    assert.equal(isAscii('\ud800'), false, 'a lone surrogate');
  });
});

describe('flatText', () => {
  it('gives back the same text for any string, lone surrogates included', () => {
    fc.assert(fc.property(anyText, (text) => {
      assert.equal(flatText(text), text);
    }), { numRuns: 500 });
    assert.equal(flatText('a\ud800b'), 'a\ud800b', 'UTF-8 would have replaced it');
    let rope = '';
    for (let i = 0; i < 500; i++) rope += `# HELP m${i} caf\u00e9 \u{1f642}\n`;
    assert.equal(flatText(rope), rope);
  });
});
