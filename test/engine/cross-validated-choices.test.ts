import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossValidatedChoices, crossValidationsComputed, selectRows, stratifiedFolds } from '../../src/engine/cross-validated-choices.js';
import { DEFAULT_LAMBDAS } from '../../src/engine/kmer-baseline.js';
import { kmerFeatures } from '../../src/engine/kmer-features.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { symbolCodesOf } from '../../src/seq/kmer-counts.js';
import { Random } from '../../src/seq/random.js';
import { reverseComplement } from '../cli/synthetic-tasks.js';

const dna = getAlphabet('dna');
const MOTIF = 'GATTACAG';

/** 100 sequences of 80 bp, half carrying `motif(label, random)` at `at(random)` (undefined: none). */
function set(seed: number, motif: (label: number, random: Random) => string | undefined, at: (random: Random) => number) {
  const random = new Random(seed);
  const items = [];
  const labels = new Int32Array(100);
  for (let i = 0; i < 100; i++) {
    const label = i % 2;
    const bases = Array.from({ length: 80 }, () => 'ACGT'[random.int(4)]!);
    const word = motif(label, random);
    if (word !== undefined) {
      const start = at(random);
      for (let j = 0; j < word.length; j++) bases[start + j] = word[j]!;
    }
    items.push(encodeSequence(bases.join(''), dna, null));
    labels[i] = label;
  }
  return { items, labels };
}

test('folds: stratified, every class dealt evenly, seeded; a class smaller than the folds gives none', () => {
  const labels = Int32Array.from({ length: 53 }, (_, i) => (i < 40 ? 0 : 1));
  const folds = stratifiedFolds(labels, 2, 5, new Random(1))!;
  for (let f = 0; f < 5; f++) {
    const inFold = [...folds.keys()].filter((i) => folds[i] === f);
    assert.equal(inFold.filter((i) => labels[i] === 0).length, 8);
    assert.ok([2, 3].includes(inFold.filter((i) => labels[i] === 1).length));
  }
  assert.deepEqual(stratifiedFolds(labels, 2, 5, new Random(1)), folds);
  assert.notDeepEqual(stratifiedFolds(labels, 2, 5, new Random(2)), folds);
  assert.equal(stratifiedFolds(Int32Array.from([0, 0, 0, 0, 0, 1, 1]), 2, 5, new Random(1)), undefined);
});

test('selectRows keeps the chosen rows, in the order asked', () => {
  const rows = kmerFeatures(
    ['ACGT', 'TTTT', 'GGCA'].map((s) => symbolCodesOf(s, dna)),
    { k: 2, strands: 'forward' },
    4,
  );
  const picked = selectRows(rows, [2, 0]);
  const row = (r: typeof rows, i: number) => [
    Array.from(r.column.subarray(r.rowStart[i]!, r.rowStart[i + 1]!)),
    Array.from(r.value.subarray(r.rowStart[i]!, r.rowStart[i + 1]!)),
  ];
  assert.equal(picked.rows, 2);
  assert.equal(picked.columns, rows.columns);
  assert.deepEqual(row(picked, 0), row(rows, 2));
  assert.deepEqual(row(picked, 1), row(rows, 0));
});

test('cross-validated choices: a strand-specific motif at a fixed place is forward and positional', () => {
  // Class 1 has the motif on the given strand near the start; class 0 its reverse complement there.
  const cv = crossValidatedChoices(
    set(
      4,
      (label) => (label === 1 ? MOTIF : reverseComplement(MOTIF)),
      () => 3,
    ),
    dna,
    2,
    { seed: 1, positionTest: true },
  )!;
  assert.equal(cv.spec.strands, 'forward', JSON.stringify(cv));
  assert.ok(cv.otherStrandsLoss! > cv.loss + 0.1, JSON.stringify(cv));
  assert.equal(cv.position!.positional, false, 'both classes carry their word at the same place');
});

test('cross-validated choices: where the motif sits is the label, so position matters', () => {
  const random = new Random(9);
  const items = [];
  const labels = new Int32Array(100);
  for (let i = 0; i < 100; i++) {
    labels[i] = i % 2;
    const bases = Array.from({ length: 80 }, () => 'ACGT'[random.int(4)]!);
    const start = labels[i] === 1 ? 2 + random.int(10) : 60 + random.int(10);
    for (let j = 0; j < MOTIF.length; j++) bases[start + j] = MOTIF[j]!;
    items.push(encodeSequence(bases.join(''), dna, null));
  }
  const cv = crossValidatedChoices({ items, labels }, dna, 2, { seed: 1, positionTest: true })!;
  assert.ok(cv.position!.positional, JSON.stringify(cv.position));
  assert.ok(cv.position!.binnedLoss < 0.8 * cv.position!.wholeLoss, JSON.stringify(cv.position));
});

