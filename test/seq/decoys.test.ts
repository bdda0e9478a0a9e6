import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTO_DECOYS, SHIFTED_COPIES, decoyPlan, parseDecoys, withDecoys, withShiftedCopies } from '../../src/commands/train/decoys.js';
import { drawShift, shiftedCopy } from '../../src/seq/shifted-copies.js';
import { Random } from '../../src/seq/random.js';
import type { EncodedSequence } from '../../src/seq/batch.js';

const labels = (counts: number[]) => Int32Array.from(counts.flatMap((n, c) => Array(n).fill(c)));

test('decoys by default: two classes, the larger with 3x the smaller one; a given count on any two-class set', () => {
  assert.deepEqual(decoyPlan('auto', labels([100, 1000]), 2), { background: 1, source: 0, perSequence: AUTO_DECOYS });
  assert.deepEqual(decoyPlan('auto', labels([900, 300]), 2), { background: 0, source: 1, perSequence: AUTO_DECOYS });
  assert.equal(decoyPlan('auto', labels([400, 1000]), 2), undefined, 'balanced enough: a classifier, not a scanner');
  assert.equal(decoyPlan('auto', labels([100, 100, 1000]), 3), undefined, 'three classes: no one background');
  assert.equal(decoyPlan(0, labels([100, 1000]), 2), undefined);
  assert.deepEqual(decoyPlan(2, labels([500, 500]), 2), { background: 0, source: 1, perSequence: 2 });
  assert.equal(parseDecoys('auto'), 'auto');
  assert.equal(parseDecoys('3'), 3);
  assert.throws(() => parseDecoys('-1'), /--decoys -1: expected auto or a whole number/);
  assert.throws(() => parseDecoys('many'), /--decoys many/);
});

function oneHot(codes: number[]): Float32Array {
  const out = new Float32Array(codes.length * 4);
  codes.forEach((c, t) => {
    out[t * 4 + c] = 1;
  });
  return out;
}

function codesOf(encoded: Float32Array): number[] {
  return Array.from({ length: encoded.length / 4 }, (_, t) => encoded.subarray(t * 4, t * 4 + 4).indexOf(1));
}

function dimers(codes: number[]): string {
  const counts = new Array(16).fill(0);
  for (let i = 1; i < codes.length; i++) counts[codes[i - 1]! * 4 + codes[i]!]++;
  return counts.join(',');
}

test('decoys are seeded shuffles of the smaller class keeping its k-let counts, labelled background, after the real items', () => {
  const random = new Random(5);
  const items: EncodedSequence[] = Array.from({ length: 12 }, () => {
    const codes = Array.from({ length: 200 }, () => random.int(4));
    return { encoded: oneHot(codes), length: 200 };
  });
  const set = { items, labels: Int32Array.from(items.map((_, i) => (i < 3 ? 1 : 0))) };
  const plan = { ...decoyPlan('auto', set.labels, 2)!, perSequence: 1 };
  assert.deepEqual(plan, { background: 0, source: 1, perSequence: 1 });
  const decoys = withDecoys(set, plan, 4, 7);
  assert.equal(decoys.added, 3);
  assert.equal(decoys.set.items.length, 15);
  assert.deepEqual([...decoys.set.labels.subarray(0, 12)], [...set.labels], 'real items keep their labels and order');
  assert.deepEqual([...decoys.set.labels.subarray(12)], [0, 0, 0]);
  assert.ok(decoys.k >= 2 && decoys.k <= 4);
  for (let d = 0; d < 3; d++) {
    const source = codesOf(items[d]!.encoded);
    const decoy = codesOf(decoys.set.items[12 + d]!.encoded);
    assert.equal(dimers(decoy), dimers(source), `decoy ${d} keeps its source's dinucleotides`);
    assert.notDeepEqual(decoy, source, `decoy ${d} is reordered`);
  }
  const again = withDecoys(set, plan, 4, 7);
  assert.deepEqual(
    again.set.items.map((i) => [...i.encoded]),
    decoys.set.items.map((i) => [...i.encoded]),
    'same seed, same decoys',
  );
  assert.equal(withDecoys(set, { ...plan, perSequence: 3 }, 4, 7).added, 9);
});

test('a shifted copy moves the item by the shift and fills the uncovered end from the filler, as the DNA beside it', () => {
  const item = oneHot([0, 1, 2, 3, 0, 1, 2, 3]);
  const filler = oneHot([3, 3, 2, 2, 1, 1, 0, 0]);
  assert.deepEqual(codesOf(shiftedCopy(item, filler, 3, 4)), [1, 0, 0, 0, 1, 2, 3, 0], "right by 3: the filler's last 3 bases first");
  assert.deepEqual(codesOf(shiftedCopy(item, filler, -2, 4)), [2, 3, 0, 1, 2, 3, 3, 3], "left by 2: the filler's first 2 bases last");
  assert.deepEqual(codesOf(shiftedCopy(item, filler, 0, 4)), codesOf(item));
  const random = new Random(3);
  const draws = Array.from({ length: 400 }, () => drawShift(5, random));
  assert.deepEqual(
    [...new Set(draws)].sort((a, b) => a - b),
    [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5],
    'never 0, every move up to 5 either way',
  );
});

test('moved copies: SHIFTED_COPIES of each real item of the smaller class, labelled with it, filled from real background items only', () => {
  const random = new Random(8);
  const item = (base: number) => ({
    encoded: oneHot(Array.from({ length: 40 }, () => (random.next() < 0.9 ? base : random.int(4)))),
    length: 40,
  });
  // 2 family items (mostly A), 6 background (mostly T), then 3 decoys (mostly G) that must never fill.
  const items = [item(0), item(0), ...Array.from({ length: 6 }, () => item(3)), item(2), item(2), item(2)];
  const labels = Int32Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const moved = withShiftedCopies({ items, labels }, 8, { background: 0, source: 1, perSequence: 4 }, 4, 5);
  assert.equal(moved.most, 5);
  assert.equal(moved.added, 2 * SHIFTED_COPIES);
  assert.deepEqual([...moved.set.labels.subarray(11)], Array(2 * SHIFTED_COPIES).fill(1));
  for (const copy of moved.set.items.slice(11)) {
    const codes = codesOf(copy.encoded);
    const fill = codes.filter((c) => c !== 0).length;
    assert.ok(fill >= 1 && fill <= 5 + 8, `a copy moved by 1-5 bases: ${codes.join('')}`);
    assert.ok(!codes.includes(2) || codes.filter((c) => c === 2).length < 4, `no decoy fills: ${codes.join('')}`);
  }
  assert.deepEqual(withShiftedCopies({ items, labels }, 8, { background: 0, source: 1, perSequence: 4 }, 4, 5), moved, 'seeded');
});
