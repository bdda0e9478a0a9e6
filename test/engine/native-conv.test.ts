import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import '../../src/engine/gradients.js';
import type { ConvPool, ConvPoolArgs } from '../../src/engine/core.js';
import { referenceConvPool } from '../../src/engine/front-end.js';
import { loadNativeAddon, nativeStatus } from '../../src/engine/native-addon.js';
import { NativeCore } from '../../src/engine/native-core.js';
import { randomArray, useCpuBackend } from '../helpers.js';

await useCpuBackend();

const status = nativeStatus();
const skip = status.available ? false : `native kernels unavailable: ${status.reason}`;
const native: ConvPool | undefined = status.available ? new NativeCore().convPool : undefined;

interface Problem {
  batch: number;
  steps: number;
  channels: number;
  width: number;
  filters: number;
  pool: number;
  masked: boolean;
  seed: number;
  /** one-hot DNA with repeats instead of random reals: identical windows, so exactly tied maxima */
  repeats?: boolean;
  /** a per-step bias [T, F] too (--position-bias) */
  positioned?: boolean;
}

interface Outcome {
  out: Float32Array;
  dKernel: Float32Array;
  dBias: Float32Array;
  dx: Float32Array;
  /** empty without a per-step bias */
  dPosition: Float32Array;
}

/** Right-padded lengths: the first row full, the second a single step, the rest random in [1, T]. */
function maskFor(p: Problem): Float32Array {
  const noise = randomArray(p.batch, p.seed + 99, 1);
  const lengths = Array.from(noise, (u, b) => (b === 0 ? p.steps : b === 1 ? 1 : 1 + (Math.floor(((u + 1) / 2) * p.steps) % p.steps)));
  return Float32Array.from({ length: p.batch * p.steps }, (_, i) => (i % p.steps < lengths[Math.floor(i / p.steps)]! ? 1 : 0));
}

const REPEATS = ['TTTTTTTTTTTTTTTTTTTTTTTTT', 'ATATATATATATATATATATATATA', 'ACGACGACGTTTTTTTTTTACGACG', 'GGGGGCCCCCGGGGGCCCCCAAAAA'];

function inputFor(p: Problem): Float32Array {
  if (!p.repeats) return randomArray(p.batch * p.steps * p.channels, p.seed, 1);
  const x = new Float32Array(p.batch * p.steps * 4);
  for (let b = 0; b < p.batch; b++)
    for (let t = 0; t < p.steps; t++) x[(b * p.steps + t) * 4 + 'ACGT'.indexOf(REPEATS[b % REPEATS.length]![t % 25]!)] = 1;
  return x;
}

/** Output and the gradients of sum(out * weights) with respect to kernel, bias and x. */
function evaluate(convPool: ConvPool, p: Problem): Outcome {
  return tf.tidy(() => {
    const x = tf.tensor3d(inputFor(p), [p.batch, p.steps, p.channels]);
    const kernel = tf.tensor2d(randomArray(p.width * p.channels * p.filters, p.seed + 1, 0.7), [p.width * p.channels, p.filters]);
    const bias = tf.tensor1d(randomArray(p.filters, p.seed + 2, 0.3));
    const mask = p.masked ? tf.tensor2d(maskFor(p), [p.batch, p.steps]) : undefined;
    const pooled = Math.ceil(p.steps / p.pool);
    const weights = tf.tensor3d(randomArray(p.batch * pooled * p.filters, p.seed + 3, 1), [p.batch, pooled, p.filters]);
    const position = tf.tensor2d(randomArray(p.steps * p.filters, p.seed + 4, 0.5), [p.steps, p.filters]);
    const args = (k: tf.Tensor, b: tf.Tensor, input: tf.Tensor, pos: tf.Tensor): ConvPoolArgs => ({
      x: input as tf.Tensor3D,
      ...(mask ? { mask } : {}),
      kernel: k as tf.Tensor2D,
      bias: b as tf.Tensor1D,
      ...(p.positioned ? { position: pos as tf.Tensor2D } : {}),
      width: p.width,
      pool: p.pool,
      inputGradient: true,
    });
    const out = convPool(args(kernel, bias, x, position));
    const [dKernel, dBias, dx, dPosition] = tf.grads((k: tf.Tensor, b: tf.Tensor, input: tf.Tensor, pos?: tf.Tensor) =>
      tf.sum(tf.mul(convPool(args(k, b, input, pos ?? position)), weights)),
    )(p.positioned ? [kernel, bias, x, position] : [kernel, bias, x]);
    const copy = (t: tf.Tensor) => t.dataSync().slice() as Float32Array;
    return {
      out: copy(out),
      dKernel: copy(dKernel!),
      dBias: copy(dBias!),
      dx: copy(dx!),
      dPosition: p.positioned ? copy(dPosition!) : new Float32Array(0),
    };
  });
}