test('cross-validated choices: a motif on either strand, anywhere, is strand-merged and not positional', () => {
  const cv = crossValidatedChoices(
    set(
      6,
      (label, random) => (label === 1 ? (random.int(2) === 0 ? MOTIF : reverseComplement(MOTIF)) : undefined),
      (random) => random.int(73),
    ),
    dna,
    2,
    { seed: 1, positionTest: true },
  )!;
  assert.equal(cv.spec.strands, 'canonical', JSON.stringify(cv));
  assert.equal(cv.position!.positional, false, JSON.stringify(cv.position));
});

test('cross-validated penalty: one of the path, smaller where a motif carries the label; noise stays near log 2', () => {
  const noise = set(
    8,
    () => undefined,
    () => 0,
  );
  const shuffled = Int32Array.from(new Random(3).shuffle([...noise.labels]));
  const none = crossValidatedChoices({ items: noise.items, labels: shuffled }, dna, 2, { seed: 1, positionTest: false })!;
  assert.ok(DEFAULT_LAMBDAS.includes(none.lambda), JSON.stringify(none));
  // Random sequences, random labels: the best of 60 (features, penalty) pairs comes in a little under log 2 by
  // chance, no more.
  assert.ok(none.loss > Math.log(2) - 0.07, JSON.stringify(none));
  const motif = crossValidatedChoices(
    set(
      6,
      (label) => (label === 1 ? MOTIF : undefined),
      (random) => random.int(73),
    ),
    dna,
    2,
    { seed: 1, positionTest: false },
  )!;
  assert.ok(DEFAULT_LAMBDAS.includes(motif.lambda) && motif.lambda < DEFAULT_LAMBDAS[0]!, JSON.stringify(motif));
  assert.ok(motif.loss < 0.5, JSON.stringify(motif));
});

test('cross-validated baseline: the features that classify best out of fold, though cautious 3-mers lose on log loss', () => {
  // 8 protein families of 20 members, each member its family's random 120-residue root with 55% of the sites
  // redrawn, behind a random flank: members share 3-mers, while 2-mers say little beyond composition.
  const protein = getAlphabet('protein');
  const residues = 'ACDEFGHIKLMNPQRSTVWY';
  const random = new Random(5);
  const items = [];
  const labels: number[] = [];
  for (let family = 0; family < 8; family++) {
    const root = Array.from({ length: 120 }, () => residues[random.int(20)]!);
    for (let member = 0; member < 20; member++) {
      const body = root.map((residue) => (random.next() < 0.55 ? residues[random.int(20)]! : residue));
      const flank = Array.from({ length: random.int(30) }, () => residues[random.int(20)]!);
      items.push(encodeSequence([...flank, ...body].join(''), protein, null));
      labels.push(family);
    }
  }
  const cv = crossValidatedChoices({ items, labels: Int32Array.from(labels) }, protein, 8, { seed: 1, positionTest: false })!;
  assert.equal(cv.spec.k, 2, `lowest loss: ${JSON.stringify(cv)}`);
  assert.equal(cv.baseline.spec.k, 3, JSON.stringify(cv.baseline));
  assert.ok(cv.baseline.metric > 0.85, JSON.stringify(cv.baseline));
  assert.ok(DEFAULT_LAMBDAS.includes(cv.baseline.lambda), JSON.stringify(cv.baseline));
});

test('cross-validated choices: asked again on the same sequences, computed once, each caller with its own copy', () => {
  const data = set(
    21,
    (label) => (label === 1 ? MOTIF : undefined),
    (random) => random.int(73),
  );
  const options = { seed: 1, positionTest: true };
  const before = crossValidationsComputed();
  const first = crossValidatedChoices(data, dna, 2, options)!;
  assert.equal(crossValidationsComputed(), before + 1);
  first.spec.k = 99;
  const again = crossValidatedChoices(data, dna, 2, options)!;
  assert.equal(crossValidationsComputed(), before + 1, 'asked again: no new cross-validation');
  assert.notEqual(again.spec.k, 99, 'the cached answer was changed through a returned copy');
  // One base of one sequence changed, or another seed: another question.
  const encoded = Float32Array.from(data.items[0]!.encoded);
  encoded.set(encoded[0] === 1 ? [0, 1, 0, 0] : [1, 0, 0, 0], 0);
  crossValidatedChoices({ items: [{ ...data.items[0]!, encoded }, ...data.items.slice(1)], labels: data.labels }, dna, 2, options);
  assert.equal(crossValidationsComputed(), before + 2);
  crossValidatedChoices(data, dna, 2, { ...options, seed: 2 });
  assert.equal(crossValidationsComputed(), before + 3);
});
