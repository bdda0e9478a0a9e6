import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { baseComposition, byteEncodingTable, encodeBytes, nPrefixSums, regularWindowCount, reverseComplementEncoded, windowBin, windowCount, windowStart } from '../../src/seq/windows.js';

const grid = { windowBp: 10, strideBp: 4 };
const starts = (length: number, g = grid) => Array.from({ length: windowCount(length, g) }, (_, i) => windowStart(i, length, g));

test('window grid at sequence ends: none when shorter than a window, a tail window covers the end', () => {
  assert.deepEqual(starts(9), []);
  assert.deepEqual(starts(10), [0]);
  assert.deepEqual(starts(14), [0, 4]);
  assert.deepEqual(starts(15), [0, 4, 5], 'the tail window ends exactly at the sequence end');
  assert.deepEqual(starts(21), [0, 4, 8, 11]);
  assert.equal(regularWindowCount(21, grid), 3);
  assert.deepEqual(starts(12, { windowBp: 4, strideBp: 4 }), [0, 4, 8], 'stride = window tiles exactly');
  for (let length = 10; length < 60; length++) {
    const s = starts(length);
    assert.equal(s[s.length - 1]! + 10, length, `length ${length}: last window ends at the end`);
    for (let i = 1; i < s.length; i++) assert.ok(s[i]! > s[i - 1]! && s[i]! - s[i - 1]! <= 4, `length ${length}: starts increase by <= stride`);
  }
});

test('bedGraph bins are the windows\' central stride, tile without overlap and stay inside the sequence', () => {
  for (const g of [grid, { windowBp: 9, strideBp: 2 }, { windowBp: 5, strideBp: 5 }]) {
    for (let length = g.windowBp; length < 50; length++) {
      const bins = Array.from({ length: windowCount(length, g) }, (_, i) => windowBin(i, length, g));
      for (let i = 0; i < bins.length; i++) {
        const [start, end] = bins[i]!;
        const windowAt = windowStart(i, length, g);
        assert.ok(start >= windowAt && end <= windowAt + g.windowBp && end <= length, `bin inside its window (${length})`);
        if (i > 0) assert.ok(start >= bins[i - 1]![1], `no overlap (${length}, bin ${i})`);
        if (i > 0 && i < regularWindowCount(length, g)) assert.equal(start, bins[i - 1]![1], 'regular bins touch');
      }
    }
  }
  assert.deepEqual(windowBin(0, 100, grid), [3, 7]);
});

test('the reverse complement of an encoding is the encoding of the reverse complement, IUPAC included', () => {
  const dna = getAlphabet('dna');
  const table = byteEncodingTable(dna);
  const encode = (text: string) => {
    const out = new Float32Array(text.length * 4);
    encodeBytes(Buffer.from(text, 'latin1'), 0, text.length, table, 4, out);
    return out;
  };
  assert.deepEqual(reverseComplementEncoded(encode('AACGTNRYkmacgt')), encode('acgtKMRYNACGTT'.toUpperCase()));
  const direct = new Float32Array(16);
  dna.encodeInto('ACgN', direct, 0);
  assert.deepEqual(encode('ACgN'), direct, 'byte encoding agrees with the alphabet');
});

test('N prefix sums and base composition count what scan and negative sampling need', () => {
  const bytes = Buffer.from('xxACGTNNnGCAyy', 'latin1');
  const prefix = nPrefixSums(bytes, 2, 12);
  assert.deepEqual(Array.from(prefix), [0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3]);
  assert.deepEqual(baseComposition(bytes, 2, 12), { gc: 4, acgt: 7, n: 3 });
});