/** max|got − want| / max(1, max|want|) */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length, 'lengths differ');
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return Number.isFinite(diff) ? diff / scale : Infinity;
}

function assertClose(got: Outcome, want: Outcome, label: string): void {
  for (const key of ['out', 'dKernel', 'dBias', 'dx', 'dPosition'] as const) {
    const error = relativeError(got[key], want[key]);
    assert.ok(error < 1e-5, `${label}: ${key} relative error ${error.toExponential(2)}`);
  }
}

function assertIdentical(got: Outcome, want: Outcome, label: string): void {
  for (const key of ['out', 'dKernel', 'dBias', 'dx'] as const) {
    const same = Buffer.from(got[key].buffer).equals(Buffer.from(want[key].buffer));
    assert.ok(same, `${label}: ${key} differs`);
  }
}

const label = (p: Problem) =>
  `B${p.batch} T${p.steps} C${p.channels} K${p.width} F${p.filters} pool ${p.pool}${p.masked ? ' masked' : ''}${p.repeats ? ' repeats' : ''}`;

// Odd and even widths (even ones have one more tap after the position than before), pools that do and do not
// divide T, filter counts that fill no SIMD vector, exactly some, or spill into a last partial block.
const PROBLEMS: Problem[] = [];
for (const [i, width] of [1, 2, 4, 5, 11].entries()) {
  for (const [j, pool] of [1, 3, 4].entries()) {
    const filters = [6, 16, 37][(i + j) % 3]!;
    for (const masked of [false, true])
      PROBLEMS.push({
        batch: 7,
        steps: 23,
        channels: [4, 3][i % 2]!,
        width,
        filters,
        pool,
        masked,
        seed: 100 * i + 10 * j + (masked ? 1 : 0),
      });
  }
}

test('the native convolution + pooling matches the tfjs reference in output and in the kernel, bias and input gradients', { skip }, () => {
  for (const p of PROBLEMS) assertClose(evaluate(native!, p), evaluate(referenceConvPool, p), label(p));
});

test('a per-step bias (--position-bias) matches the reference too: output and its own gradient', { skip }, () => {
  for (const p of PROBLEMS.filter((_, i) => i % 5 === 0)) {
    const positioned = { ...p, positioned: true };
    assertClose(evaluate(native!, positioned), evaluate(referenceConvPool, positioned), `${label(p)} positioned`);
  }
});

test('tied maxima (repeats in one-hot DNA) send the gradient to the first tied position, as the reference does on cpu', { skip }, () => {
  // The wasm backend's MaxPoolGrad gives a tie to the last position instead; the native kernels follow the cpu
  // backend (tfjs's own maxPoolPositions). Either way one position per window gets it, never every tied one.
  for (const width of [3, 6]) {
    for (const pool of [3, 4]) {
      const p: Problem = { batch: 4, steps: 25, channels: 4, width, filters: 8, pool, masked: true, seed: width + pool, repeats: true };
      // The ties are real: some window holds two equal positive ReLU outputs (per-step outputs, pool 1).
      const steps = evaluate(native!, { ...p, pool: 1 }).out;
      let tied = false;
      for (let i = 0; i < steps.length && !tied; i++) {
        const t = Math.floor(i / p.filters) % p.steps;
        tied = steps[i]! > 0 && t % pool < pool - 1 && t + 1 < p.steps && steps[i + p.filters] === steps[i];
      }
      assert.ok(tied, `${label(p)}: no tied window`);
      // Kernel and bias gradients cannot tell tied positions apart (their windows are identical); dX can.
      assertClose(evaluate(native!, p), evaluate(referenceConvPool, p), label(p));
    }
  }
});

