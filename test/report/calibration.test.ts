import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/seq/random.js';
import { bestF1, reliability, thresholdFigure, thresholdSweep } from '../../src/report/calibration.js';
import { confusionFigure, confusionMatrix } from '../../src/report/confusion.js';
import { type ValidPredictions, parsePredictions } from '../../src/report/predictions.js';

test('the threshold sweep counts calls at p >= t and finds the best-F1 threshold', () => {
  const scores = [0.95, 0.7, 0.6, 0.4, 0.3, 0.1];
  const positives = [1, 1, 0, 1, 0, 0];
  const points = thresholdSweep(scores, positives);
  assert.equal(points.length, 101);
  const at = (t: number) => points[Math.round(t * 100)]!;
  assert.deepEqual([at(0).precision, at(0).recall], [0.5, 1]);
  assert.equal(at(0.7).precision, 1); // 0.95 and 0.7 called: both positive
  assert.equal(at(0.7).recall, 2 / 3);
  assert.ok(Number.isNaN(at(0.99).precision), 'nothing called: precision undefined');
  assert.equal(at(0.99).f1, 0);
  const best = bestF1(points);
  // calling 0.95, 0.7 gives F1 0.8; adding 0.6 and 0.4 gives 0.857 (tp 3, fp 1)
  assert.ok(Math.abs(best.f1 - 6 / 7) < 1e-12);
  assert.ok(best.threshold > 0.3 && best.threshold <= 0.4, `best at ${best.threshold}`);
});

/** Rows whose true class is drawn from the very probabilities predicted: calibrated by construction. */
function calibratedRows(n: number, seed: number, sharpen: (p: number) => number): ValidPredictions {
  const random = new Random(seed);
  const labels = new Int32Array(n);
  const probabilities = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const p = random.next();
    labels[i] = random.next() < p ? 1 : 0;
    const shown = sharpen(p);
    probabilities[i * 2] = 1 - shown;
    probabilities[i * 2 + 1] = shown;
  }
  return { classes: ['a', 'b'], labels, probabilities };
}

test('reliability: calibrated probabilities have a small ECE, overconfident ones a large one', () => {
  const calibrated = reliability(calibratedRows(20000, 3, (p) => p));
  assert.ok(calibrated.ece < 0.02, `calibrated ECE ${calibrated.ece}`);
  const overconfident = reliability(calibratedRows(20000, 3, (p) => (p > 0.5 ? 0.99 : 0.01)));
  assert.ok(overconfident.ece > 0.2, `overconfident ECE ${overconfident.ece}`);
  for (const bin of calibrated.bins) assert.ok(Math.abs(bin.accuracy - bin.confidence) < 0.05, JSON.stringify(bin));
});

test('valid-predictions.tsv parses into a confusion matrix of argmax predictions', () => {
  const predictions = parsePredictions(
    ['label\tp_EI\tp_IE\tp_N', 'EI\t0.7\t0.2\t0.1', 'EI\t0.2\t0.5\t0.3', 'N\t0.1\t0.1\t0.8', 'IE\t0.3\t0.3\t0.4', ''].join('\n'),
    'v.tsv',
  );
  assert.deepEqual(predictions.classes, ['EI', 'IE', 'N']);
  assert.deepEqual(confusionMatrix(predictions), [
    [1, 1, 0],
    [0, 0, 1],
    [0, 0, 1],
  ]);
  const svg = confusionFigure(predictions).svg;
  assert.match(svg, /data-true="EI" data-predicted="IE" data-count="1"/);
  assert.match(svg, /accuracy 50\.0% of 4/);
});

test('a bad valid-predictions.tsv is refused naming file and line', () => {
  assert.throws(() => parsePredictions('id\tp_a\tp_b\nx\t0.1\t0.9\n', 'v.tsv'), /^RnnseqError: v\.tsv:1: header must be 'label'/);
  assert.throws(
    () => parsePredictions('label\tp_a\tp_b\na\t0.1\t0.9\nc\t0.5\t0.5\n', 'v.tsv'),
    /v\.tsv:3: label 'c' is not one of the classes a, b/,
  );
  assert.throws(() => parsePredictions('label\tp_a\tp_b\na\t0.1\tx\n', 'v.tsv'), /v\.tsv:2: p_b must be a probability/);
  assert.throws(() => parsePredictions('label\tp_a\tp_b\na\t0.1\n', 'v.tsv'), /v\.tsv:2: expected 3 tab-separated fields, found 2/);
});

test('the threshold figure marks the model threshold and reports precision and recall there', () => {
  const figure = thresholdFigure([{ name: 'CDS', scores: [0.9, 0.8, 0.6, 0.3], positives: [1, 1, 0, 0] }], {
    value: 0.5,
    label: 'calibrated threshold 0.500',
  })!;
  assert.match(figure.svg, /calibrated threshold 0\.500: precision 0\.67, recall 1\.00, F1 0\.80/);
  assert.equal(figure.svg.match(/class="curve"/g)?.length, 3);
  assert.equal(figure.svg.match(/class="marker"/g)?.length, 2);
});
