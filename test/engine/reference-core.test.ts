import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
// These tests take gradients through tfjs autodiff, which needs the gradient registry (src/engine/gradients.ts).
import '../../src/engine/gradients.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { CELL_TYPES, gateCount, hasCellState, type CellType } from '../../src/engine/cells.js';
import { oracleRun, type OracleInput } from './cell-oracle.js';
import { randomArray, useCpuBackend } from '../helpers.js';

await useCpuBackend();
const core = new ReferenceCore();

function runReference(p: OracleInput) {
  const G = gateCount(p.cell);
  return tf.tidy(() => {
    const r = core.run({
      cell: p.cell,
      x: tf.tensor3d(Float32Array.from(p.x), [p.batch, p.steps, p.inputSize]),
      ...(p.mask ? { mask: tf.tensor2d(Float32Array.from(p.mask), [p.batch, p.steps]) } : {}),
      h0: tf.tensor2d(Float32Array.from(p.h0), [p.batch, p.hidden]),
      ...(p.c0 ? { c0: tf.tensor2d(Float32Array.from(p.c0), [p.batch, p.hidden]) } : {}),
      weights: {
        kernel: tf.tensor2d(Float32Array.from(p.kernel), [p.inputSize, G * p.hidden]),
        recurrent: tf.tensor2d(Float32Array.from(p.recurrent), [p.hidden, G * p.hidden]),
        bias: tf.tensor1d(Float32Array.from(p.bias)),
      },
      reverse: p.reverse,
      ...(p.bounded ? { bounded: true } : {}),
    });
    return { outputs: r.outputs.dataSync(), h: r.h.dataSync(), c: r.c?.dataSync() };
  });
}

/** Every cell, and cifg once more as the bounded memory cell. */
const VARIANTS: ReadonlyArray<{ cell: CellType; bounded: boolean; label: string }> = [
  ...CELL_TYPES.map((cell) => ({ cell, bounded: false, label: cell })),
  { cell: 'cifg', bounded: true, label: 'bounded cifg' },
];