test('native convolution gradients match central finite differences on a tiny case', { skip }, () => {
  const p: Problem = { batch: 2, steps: 7, channels: 3, width: 3, filters: 2, pool: 2, masked: true, seed: 5 };
  const x0 = inputFor(p);
  const kernel0 = randomArray(p.width * p.channels * p.filters, p.seed + 1, 0.7);
  const bias0 = randomArray(p.filters, p.seed + 2, 0.3);
  const mask = tf.tensor2d(maskFor(p), [p.batch, p.steps]);
  const pooled = Math.ceil(p.steps / p.pool);
  const weights = randomArray(p.batch * pooled * p.filters, p.seed + 3, 1);
  // The loss in float64 from the float32 output, so the differences see only the op's own rounding.
  const loss = (x: Float32Array, kernel: Float32Array, bias: Float32Array) =>
    tf.tidy(() => {
      const out = native!({
        x: tf.tensor3d(x, [p.batch, p.steps, p.channels]),
        mask,
        kernel: tf.tensor2d(kernel, [p.width * p.channels, p.filters]),
        bias: tf.tensor1d(bias),
        width: p.width,
        pool: p.pool,
        inputGradient: false,
        inference: true,
      }).dataSync() as Float32Array;
      return out.reduce((sum, v, i) => sum + v * weights[i]!, 0);
    });
  const analytic = evaluate(native!, p);
  const eps = 1e-2;
  const check = (name: string, base: Float32Array, at: (changed: Float32Array) => number, gradient: Float32Array) => {
    let nonzero = 0;
    for (let k = 0; k < base.length; k++) {
      const shifted = (delta: number) => {
        const changed = base.slice();
        changed[k] = changed[k]! + delta;
        return at(changed);
      };
      const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
      if (gradient[k] !== 0) nonzero++;
      assert.ok(
        Math.abs(numeric - gradient[k]!) <= 1e-3 + 0.01 * Math.abs(numeric),
        `${name}[${k}]: analytic ${gradient[k]} vs numeric ${numeric}`,
      );
    }
    assert.ok(nonzero > base.length / 4, `${name}: too few non-zero gradients (${nonzero}) for the check to mean much`);
  };
  check('kernel', kernel0, (k) => loss(x0, k, bias0), analytic.dKernel);
  check('bias', bias0, (b) => loss(x0, kernel0, b), analytic.dBias);
  check('x', x0, (x) => loss(x, kernel0, bias0), analytic.dx);
  mask.dispose();
});

test('native convolution results are bit-identical whatever the thread count', { skip }, () => {
  // T 100 with width 11: 9 batch rows per chunk, so 21 rows make three chunks, the last one short.
  const problems: Problem[] = [
    { batch: 21, steps: 100, channels: 4, width: 11, filters: 37, pool: 4, masked: true, seed: 3 },
    { batch: 16, steps: 240, channels: 4, width: 10, filters: 64, pool: 3, masked: true, seed: 4 },
  ];
  for (const p of problems) sameAtEveryThreadCount(p, [2, 3, 8]);
});

/** The problem's results with 1 thread, after checking that `counts` threads give the same bits. */
function sameAtEveryThreadCount(p: Problem, counts: readonly number[]): Outcome {
  const addon = loadNativeAddon()!;
  const threads = addon.threads();
  try {
    addon.setThreads(1);
    const single = evaluate(native!, p);
    for (const n of counts) {
      addon.setThreads(n);
      assertIdentical(evaluate(native!, p), single, `${label(p)} with ${n} threads`);
    }
    return single;
  } finally {
    addon.setThreads(threads);
  }
}

