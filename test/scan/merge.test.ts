import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegionMerger } from '../../src/scan/merge.js';
import { bestF1Threshold } from '../../src/scan/calibrate.js';

test('scan merges overlapping and touching windows; a gap starts a new region; the summit is the centre of the first best window', () => {
  const merger = new RegionMerger();
  const closed = [];
  for (const [start, prob] of [
    [0, 0.6],
    [5, 0.9],
    [10, 0.7],
    [20, 0.8],
    [31, 0.5],
  ] as const) {
    const region = merger.add(start, start + 10, prob);
    if (region) closed.push(region);
  }
  assert.equal(merger.closeBefore(41), undefined, 'a window starting at the end still touches');
  const last = merger.closeBefore(42)!;
  assert.deepEqual(closed, [{ start: 0, end: 30, anchor: 0, maxProb: 0.9, sumProb: 0.6 + 0.9 + 0.7 + 0.8, windows: 4, summit: 10 }]);
  assert.deepEqual(last, { start: 31, end: 41, anchor: 31, maxProb: 0.5, sumProb: 0.5, windows: 1, summit: 36 });
  assert.equal(merger.close(), undefined);
  merger.add(7, 12, 0.6, 0);
  assert.deepEqual(
    merger.close(),
    { start: 7, end: 12, anchor: 0, maxProb: 0.6, sumProb: 0.6, windows: 1, summit: 9 },
    'a core extent keeps its window start as anchor',
  );
});

test('the calibrated threshold maximises F1 and calls tied scores together', () => {
  const scores = [0.9, 0.8, 0.8, 0.6, 0.4, 0.3, 0.2];
  const positive = [true, true, false, true, false, false, false];
  const choice = bestF1Threshold(scores, positive);
  assert.equal(choice.threshold, 0.5);
  assert.deepEqual([choice.precision, choice.recall], [0.75, 1]);
  assert.equal(bestF1Threshold([0.3, 0.3], [true, false]).threshold, 0.15);
  assert.equal(bestF1Threshold([0.3, 0.7], [false, false]).threshold, 0.5, 'no positives: the default');
  // At a 1:1 validation set a weak separation is best called generously; at a genome's 10% positive rate,
  // each negative counts 9 times and the best threshold moves up.
  const weak = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];
  const labels = [true, true, false, true, false, true, false, false];
  assert.equal(bestF1Threshold(weak, labels).threshold, 0.35);
  const rare = bestF1Threshold(weak, labels, 0.1);
  assert.equal(rare.threshold, 0.75);
  assert.equal(rare.negativeWeight, 9);
});
