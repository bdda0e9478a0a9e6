import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeLbfgs } from '../../src/engine/lbfgs.js';
import { fitSoftmaxRegression, parameterCount, predictSoftmax, softmaxObjective } from '../../src/engine/softmax-regression.js';
import { Random } from '../../src/seq/random.js';
import type { SparseRows } from '../../src/seq/kmer-counts.js';

/** A random sparse design: each row has a few non-zero columns. */
function randomRows(rows: number, columns: number, perRow: number, random: Random): SparseRows {
  const rowStart = new Int32Array(rows + 1);
  const column: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < rows; i++) {
    const picked = new Set<number>();
    while (picked.size < perRow) picked.add(random.int(columns));
    for (const j of [...picked].sort((a, b) => a - b)) {
      column.push(j);
      value.push(random.next() * 2 - 1);
    }
    rowStart[i + 1] = column.length;
  }
  return { rows, columns, rowStart, column: Int32Array.from(column), value: Float32Array.from(value) };
}

for (const classes of [2, 3])
  test(`objective gradient matches central finite differences (${classes} classes, with penalty)`, () => {
    const random = new Random(3);
    const x = randomRows(12, 7, 3, random);
    const labels = Int32Array.from({ length: 12 }, () => random.int(classes));
    const n = parameterCount(7, classes);
    const params = Float64Array.from({ length: n }, () => random.next() * 2 - 1);
    const grad = new Float64Array(n);
    softmaxObjective(params, grad, x, labels, classes, 0.3);
    const scratch = new Float64Array(n);
    const h = 1e-6;
    for (let j = 0; j < n; j++) {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[j]! += h;
      minus[j]! -= h;
      const numeric =
        (softmaxObjective(plus, scratch, x, labels, classes, 0.3) - softmaxObjective(minus, scratch, x, labels, classes, 0.3)) / (2 * h);
      assert.ok(Math.abs(numeric - grad[j]!) < 1e-7, `parameter ${j}: analytic ${grad[j]} vs numeric ${numeric}`);
    }
  });

test('L-BFGS finds the minimum of an ill-conditioned quadratic', () => {
  const scales = [1, 10, 100, 1000];
  const target = [1, -2, 3, -4];
  const result = minimizeLbfgs(
    (x, g) => {
      let f = 0;
      for (let i = 0; i < 4; i++) {
        const d = x[i]! - target[i]!;
        f += 0.5 * scales[i]! * d * d;
        g[i] = scales[i]! * d;
      }
      return f;
    },
    new Float64Array(4),
    { gradientTolerance: 1e-9, relativeDecrease: 0 },
  );
  assert.ok(result.converged);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(result.x[i]! - target[i]!) < 1e-8, `x${i} = ${result.x[i]}`);
});

test('at the fitted optimum the penalised gradient vanishes, and probabilities sum to one', () => {
  const random = new Random(5);
  const x = randomRows(200, 30, 5, random);
  const labels = Int32Array.from({ length: 200 }, (_, i) => (x.column[x.rowStart[i]!]! < 10 ? 0 : x.column[x.rowStart[i]!]! < 20 ? 1 : 2));
  const model = fitSoftmaxRegression(x, labels, 3, 1e-2, { gradientTolerance: 1e-8, relativeDecrease: 0 });
  const grad = new Float64Array(model.parameters.length);
  softmaxObjective(model.parameters, grad, x, labels, 3, 1e-2);
  assert.ok(Math.max(...grad.map(Math.abs)) < 1e-6);
  const probs = predictSoftmax(model, x);
  for (let i = 0; i < 200; i++) assert.ok(Math.abs(probs[i * 3]! + probs[i * 3 + 1]! + probs[i * 3 + 2]! - 1) < 1e-5);
});

test('separable data with a tiny penalty: finite weights, every training row right', () => {
  // column 0 marks class 1, column 1 marks class 0: perfectly separable
  const rows = 40;
  const rowStart = Int32Array.from({ length: rows + 1 }, (_, i) => i);
  const column = Int32Array.from({ length: rows }, (_, i) => i % 2);
  const x: SparseRows = { rows, columns: 2, rowStart, column, value: new Float32Array(rows).fill(1) };
  const labels = Int32Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const model = fitSoftmaxRegression(x, labels, 2, 1e-6);
  assert.ok(model.parameters.every(Number.isFinite));
  const probs = predictSoftmax(model, x);
  for (let i = 0; i < rows; i++) assert.ok(probs[i * 2 + labels[i]!]! > 0.99, `row ${i}`);
});