function randomProblem(cell: CellType, reverse: boolean, masked: boolean, seed: number, bounded = false): OracleInput {
  const batch = 3,
    steps = 5,
    inputSize = 4,
    hidden = 3;
  const G = gateCount(cell);
  const lengths = [5, 2, 4];
  return {
    cell,
    batch,
    steps,
    inputSize,
    hidden,
    reverse,
    ...(bounded ? { bounded } : {}),
    x: randomArray(batch * steps * inputSize, seed, 1),
    ...(masked
      ? { mask: Float32Array.from({ length: batch * steps }, (_, i) => (i % steps < lengths[Math.floor(i / steps)]! ? 1 : 0)) }
      : {}),
    h0: randomArray(batch * hidden, seed + 1, 0.5),
    // The bounded cell's state lives in [0, 1].
    ...(hasCellState(cell) ? { c0: randomArray(batch * hidden, seed + 2, 0.5).map((v) => (bounded ? v + 0.5 : v)) } : {}),
    kernel: randomArray(inputSize * G * hidden, seed + 3, 0.8),
    recurrent: randomArray(hidden * G * hidden, seed + 4, 0.8),
    bias: randomArray(G * hidden, seed + 5, 0.3),
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('lstm forward matches a hand-computed two-step example', () => {
  const W = [0.5, 0.5, 0.5, 0.5];
  const r = runReference({
    cell: 'lstm',
    batch: 1,
    steps: 2,
    inputSize: 1,
    hidden: 1,
    reverse: false,
    x: [1, -1],
    h0: [0],
    c0: [0],
    kernel: W,
    recurrent: [0.25, 0.25, 0.25, 0.25],
    bias: [0, 0, 0, 0],
  });
  // c1 = σ(.5)·tanh(.5); h1 = σ(.5)·tanh(c1); step 2 has every gate at a = -0.5 + 0.25·h1.
  assert.ok(Math.abs(r.h[0]! - -0.020965765509063247) < 1e-6, `h2 = ${r.h[0]}`);
  assert.ok(Math.abs(r.c![0]! - -0.054111573484924985) < 1e-6, `c2 = ${r.c![0]}`);
  assert.ok(Math.abs(r.outputs[0]! - 0.17426971865610508) < 1e-6, `h1 = ${r.outputs[0]}`);
});

for (const [k, { cell, bounded, label }] of VARIANTS.entries()) {
  for (const reverse of [false, true]) {
    for (const masked of [false, true]) {
      test(`${label} forward matches the float64 oracle (${reverse ? 'reverse' : 'forward'}, ${masked ? 'masked' : 'unmasked'})`, () => {
        const p = randomProblem(cell, reverse, masked, 11 + k * 7 + (reverse ? 3 : 0) + (masked ? 1 : 0), bounded);
        const want = oracleRun(p);
        const got = runReference(p);
        assert.ok(maxAbsDiff(got.outputs, want.outputs) < 1e-5, 'outputs');
        assert.ok(maxAbsDiff(got.h, want.h) < 1e-5, 'final h');
        if (hasCellState(cell)) assert.ok(maxAbsDiff(got.c!, want.c) < 1e-5, 'final c');
      });
    }
  }
}

test('masked steps emit zeros and leave the state unchanged', () => {
  const p = randomProblem('lstm', false, true, 99);
  const got = runReference(p);
  // Row 1 has length 2: outputs at t >= 2 are zero; its final state equals the state after t = 1.
  for (let t = 2; t < p.steps; t++)
    for (let j = 0; j < p.hidden; j++) assert.equal(Math.abs(got.outputs[(1 * p.steps + t) * p.hidden + j]!), 0);
  const shortened = oracleRun({
    ...p,
    steps: 2,
    batch: 1,
    x: Array.from(p.x).slice(1 * 5 * 4, 1 * 5 * 4 + 8),
    mask: undefined,
    h0: Array.from(p.h0).slice(3, 6),
    c0: Array.from(p.c0!).slice(3, 6),
  });
  assert.ok(maxAbsDiff(got.h.slice(3, 6), shortened.h) < 1e-5);
});

/** Gradients of a random weighted sum of every output, checked against central differences of the oracle. */
for (const [k, { cell, bounded, label }] of VARIANTS.entries()) {
  for (const reverse of [false, true]) {
    test(`${label} gradients match finite differences (${reverse ? 'reverse' : 'forward'}, masked)`, () => {
      const p = randomProblem(cell, reverse, true, 200 + k + (reverse ? 50 : 0), bounded);
      const G = gateCount(cell);
      const wOut = randomArray(p.batch * p.steps * p.hidden, 7);
      const wH = randomArray(p.batch * p.hidden, 8);
      const wC = randomArray(p.batch * p.hidden, 9);
      const objective = (q: OracleInput) => {
        const r = oracleRun(q);
        let s = 0;
        r.outputs.forEach((v, i) => (s += v * wOut[i]!));
        r.h.forEach((v, i) => (s += v * wH[i]!));
        if (hasCellState(cell)) r.c.forEach((v, i) => (s += v * wC[i]!));
        return s;
      };
      const names = ['x', 'h0', ...(hasCellState(cell) ? ['c0'] : []), 'kernel', 'recurrent', 'bias'] as const;
      const shapes: Record<string, number[]> = {
        x: [p.batch, p.steps, p.inputSize],
        h0: [p.batch, p.hidden],
        c0: [p.batch, p.hidden],
        kernel: [p.inputSize, G * p.hidden],
        recurrent: [p.hidden, G * p.hidden],
        bias: [G * p.hidden],
      };
      const tensors = names.map((n) => tf.tensor(Float32Array.from(p[n as keyof OracleInput] as ArrayLike<number>), shapes[n]));
      const grads = tf.grads((...inputs: tf.Tensor[]) => {
        const byName = Object.fromEntries(names.map((n, i) => [n, inputs[i]!]));
        const r = core.run({
          cell,
          reverse,
          bounded,
          x: byName.x as tf.Tensor3D,
          mask: tf.tensor2d(Float32Array.from(p.mask!), [p.batch, p.steps]),
          h0: byName.h0 as tf.Tensor2D,
          ...(byName.c0 ? { c0: byName.c0 as tf.Tensor2D } : {}),
          weights: { kernel: byName.kernel as tf.Tensor2D, recurrent: byName.recurrent as tf.Tensor2D, bias: byName.bias as tf.Tensor1D },
        });
        let s = tf.add(
          tf.sum(tf.mul(r.outputs, tf.tensor3d(wOut, [p.batch, p.steps, p.hidden]))),
          tf.sum(tf.mul(r.h, tf.tensor2d(wH, [p.batch, p.hidden]))),
        );
        if (r.c) s = tf.add(s, tf.sum(tf.mul(r.c, tf.tensor2d(wC, [p.batch, p.hidden]))));
        return s;
      })(tensors);
      names.forEach((name, i) => {
        const analytic = grads[i]!.dataSync();
        const base = Array.from(p[name as keyof OracleInput] as ArrayLike<number>);
        const eps = 1e-5;
        let worst = 0;
        let scale = 1;
        for (let k = 0; k < base.length; k++) {
          const plus = base.slice();
          plus[k]! += eps;
          const minus = base.slice();
          minus[k]! -= eps;
          const numeric = (objective({ ...p, [name]: plus }) - objective({ ...p, [name]: minus })) / (2 * eps);
          worst = Math.max(worst, Math.abs(numeric - analytic[k]!));
          scale = Math.max(scale, Math.abs(numeric));
        }
        assert.ok(worst / scale < 1e-3, `d/d${name}: max error ${worst} (scale ${scale})`);
      });
      tf.dispose([...tensors, ...grads]);
    });
  }
}
