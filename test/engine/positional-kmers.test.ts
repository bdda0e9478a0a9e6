import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binnedFeatures } from '../../src/engine/kmer-features.js';
import { positionalSignal } from '../../src/engine/positional-kmers.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { symbolCodesOf } from '../../src/seq/kmer-counts.js';
import { Random } from '../../src/seq/random.js';

const dna = getAlphabet('dna');
const MOTIF = 'GATTACAG';

/** 100 bp random DNA with the motif where `where` says (a start position, or none) */
function set(n: number, random: Random, where: (label: number) => number | undefined) {
  const items = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const bases = Array.from({ length: 100 }, () => 'ACGT'[random.int(4)]!);
    const at = where(label);
    if (at !== undefined) for (let j = 0; j < MOTIF.length; j++) bases[at + j] = MOTIF[j]!;
    items.push(encodeSequence(bases.join(''), dna, null));
    labels[i] = label;
  }
  return { items, labels };
}

test('position test: a motif whose place tells the classes apart is positional; one planted anywhere is not', () => {
  const random = new Random(3);
  // Both classes carry the motif: at the start in one, at the end in the other.
  const placed = (label: number) => (label === 1 ? 2 : 88);
  const fixed = positionalSignal(set(300, random, placed), set(100, random, placed), dna, { k: 4, strands: 'forward' }, 2);
  assert.ok(fixed.positional, `binned ${fixed.binnedLoss} vs whole ${fixed.wholeLoss}`);
  assert.ok(fixed.binnedLoss < 0.5 * fixed.wholeLoss);
  // Only class 1 carries it, anywhere: which words occur is the whole signal.
  const anywhere = (label: number) => (label === 1 ? random.int(92) : undefined);
  const loose = positionalSignal(set(300, random, anywhere), set(100, random, anywhere), dna, { k: 4, strands: 'forward' }, 2);
  assert.equal(loose.positional, false, `binned ${loose.binnedLoss} vs whole ${loose.wholeLoss}`);
});

test('binned features: each bin counts the k-mers starting in it, and a row keeps unit length', () => {
  const codes = [symbolCodesOf('AAAAAACCCCCCGGGGGG', dna)];
  const rows = binnedFeatures(codes, { k: 2, strands: 'forward' }, 4, 3);
  assert.equal(rows.columns, 16 * 3);
  const columns = Array.from(rows.column);
  // AA (column 0) only in bin 0, CC (5) in bin 1, GG (10) in bin 2; the pairs spanning a bin edge go to the left bin.
  assert.ok(columns.includes(0) && columns.includes(16 + 5) && columns.includes(32 + 10));
  assert.ok(!columns.includes(16 + 0) && !columns.includes(32 + 5));
  let squares = 0;
  for (const v of rows.value) squares += v * v;
  assert.ok(Math.abs(squares - 1) < 1e-5);
});
