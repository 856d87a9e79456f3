import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wordDiff, wordTokens } from '../../src/shared/wordDiff';

const join = (segs: Array<{ text: string; kind: string }>, keep: string[]) => segs.filter((s) => keep.includes(s.kind)).map((s) => s.text).join('');

describe('wordDiff', () => {
  it('tokenizes into words and whitespace that join back to the text', () => {
    assert.deepEqual(wordTokens('a  b\nc'), ['a', '  ', 'b', '\n', 'c']);
    assert.deepEqual(wordTokens(''), []);
  });

  it('equal texts are one same segment; empty sides are all added or removed', () => {
    assert.deepEqual(wordDiff('the cat sat', 'the cat sat'), [{ text: 'the cat sat', kind: 'same' }]);
    assert.deepEqual(wordDiff('', 'new text'), [{ text: 'new text', kind: 'added' }]);
    assert.deepEqual(wordDiff('old text', ''), [{ text: 'old text', kind: 'removed' }]);
    assert.deepEqual(wordDiff('', ''), []);
  });

  it('marks replaced and inserted words, and both texts can be rebuilt from the segments', () => {
    const a = 'The capital of France is Paris.';
    const b = 'The capital city of France is definitely Paris!';
    const d = wordDiff(a, b);
    assert.equal(join(d, ['same', 'removed']), a);
    assert.equal(join(d, ['same', 'added']), b);
    assert.ok(d.some((s) => s.kind === 'added' && s.text.includes('city')));
    assert.ok(d.some((s) => s.kind === 'removed' && s.text.includes('Paris.')));
    for (let i = 1; i < d.length; i++) assert.notEqual(d[i]!.kind, d[i - 1]!.kind, 'adjacent segments of one kind are merged');
  });

  it('finds a longest common subsequence (minimal changes)', () => {
    const d = wordDiff('a b c d e', 'a x c d y');
    assert.equal(join(d, ['same']).replace(/\s+/g, ''), 'acd');
  });

  it('falls back to one removed + one added block above the cell limit, keeping prefix and suffix', () => {
    const d = wordDiff('start one two three end', 'start four five end', 4);
    assert.deepEqual(d, [{ text: 'start ', kind: 'same' }, { text: 'one two three', kind: 'removed' }, { text: 'four five', kind: 'added' }, { text: ' end', kind: 'same' }]);
  });

  it('handles long texts quickly', () => {
    const words = Array.from({ length: 1500 }, (_, i) => `w${i % 97}`);
    const a = words.join(' '), b = words.map((w, i) => (i % 50 === 0 ? 'CHANGED' : w)).join(' ');
    const t0 = Date.now();
    const d = wordDiff(a, b);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(join(d, ['same', 'added']), b);
    assert.equal(join(d, ['same', 'removed']), a);
  });
});