test('a row longer than one forward tile (cut at whole pooling windows) matches the reference, at any thread count', { skip }, () => {
  // 9,001 steps at pool 3: tiles of 4,098 steps, the last one short and ending in a short window; row 1 holds one
  // real step and row 2 a random length, so masked steps fall inside and across tiles. The backward reads the
  // tiled forward's argmax.
  const p: Problem = { batch: 3, steps: 9001, channels: 4, width: 11, filters: 37, pool: 3, masked: true, seed: 31, positioned: true };
  assertClose(sameAtEveryThreadCount(p, [2, 3]), evaluate(referenceConvPool, p), label(p));
});

test('a per-step bias table shorter than the sequence (positionRows) equals the table padded with zeros', { skip }, () => {
  const addon = loadNativeAddon()!;
  for (const steps of [40, 9000]) {
    const shape = { batch: 2, steps, channels: 4, width: 5, filters: 16, pool: 3 };
    const rows = 60;
    const table = randomArray(rows * 16, 7, 0.5);
    const padded = new Float32Array(steps * 16);
    padded.set(table.subarray(0, Math.min(rows, steps) * 16));
    const common = {
      ...shape,
      x: randomArray(2 * steps * 4, 8, 1),
      kernel: randomArray(5 * 4 * 16, 9, 0.7),
      bias: randomArray(16, 10, 0.3),
    };
    const pooled = 2 * Math.ceil(steps / 3) * 16;
    const [short, full, none] = [new Float32Array(pooled), new Float32Array(pooled), new Float32Array(pooled)];
    const used = Math.min(rows, steps);
    addon.convForward({ ...common, position: table.subarray(0, used * 16), positionRows: used, out: short });
    addon.convForward({ ...common, position: padded, out: full });
    addon.convForward({ ...common, out: none });
    assert.deepEqual(short, full, `T ${steps}`);
    assert.notDeepEqual(short, none, `T ${steps}: the table is used`);
  }
});

test('every SIMD level this CPU supports matches the reference', { skip }, () => {
  const addon = loadNativeAddon()!;
  const chosen = addon.simdLevel();
  const p: Problem = { batch: 5, steps: 30, channels: 4, width: 7, filters: 37, pool: 4, masked: true, seed: 8 };
  const want = evaluate(referenceConvPool, p);
  try {
    for (const level of addon.supportedSimdLevels()) {
      addon.setSimdLevel(level);
      assertClose(evaluate(native!, p), want, `${level} ${label(p)}`);
    }
  } finally {
    addon.setSimdLevel(chosen);
  }
});

test('the inference path returns exactly what the training path does, and neither leaks tensors', { skip }, () => {
  const p: Problem = { batch: 5, steps: 30, channels: 4, width: 5, filters: 20, pool: 3, masked: true, seed: 12 };
  const run = (inference: boolean, inputGradient: boolean) =>
    tf.tidy(() =>
      native!({
        x: tf.tensor3d(inputFor(p), [p.batch, p.steps, p.channels]),
        mask: tf.tensor2d(maskFor(p), [p.batch, p.steps]),
        kernel: tf.tensor2d(randomArray(5 * 4 * 20, 1, 0.5), [20, 20]),
        bias: tf.tensor1d(randomArray(20, 2, 0.5)),
        width: p.width,
        pool: p.pool,
        inputGradient,
        ...(inference ? { inference } : {}),
      }).dataSync(),
    );
  const trained = run(false, true);
  run(true, false);
  const before = tf.memory().numTensors;
  assert.deepEqual(run(true, false), trained);
  assert.deepEqual(run(false, false), trained);
  evaluate(native!, p);
  assert.equal(tf.memory().numTensors, before);
});

