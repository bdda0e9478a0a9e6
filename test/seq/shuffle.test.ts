import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/seq/random.js';
import { dinucleotideShuffle, kletShuffle, nullShuffleOrder, shuffleEncoded } from '../../src/seq/shuffle.js';

function randomCodes(length: number, alphabet: number, seed: number): Uint8Array {
  const random = new Random(seed);
  return Uint8Array.from({ length }, () => random.int(alphabet));
}

function kletCounts(s: ArrayLike<number>, k: number): string[] {
  const counts = new Map<string, number>();
  for (let i = 0; i + k <= s.length; i++) {
    const key = Array.from({ length: k }, (_, j) => s[i + j]).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${key}:${n}`).sort();
}

test('a k-let shuffle keeps every k-let count and the first and last k - 1 symbols, and is seeded', () => {
  const codes = randomCodes(500, 4, 7);
  for (const k of [3, 4, 5]) {
    const shuffled = kletShuffle(codes, k, new Random(1));
    assert.equal(shuffled.length, codes.length);
    assert.deepEqual(kletCounts(shuffled, k), kletCounts(codes, k), `k = ${k}`);
    assert.deepEqual([...shuffled.subarray(0, k - 1)], [...codes.subarray(0, k - 1)]);
    assert.deepEqual([...shuffled.subarray(500 - k + 1)], [...codes.subarray(500 - k + 1)]);
    assert.notDeepEqual([...shuffled], [...codes], `k = ${k} moves something`);
    assert.deepEqual(kletShuffle(codes, k, new Random(1)), shuffled, 'same seed, same shuffle');
    assert.notDeepEqual(kletShuffle(codes, k, new Random(2)), shuffled, 'another seed, another shuffle');
  }
  // k = 2 is the dinucleotide shuffle, draw for draw; out-of-range k is refused.
  assert.deepEqual(kletShuffle(codes, 2, new Random(3)), dinucleotideShuffle(codes, new Random(3)));
  assert.throws(() => kletShuffle(codes, 1, new Random(1)), RangeError);
  assert.throws(() => kletShuffle(codes, 8, new Random(1)), RangeError);
  // Too short to move anything: returned as it is.
  assert.deepEqual([...kletShuffle([1, 2, 3], 3, new Random(1))], [1, 2, 3]);
});

test('a 3-let shuffle draws every sequence with the same 3-let counts about equally often', () => {
  // ACGACTACG: its 2-mer walk can be reordered only a few ways; a uniform sampler hits each about equally.
  const codes = Uint8Array.from('ACGACGTACGAC', (c) => 'ACGT'.indexOf(c));
  const random = new Random(11);
  const seen = new Map<string, number>();
  const draws = 20_000;
  for (let i = 0; i < draws; i++) {
    const key = kletShuffle(codes, 3, random).join('');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  assert.ok(seen.size >= 2, `more than one sequence is reachable: ${seen.size}`);
  for (const [key, n] of seen) {
    assert.deepEqual(kletCounts(key.split('').map(Number), 3), kletCounts(codes, 3));
    const expected = draws / seen.size;
    assert.ok(Math.abs(n - expected) < 5 * Math.sqrt(expected), `${key}: ${n} draws, ${expected.toFixed(0)} expected`);
  }
});

test('the null shuffle order: 4-lets for long DNA windows, pairs where a k-let walk would hand back the sequence', () => {
  const encode = (codes: Uint8Array, channels: number) => {
    const out = new Float32Array(codes.length * channels);
    codes.forEach((c, t) => {
      out[t * channels + c] = 1;
    });
    return out;
  };
  const dna = (length: number) => Array.from({ length: 50 }, (_, i) => encode(randomCodes(length, 4, 100 + i), 4));
  assert.equal(nullShuffleOrder(dna(300), 4, new Random(1)), 4);
  assert.equal(nullShuffleOrder(dna(20), 4, new Random(1)), 2);
  const protein = Array.from({ length: 50 }, (_, i) => encode(randomCodes(300, 20, 200 + i), 20));
  assert.equal(nullShuffleOrder(protein, 20, new Random(1)), 2);
  // shuffleEncoded keeps the rows (here 4-lets of one-hot rows) and their counts.
  const item = dna(300)[0]!;
  const shuffled = shuffleEncoded(item, 4, new Random(5), 4);
  const symbols = (encoded: Float32Array) =>
    Array.from({ length: encoded.length / 4 }, (_, t) => encoded.subarray(t * 4, t * 4 + 4).indexOf(1));
  assert.deepEqual(kletCounts(symbols(shuffled), 4), kletCounts(symbols(item), 4));
});
