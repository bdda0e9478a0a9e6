import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch } from '../../src/seq/batch.js';
import { positionImportance, scanMutations, type Predictor } from '../../src/explain/mutagenesis.js';
import { getAlphabet } from '../../src/seq/alphabet.js';

const dna = getAlphabet('dna');

/** A known answer: p(class 1) = share of positions reading G, so mutating a G costs 1/L and making one gains 1/L. */
function countingPredictor(calls: number[]): Predictor {
  return {
    predict(batch: Batch): Float32Array {
      calls.push(batch.batch);
      const out = new Float32Array(batch.batch * 2);
      for (let r = 0; r < batch.batch; r++) {
        let g = 0;
        for (let t = 0; t < batch.steps; t++) g += batch.x[(r * batch.steps + t) * batch.channels + 2]!;
        out[r * 2 + 1] = g / batch.steps;
        out[r * 2] = 1 - g / batch.steps;
      }
      return out;
    },
  };
}

test('mutagenesis scores every single-base variant, batched, with exact effects', () => {
  const calls: number[] = [];
  const scan = scanMutations(countingPredictor(calls), dna, 'GAGT', 0, 1, 2, 5);
  assert.deepEqual(calls, [5, 5, 3], 'reference + 12 variants in batches of at most 5');
  assert.equal(scan.refProb, 0.5);
  // position 0 is G: A, C, T each drop one G; its own cell holds the reference probability
  assert.deepEqual(Array.from(scan.altProbs.subarray(0, 4)), [0.25, 0.25, 0.5, 0.25]);
  // position 1 is A: making it G adds one
  assert.deepEqual(Array.from(scan.altProbs.subarray(4, 8)), [0.5, 0.5, 0.75, 0.5]);
  const importance = positionImportance(scan, dna);
  assert.deepEqual(
    Array.from(importance),
    [0.25, -0.25 / 3, 0.25, -0.25 / 3].map((v) => Math.fround(v)),
  );
});

test('an ambiguous reference base gets all four bases as alternatives', () => {
  const calls: number[] = [];
  const scan = scanMutations(countingPredictor(calls), dna, 'NG', 0, 1, 2, 100);
  assert.deepEqual(calls, [1 + 4 + 3]);
  assert.equal(scan.refProb, (0.25 + 1) / 2, 'N encodes as a quarter of each base');
  assert.deepEqual(Array.from(scan.altProbs.subarray(0, 4)), [0.5, 0.5, 1, 0.5]);
});
