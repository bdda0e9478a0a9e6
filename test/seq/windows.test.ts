import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAlphabet } from '../../src/seq/alphabet.js';
import {
  baseComposition,
  byteEncodingTable,
  circularWindowBin,
  circularWindowCount,
  encodeBytes,
  nPrefixSums,
  regularWindowCount,
  reverseComplementEncoded,
  windowBin,
  windowCount,
  windowLayout,
  windowStart,
} from '../../src/seq/windows.js';

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
    for (let i = 1; i < s.length; i++)
      assert.ok(s[i]! > s[i - 1]! && s[i]! - s[i - 1]! <= 4, `length ${length}: starts increase by <= stride`);
  }
});

test("bedGraph bins are the windows' central stride, tile without overlap and stay inside the sequence", () => {
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

test('a circular sequence has a window at every stride around the circle and none when shorter than a window', () => {
  assert.equal(circularWindowCount(9, grid), 0);
  assert.equal(circularWindowCount(10, grid), 3, 'starts 0, 4, 8: the last two run past the end');
  assert.equal(circularWindowCount(12, grid), 3);
  assert.equal(circularWindowCount(13, grid), 4);
  const layout = windowLayout(grid, true);
  assert.deepEqual(
    Array.from({ length: layout.count(21) }, (_, i) => layout.start(i, 21)),
    [0, 4, 8, 12, 16, 20],
    'no tail window',
  );
  assert.equal(layout.count(Infinity), Infinity, 'unknown length: every regular window so far');
  assert.deepEqual(windowLayout(grid, false).start(3, 21), windowStart(3, 21, grid), 'the linear layout is the linear grid');
});

test('circular bins are the central stride of each window and tile the circle exactly once on the unrolled line', () => {
  for (const g of [grid, { windowBp: 9, strideBp: 2 }, { windowBp: 5, strideBp: 5 }, { windowBp: 30, strideBp: 7 }]) {
    for (let length = g.windowBp; length < 80; length++) {
      const count = circularWindowCount(length, g);
      const bins = Array.from({ length: count }, (_, i) => circularWindowBin(i, length, g));
      const offset = Math.floor((g.windowBp - g.strideBp) / 2);
      assert.equal(bins[0]![0], offset);
      for (let i = 1; i < count; i++) assert.equal(bins[i]![0], bins[i - 1]![1], `${length}: bins touch`);
      assert.equal(bins[count - 1]![1], length + offset, `${length}: the last bin ends where the first starts, a lap on`);
      assert.ok(
        bins.every(([start, end], i) => end > start && start >= i * g.strideBp && end <= i * g.strideBp + g.windowBp),
        `${length}: inside the window`,
      );
    }
  }
  assert.deepEqual(circularWindowBin(2, 10, grid), [11, 13], 'window 8 of 10 bp: a 2 bp bin past the origin');
});
