import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTO_DECOYS, decoyPlan, parseDecoys, withDecoys } from '../../src/commands/train/decoys.js';
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