test('without an input gradient, x is data: the kernel and bias gradients are unchanged and none reaches x', { skip }, () => {
  const p: Problem = { batch: 3, steps: 17, channels: 4, width: 4, filters: 9, pool: 4, masked: true, seed: 21 };
  const full = evaluate(native!, p);
  tf.tidy(() => {
    const x = tf.tensor3d(inputFor(p), [p.batch, p.steps, p.channels]);
    const kernel = tf.tensor2d(randomArray(p.width * p.channels * p.filters, p.seed + 1, 0.7), [p.width * p.channels, p.filters]);
    const bias = tf.tensor1d(randomArray(p.filters, p.seed + 2, 0.3));
    const mask = tf.tensor2d(maskFor(p), [p.batch, p.steps]);
    const pooled = Math.ceil(p.steps / p.pool);
    const weights = tf.tensor3d(randomArray(p.batch * pooled * p.filters, p.seed + 3, 1), [p.batch, pooled, p.filters]);
    const [dKernel, dBias] = tf.grads((k: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(
          native!({ x, mask, kernel: k as tf.Tensor2D, bias: b as tf.Tensor1D, width: p.width, pool: p.pool, inputGradient: false }),
          weights,
        ),
      ),
    )([kernel, bias]);
    assert.deepEqual(dKernel!.dataSync(), full.dKernel);
    assert.deepEqual(dBias!.dataSync(), full.dBias);
  });
});

test('the addon refuses buffers of the wrong size and argmax steps outside the sequence', { skip }, () => {
  const addon = loadNativeAddon()!;
  const shape = { batch: 1, steps: 4, channels: 1, width: 3, filters: 1, pool: 2 };
  const common = { ...shape, x: new Float32Array(4), kernel: new Float32Array(3) };
  assert.throws(
    () => addon.convForward({ ...common, bias: new Float32Array(1), out: new Float32Array(3) }),
    /out has 3 elements, expected 2/,
  );
  const backward = (argmax: number[]) =>
    addon.convBackward({
      ...common,
      argmax: Int32Array.from(argmax),
      dOut: new Float32Array(2),
      dKernel: new Float32Array(3),
      dBias: new Float32Array(1),
    });
  assert.throws(() => backward([0, 4]), /argmax holds a step outside the sequence/);
  assert.doesNotThrow(() => backward([-1, 3]));
});

test('the per-step bias gradient equals the plain scatter bit for bit, and refuses an argmax outside its window', { skip }, () => {
  const addon = loadNativeAddon()!;
  // Uneven shapes (a short last window, filters not a multiple of the vector width), stopped gradients (-1),
  // signed zeros and subnormals, which the window-by-window adds must leave exactly as the scatter does.
  for (const [batch, steps, filters, pool] of [
    [5, 23, 7, 4],
    [3, 12, 64, 3],
    [2, 9, 16, 1],
    [4, 30, 33, 7],
  ] as const) {
    const rows = batch * Math.ceil(steps / pool);
    const argmax = new Int32Array(rows * filters);
    const values = randomArray(rows * filters, batch * 31 + steps);
    const dOut = Float32Array.from(values, (v, i) => (i % 11 === 0 ? -0 : i % 13 === 0 ? v * 1e-40 : v));
    values.forEach((v, i) => {
      const first = (Math.floor(i / filters) % Math.ceil(steps / pool)) * pool;
      const window = Math.min(pool, steps - first);
      argmax[i] = Math.abs(v) < 0.3 ? -1 : first + (Math.floor(Math.abs(v) * 1000) % window);
    });
    const expected = new Float32Array(steps * filters);
    for (let i = 0; i < argmax.length; i++) {
      const t = argmax[i]!;
      if (t >= 0) expected[t * filters + (i % filters)] += dOut[i]!;
    }
    const grad = new Float32Array(steps * filters);
    addon.positionGradient({ argmax, dOut, steps, filters, pool, grad });
    assert.deepEqual(new Uint32Array(grad.buffer), new Uint32Array(expected.buffer), `${batch}x${steps}x${filters} pool ${pool}`);
  }
  const one = (argmax: number[]) =>
    addon.positionGradient({
      argmax: Int32Array.from(argmax),
      dOut: new Float32Array(4),
      steps: 8,
      filters: 2,
      pool: 4,
      grad: new Float32Array(16),
    });
  assert.doesNotThrow(() => one([0, 3, 7, -1]));
  for (const bad of [
    [4, 0, 4, 4],
    [0, 0, 3, 4],
    [0, 0, 4, 8],
    [-2, 0, 4, 4],
  ]) {
    assert.throws(() => one(bad), /argmax holds a step outside its pooling window/, `argmax ${bad}`);
  }
  assert.throws(() => one([0, 0, 4]), /./);
});
