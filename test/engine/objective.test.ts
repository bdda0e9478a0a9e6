import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { nextSymbolTargets, tagTargets, batchLoss } from '../../src/engine/objective.js';
import { packBatch } from '../../src/seq/batch.js';
import { getAlphabet } from '../../src/seq/alphabet.js';
import { encodeSequence } from '../../src/seq/dataset.js';
import type { Architecture } from '../../src/engine/architecture.js';
import { pearson, spearman } from '../../src/engine/metrics.js';
import { randomArray, useCpuBackend } from '../helpers.js';

await useCpuBackend();
const dna = getAlphabet('dna');

test('next-symbol targets skip ambiguous next bases and padding', () => {
  const items = ['ACNT', 'GT'].map((s) => encodeSequence(s, dna, null));
  const batch = packBatch(items, 4);
  const { targets, weights, steps } = nextSymbolTargets(batch, [4, 2]);
  assert.equal(steps, 3);
  // row 0: A->C counts, C->N does not, N->T counts; row 1: G->T counts, then padding
  assert.deepEqual(Array.from(weights), [1, 0, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(targets.subarray(0, 4)), [0, 1, 0, 0]); // C
  assert.deepEqual(Array.from(targets.subarray(8, 12)), [0, 0, 0, 1]); // T
  assert.deepEqual(Array.from(targets.subarray(12, 16)), [0, 0, 0, 1]); // row 1: T
});

test('tag targets are one-hot where labelled and weightless where -1 or past the end', () => {
  const { targets, weights } = tagTargets([Int8Array.from([0, 1, -1]), Int8Array.from([1])], 3, 2);
  assert.deepEqual(Array.from(weights), [1, 1, 0, 1, 0, 0]);
  assert.deepEqual(Array.from(targets), [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
});

test('the language-model loss is the mean cross-entropy over counted positions, checked by hand', () => {
  const arch: Architecture = {
    cell: 'lstm',
    inputSize: 4,
    hiddenSize: 2,
    layers: 1,
    bidirectional: false,
    dropout: 0,
    pool: 'mean',
    numClasses: 4,
    task: 'lm',
  };
  const items = ['ACNT', 'GT'].map((s) => encodeSequence(s, dna, null));
  const batch = packBatch(items, 4);
  const logitsValues = randomArray(2 * 4 * 4, 7, 2);
  const loss = tf.tidy(() => batchLoss(arch, tf.tensor3d(logitsValues, [2, 4, 4]), batch, items, {}).dataSync()[0]!);
  const logProb = (row: number, t: number, k: number) => {
    const at = (row * 4 + t) * 4;
    const max = Math.max(...logitsValues.subarray(at, at + 4));
    const sum = logitsValues.subarray(at, at + 4).reduce((s, v) => s + Math.exp(v - max), 0);
    return logitsValues[at + k]! - max - Math.log(sum);
  };
  const expected = -(logProb(0, 0, 1) + logProb(0, 2, 3) + logProb(1, 0, 3)) / 3;
  assert.ok(Math.abs(loss - expected) < 1e-5, `${loss} vs ${expected}`);
});

test('regression loss works on standardised targets (MSE and Huber)', () => {
  const base: Architecture = {
    cell: 'gru',
    inputSize: 4,
    hiddenSize: 2,
    layers: 1,
    bidirectional: false,
    dropout: 0,
    pool: 'mean',
    numClasses: 1,
    task: 'regress',
  };
  const items = [encodeSequence('AC', dna, null), encodeSequence('GT', dna, null)];
  const batch = packBatch(items, 4);
  const values = Float32Array.from([12, 4]); // standardised with mean 10, std 2: 1 and -3
  const logits = () => tf.tensor2d([0.5, 0], [2, 1]);
  const mse = tf.tidy(
    () => batchLoss({ ...base, regression: { loss: 'mse', mean: 10, std: 2 } }, logits(), batch, items, { values }).dataSync()[0]!,
  );
  assert.ok(Math.abs(mse - (0.25 + 9) / 2) < 1e-6);
  const huber = tf.tidy(
    () => batchLoss({ ...base, regression: { loss: 'huber', mean: 10, std: 2 } }, logits(), batch, items, { values }).dataSync()[0]!,
  );
  assert.ok(Math.abs(huber - (0.5 * 0.25 + (3 - 0.5)) / 2) < 1e-6, String(huber));
});

test('Pearson and Spearman match known values, ties included', () => {
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [2, 4, 6, 8]) - 1) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [3, 1, 2]) - -0.5) < 1e-12);
  assert.ok(Math.abs(spearman([1, 10, 100, 1000], [1, 2, 3, 4]) - 1) < 1e-12);
  // mid-ranks [1, 2.5, 2.5, 4] vs [1, 3, 2, 4]: r = 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10), as scipy.stats.spearmanr gives
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 3, 2, 4]) - 3 / Math.sqrt(10)) < 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
});
