import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import { Random } from '../../src/seq/random.js';
import { auroc } from '../../src/engine/metrics.js';
import { fitKmerBaseline, fitKmerBaselineEncoded } from '../../src/engine/kmer-baseline.js';
import { baselineVerdict, kmerBaselineForRun, modelMetricFor } from '../../src/engine/baseline-check.js';
import { plant, randomDna, reverseComplement } from '../cli/synthetic-tasks.js';

const dna = getAlphabet('dna');
const protein = getAlphabet('protein');

/** Half the sequences carry `motif` (or, with rcHalf, its reverse complement half of the time) somewhere. */
function plantedTask(count: number, length: number, motif: string, seed: number, rcHalf = false): { seqs: string[]; labels: Int32Array } {
  const random = new Random(seed);
  const seqs: string[] = [];
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const positive = i % 2 === 0;
    let seq = randomDna(random, length, [motif, reverseComplement(motif)]);
    if (positive) seq = plant(random, seq, rcHalf && random.int(2) === 0 ? reverseComplement(motif) : motif);
    seqs.push(seq);
    labels[i] = positive ? 1 : 0;
  }
  return { seqs, labels };
}

function testAuroc(probs: Float32Array, labels: Int32Array): number {
  return auroc(
    Array.from(labels, (_, i) => probs[i * 2 + 1]!),
    Array.from(labels, (l) => l === 1),
  );
}

test('the k-mer baseline solves a planted 6-mer on either strand and picks canonical counts', () => {
  const train = plantedTask(400, 100, 'GATTCA', 1, true);
  const valid = plantedTask(100, 100, 'GATTCA', 2, true);
  const held = plantedTask(200, 100, 'GATTCA', 3, true);
  const baseline = fitKmerBaseline(train, valid, dna);
  assert.equal(baseline.metric, 'auroc');
  assert.ok(baseline.k >= 5, `k = ${baseline.k}`);
  assert.equal(baseline.strands, 'canonical');
  assert.ok(baseline.validMetric > 0.97, `valid AUROC ${baseline.validMetric}`);
  assert.ok(testAuroc(baseline.predict(held.seqs), held.labels) > 0.97);
});

test('a strand-specific signal (a k-mer vs its reverse complement) makes it count forward k-mers', () => {
  const make = (count: number, seed: number) => {
    const random = new Random(seed);
    const seqs: string[] = [];
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      labels[i] = i % 2;
      seqs.push(plant(random, randomDna(random, 60, ['GGGATC', 'GATCCC']), labels[i] ? 'GGGATC' : 'GATCCC'));
    }
    return { seqs, labels };
  };
  const baseline = fitKmerBaseline(make(300, 4), make(100, 5), dna);
  assert.equal(baseline.strands, 'forward');
  assert.ok(baseline.validMetric > 0.95, `valid AUROC ${baseline.validMetric}`);
});

test('labels unrelated to the sequence: held-out AUROC stays near chance', () => {
  const random = new Random(9);
  const make = (count: number) => ({
    seqs: Array.from({ length: count }, () => randomDna(random, 80)),
    labels: Int32Array.from({ length: count }, () => random.int(2)),
  });
  const baseline = fitKmerBaseline(make(300), make(100), dna);
  const held = make(400);
  const area = testAuroc(baseline.predict(held.seqs), held.labels);
  assert.ok(Math.abs(area - 0.5) < 0.1, `held-out AUROC ${area}`);
});

test('three protein classes by composition: accuracy on held-out sequences, same answer twice', () => {
  const make = (count: number, seed: number) => {
    const random = new Random(seed);
    const pools = ['KKRREDLLAI', 'GGPPSSTTNQ', 'FFWWYYVVIM'];
    const labels = Int32Array.from({ length: count }, (_, i) => i % 3);
    const seqs = Array.from(labels, (label) =>
      Array.from({ length: 30 }, () => (random.next() < 0.4 ? pools[label]![random.int(10)] : 'ACDEFGHIKLMNPQRSTVWY'[random.int(20)])).join(
        '',
      ),
    );
    return { seqs, labels };
  };
  const first = fitKmerBaseline(make(300, 1), make(90, 2), protein);
  const second = fitKmerBaseline(make(300, 1), make(90, 2), protein);
  assert.equal(first.metric, 'accuracy');
  assert.ok(first.k <= 3);
  assert.ok(first.validMetric > 0.9, `valid accuracy ${first.validMetric}`);
  const held = make(150, 3);
  const probs = first.predict(held.seqs);
  assert.deepEqual(probs, second.predict(held.seqs));
  let right = 0;
  for (let i = 0; i < held.labels.length; i++) {
    const row = Array.from(probs.subarray(i * 3, i * 3 + 3));
    if (row.indexOf(Math.max(...row)) === held.labels[i]) right++;
  }
  assert.ok(right / held.labels.length > 0.9, `held-out accuracy ${right / held.labels.length}`);
});

test('encoded input gives the same baseline as strings, and the run check reports and judges it', () => {
  const train = plantedTask(200, 80, 'TTGACGCA', 11);
  const valid = plantedTask(60, 80, 'TTGACGCA', 12);
  const encode = (set: { seqs: string[]; labels: Int32Array }) => ({
    items: set.seqs.map((s) => encodeSequence(s, dna, null)),
    labels: set.labels,
  });
  const fromStrings = fitKmerBaseline(train, valid, dna);
  const fromEncoded = fitKmerBaselineEncoded(encode(train), encode(valid), dna);
  assert.equal(fromEncoded.k, fromStrings.k);
  assert.equal(fromEncoded.lambda, fromStrings.lambda);
  assert.equal(fromEncoded.validMetric, fromStrings.validMetric);

  const { report } = kmerBaselineForRun(encode(train), encode(valid), dna, 2)!;
  assert.equal(report.validMetric, fromStrings.validMetric);
  assert.equal(modelMetricFor(report.metric, { validAuroc: 0.6, validAccuracy: 0.5 }), 0.6);
  assert.match(baselineVerdict(report, 0.6) ?? '', /k-mer baseline beats the model/);
  assert.equal(baselineVerdict(report, 1), undefined);
  assert.equal(kmerBaselineForRun(encode(train), undefined, dna, 2), undefined);
});
