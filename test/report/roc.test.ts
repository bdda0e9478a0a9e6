import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { prCurve, rocCurve, rocFigure } from '../../src/report/roc.js';

/** The definition: the chance a random positive outscores a random negative, ties counting half. */
function mannWhitney(scores: number[], positives: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (!positives[i]) return;
    scores.forEach((n, j) => {
      if (positives[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

/** Average precision by its definition: mean over positives of the precision at their rank (ties as one block). */
function averagePrecisionByRank(scores: number[], positives: number[]): number {
  const totalPositive = positives.filter(Boolean).length;
  let sum = 0;
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let previousRecall = 0;
  for (const t of thresholds) {
    const called = scores.map((s, i) => ({ s, p: positives[i] })).filter((r) => r.s >= t);
    const tp = called.filter((r) => r.p).length;
    const recall = tp / totalPositive;
    sum += (recall - previousRecall) * (tp / called.length);
    previousRecall = recall;
  }
  return sum;
}

const scored = fc
  .array(fc.record({ score: fc.integer({ min: 0, max: 20 }).map((v) => v / 20), positive: fc.boolean() }), { minLength: 2, maxLength: 60 })
  .filter((rows) => rows.some((r) => r.positive) && rows.some((r) => !r.positive));

test('ROC AUC equals the Mann-Whitney probability, ties included, for any scores', () => {
  fc.assert(
    fc.property(scored, (rows) => {
      const scores = rows.map((r) => r.score);
      const positives = rows.map((r) => (r.positive ? 1 : 0));
      const roc = rocCurve(scores, positives)!;
      assert.ok(Math.abs(roc.auc - mannWhitney(scores, positives)) < 1e-12);
      assert.deepEqual(roc.points[0], [0, 0]);
      assert.deepEqual(roc.points.at(-1), [1, 1]);
      for (let i = 1; i < roc.points.length; i++) {
        assert.ok(
          roc.points[i]![0] >= roc.points[i - 1]![0] && roc.points[i]![1] >= roc.points[i - 1]![1],
          'the curve only moves up and right',
        );
      }
    }),
    { numRuns: 200, seed: 7 },
  );
});

test('average precision equals its rank definition and the ROC is independent of row order', () => {
  fc.assert(
    fc.property(scored, (rows) => {
      const scores = rows.map((r) => r.score);
      const positives = rows.map((r) => (r.positive ? 1 : 0));
      const pr = prCurve(scores, positives)!;
      assert.ok(Math.abs(pr.averagePrecision - averagePrecisionByRank(scores, positives)) < 1e-12);
      const reversed = rocCurve([...scores].reverse(), [...positives].reverse())!;
      assert.deepEqual(reversed, rocCurve(scores, positives));
    }),
    { numRuns: 200, seed: 11 },
  );
});

test('perfect, inverted and one-sided rankings give AUC 1, 0 and no curve', () => {
  assert.equal(rocCurve([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])!.auc, 1);
  assert.equal(rocCurve([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])!.auc, 0);
  assert.equal(prCurve([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])!.averagePrecision, 1);
  assert.equal(prCurve([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])!.baseline, 0.5);
  assert.equal(rocCurve([0.9, 0.1], [1, 1]), undefined);
  assert.equal(prCurve([0.9, 0.1], [0, 0]), undefined);
  assert.equal(rocFigure([{ name: 'x', scores: [0.5], positives: [1] }]), undefined);
});

test('the ROC figure prints each AUC and draws the chance diagonal and a curve per class', () => {
  const figure = rocFigure([
    { name: 'EI', scores: [0.9, 0.8, 0.3, 0.1], positives: [1, 1, 0, 0] },
    { name: 'IE', scores: [0.9, 0.2, 0.8, 0.1], positives: [1, 1, 0, 0] },
  ])!;
  assert.match(figure.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(figure.svg, /EI \(AUC 1\.000\)/);
  assert.match(figure.svg, /macro AUC 0\.875/);
  assert.equal(figure.svg.match(/class="curve"/g)?.length, 2);
  assert.match(figure.svg, /class="reference"/);
});
