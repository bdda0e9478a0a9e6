/**
 * The addon's dropout draws against tf.dropout itself, on both backends training uses: the same multipliers for
 * the seeds the trainer hands out, at every rate the recipe and the options use, over lengths long enough to
 * reach the float32 rounding edges of u + keep; and the addon's max over steps against a plain loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { aleaState, drawDropout } from '../../src/engine/dropout-draw.js';
import { loadNativeAddon, nativeStatus } from '../../src/engine/native-addon.js';
import { Random } from '../../src/seq/random.js';
import { randomArray } from '../helpers.js';

const status = nativeStatus();
const skip = status.available ? false : `native kernels unavailable: ${status.reason}`;

function tfDropout(length: number, rate: number, seed: number): Float32Array {
  return tf.tidy(() => tf.dropout(tf.ones([length]), rate, undefined, seed).dataSync() as Float32Array);
}

// wasm first: the engine's initBackend loads it, and tf.setBackend then switches to cpu within the process.
for (const backend of ['wasm', 'cpu'] as const) {
  test(`dropout draws (${backend}): the addon's multipliers are tf.dropout's, bit for bit`, { skip }, async () => {
    if (backend === 'wasm') await initBackend('wasm');
    else await tf.setBackend('cpu');
    assert.equal(tf.getBackend(), backend);
    const addon = loadNativeAddon()!;
    const seeds = new Random(7);
    const cases: Array<[number, number, number]> = [
      [200_000, 0.1, seeds.seed()],
      [50_000, 0.3, seeds.seed()],
      [50_000, 0.5, seeds.seed()],
      [9_999, 0.25, 0],
      [1, 0.2, 0x7ffffffe],
      [30_000, 0.05, 12345],
      [30_000, 0.9, seeds.seed()],
    ];
    for (const [length, rate, seed] of cases) {
      const expected = tfDropout(length, rate, seed);
      const drawn = drawDropout(addon, new Float32Array(length), rate, seed);
      const first = drawn.findIndex((v, i) => v !== expected[i]);
      assert.equal(first, -1, `length ${length}, rate ${rate}, seed ${seed}: element ${first} differs`);
      // Not a vacuous match: the right share is dropped.
      const dropped = drawn.filter((v) => v === 0).length / length;
      if (length > 1000) assert.ok(Math.abs(dropped - rate) < 0.02, `dropped ${dropped} at rate ${rate}`);
    }
  });
}

test('alea state: the generator continues where it stopped, and each seed starts its own stream', { skip }, () => {
  const addon = loadNativeAddon()!;
  const whole = new Float32Array(1000);
  addon.dropoutMultiplier({ out: whole, rate: 0.5, alea: aleaState(3) });
  const state = aleaState(3);
  const parts = [new Float32Array(400), new Float32Array(600)];
  for (const out of parts) addon.dropoutMultiplier({ out, rate: 0.5, alea: state });
  assert.deepEqual([...parts[0]!, ...parts[1]!], [...whole]);
  const other = drawDropout(addon, new Float32Array(1000), 0.5, 4);
  assert.ok(other.some((v, i) => v !== whole[i]));
  assert.throws(() => addon.dropoutMultiplier({ out: whole, rate: 0, alea: aleaState(3) }), /rate/);
  assert.throws(() => addon.dropoutMultiplier({ out: whole, rate: 0.5, alea: Float64Array.of(0.3, 0.1, 0.2, 1) }), /2\^-32/);
});

/** What native-step.ts's pooling computed in JavaScript before the addon took it over: the reference. */
function maxReference(values: Float32Array, mask: Float32Array | undefined, pad: number, B: number, T: number, F: number) {
  const max = new Float32Array(B * F);
  const arg = new Int32Array(B * F);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let f = 0; f < F; f++) {
        const v = mask !== undefined && mask[b * T + t] === 0 ? pad : values[(b * T + t) * F + f]!;
        if (t === 0 || v > max[b * F + f]!) {
          max[b * F + f] = v;
          arg[b * F + f] = t;
        }
      }
  return { max, arg };
}

test('max over steps (addon): values and first argmax as the plain loop, with masks, ties, NaN and an output column', { skip }, () => {
  const addon = loadNativeAddon()!;
  for (const [B, T, F, seed] of [
    [3, 17, 5, 1],
    [8, 50, 64, 2],
    [1, 1, 4, 3],
  ] as const) {
    // Rounded values tie often; a NaN must never win.
    const values = Float32Array.from(randomArray(B * T * F, seed), (v) => Math.round(v * 2) / 2);
    values[Math.min(5, values.length - 1)] = Number.NaN;
    const mask = new Float32Array(B * T).fill(1);
    for (let b = 0; b < B; b++) for (let t = T - b * 3; t < T; t++) if (t > 0) mask[b * T + t] = 0;
    for (const [m, pad] of [
      [undefined, -1e9],
      [mask, -1e9],
      [mask, 0],
    ] as const) {
      const expected = maxReference(values, m, pad, B, T, F);
      // Into columns 3.. of wider rows, as the head's input holds both directions and the skip path side by side.
      const stride = F + 7;
      const into = new Float32Array(B * stride).fill(42);
      const argmax = new Int32Array(B * stride).fill(-5);
      addon.maxOverSteps({
        values,
        ...(m ? { mask: m } : {}),
        padValue: pad,
        batch: B,
        steps: T,
        features: F,
        into,
        stride,
        column: 3,
        argmax,
        argStride: stride,
        argColumn: 3,
      });
      for (let b = 0; b < B; b++) {
        assert.deepEqual([...into.subarray(b * stride + 3, b * stride + 3 + F)], [...expected.max.subarray(b * F, (b + 1) * F)]);
        assert.deepEqual([...argmax.subarray(b * stride + 3, b * stride + 3 + F)], [...expected.arg.subarray(b * F, (b + 1) * F)]);
        assert.equal(into[b * stride], 42, 'columns outside the block are left alone');
        assert.equal(argmax[b * stride + stride - 1], -5);
      }
    }
  }
  assert.throws(
    () =>
      addon.maxOverSteps({
        values: new Float32Array(8),
        padValue: 0,
        batch: 1,
        steps: 2,
        features: 4,
        into: new Float32Array(4),
        stride: 4,
        column: 1,
        argmax: new Int32Array(4),
        argStride: 4,
        argColumn: 0,
      }),
    /fit/,
  );
});
