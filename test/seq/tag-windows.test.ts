import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countN, reverseTags, tileStarts, windowTags } from '../../src/seq/tag-windows.js';

test('tagger windows tile every base, one flush with the end', () => {
  assert.deepEqual(tileStarts(100, { windowBp: 40, strideBp: 25 }), [0, 25, 50, 60]);
  assert.deepEqual(tileStarts(90, { windowBp: 40, strideBp: 25 }), [0, 25, 50]);
  assert.deepEqual(tileStarts(39, { windowBp: 40, strideBp: 25 }), []);
});

test('window tags: 1 inside a labelled region, 0 outside, -1 at N; reversed for the reverse complement', () => {
  const bases = Buffer.from('ACGTNACGTA');
  // Window [100, 110): regions [95, 102) and [107, 200) reach into it, [110, 120) starts at its end.
  const tags = windowTags(100, bases, [
    [95, 102],
    [107, 200],
    [110, 120],
  ]);
  assert.deepEqual(Array.from(tags), [1, 1, 0, 0, -1, 0, 0, 1, 1, 1]);
  assert.deepEqual(Array.from(reverseTags(tags)), [1, 1, 1, 0, 0, -1, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(tags), [1, 1, 0, 0, -1, 0, 0, 1, 1, 1], 'the forward tags are left as they were');
  assert.equal(countN(Buffer.from('NnANx')), 3);
});
