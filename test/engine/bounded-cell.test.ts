import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tf } from '../../src/engine/tf.js';
import type { CellType } from '../../src/engine/cells.js';
import type { RecurrentCore } from '../../src/engine/core.js';
import { nativeStatus } from '../../src/engine/native-addon.js';
import { NativeCore } from '../../src/engine/native-core.js';
import { ReferenceCore } from '../../src/engine/reference-core.js';
import { RnnseqError } from '../../src/errors.js';
import { randomArray, useCpuBackend } from '../helpers.js';

await useCpuBackend();

const status = nativeStatus();
const cores: RecurrentCore[] = [new ReferenceCore(), ...(status.available ? [new NativeCore()] : [])];
if (!status.available) console.error(`# bounded cell: native kernels unavailable (${status.reason}); checking the reference core only`);

interface Case {
  batch: number;
  steps: number;
  hidden: number;
  inputSize: number;
  /** magnitude of inputs and weights: up to 50, where every gate saturates to exactly 0 or 1 */
  scale: number;
  /** c0 for each row, in [0, 1] (the ends included) */
  c0: number[];
  /** real steps per row (a right-padded batch), so the final c of each row is the state after that many steps */
  lengths: number[];
  /** pin the output gate at 1, so the outputs are the cell state at every step */
  exposeState: boolean;
  reverse: boolean;
  /** the forward-only path, or the training forward that keeps activations (native kernels) */
  inference: boolean;
  seed: number;
}

/** Runs a bounded cifg; returns the outputs at every step and the final cell state. */
function runBounded(core: RecurrentCore, k: Case): { outputs: Float32Array; c: Float32Array } {
  const { batch: B, steps: T, hidden: H, inputSize: D, scale, seed } = k;
  return tf.tidy(() => {
    const bias = randomArray(3 * H, seed + 3, scale);
    if (k.exposeState) bias.fill(1e6, 2 * H); // o block: the rest of its pre-activation stays far below 1e6
    const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T < k.lengths[Math.floor(i / T)]! ? 1 : 0));
    const r = core.run({
      cell: 'cifg',
      bounded: true,
      x: tf.tensor3d(randomArray(B * T * D, seed, scale), [B, T, D]),
      mask: tf.tensor2d(mask, [B, T]),
      h0: tf.tensor2d(randomArray(B * H, seed + 1, 1), [B, H]),
      c0: tf.tensor2d(
        Float32Array.from({ length: B * H }, (_, i) => k.c0[Math.floor(i / H)]!),
        [B, H],
      ),
      weights: {
        kernel: tf.tensor2d(randomArray(D * 3 * H, seed + 4, scale), [D, 3 * H]),
        recurrent: tf.tensor2d(randomArray(H * 3 * H, seed + 5, scale), [H, 3 * H]),
        bias: tf.tensor1d(bias),
      },
      reverse: k.reverse,
      inference: k.inference,
    });
    return { outputs: r.outputs.dataSync() as Float32Array, c: r.c!.dataSync() as Float32Array };
  });
}

const caseArbitrary = fc
  .record({
    batch: fc.integer({ min: 1, max: 6 }),
    steps: fc.integer({ min: 1, max: 400 }),
    hidden: fc.integer({ min: 1, max: 20 }),
    inputSize: fc.integer({ min: 1, max: 5 }),
    scale: fc.constantFrom(0.3, 3, 50),
    exposeState: fc.boolean(),
    reverse: fc.boolean(),
    inference: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .chain((k) =>
    fc
      .record({
        c0: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: k.batch,
          maxLength: k.batch,
        }),
        lengths: fc.array(fc.integer({ min: 0, max: k.steps }), { minLength: k.batch, maxLength: k.batch }),
      })
      .map((rows) => ({ ...k, ...rows })),
  );

for (const core of cores) {
  test(`bounded cifg (${core.name} core): the cell state and output stay in [0, 1] on random inputs and weights, large ones too`, () => {
    fc.assert(
      fc.property(caseArbitrary, (k) => {
        const { outputs, c } = runBounded(core, k);
        for (let i = 0; i < c.length; i++) {
          if (!(c[i]! >= 0 && c[i]! <= 1)) throw new Error(`final c[${i}] = ${c[i]} after ${k.lengths[Math.floor(i / k.hidden)]} steps`);
        }
        for (let i = 0; i < outputs.length; i++) {
          if (!(outputs[i]! >= 0 && outputs[i]! <= 1)) throw new Error(`output ${i} = ${outputs[i]}`);
        }
      }),
      { numRuns: core.name === 'native' ? 200 : 40, seed: 20240611 },
    );
  });

  test(`bounded cifg (${core.name} core) with a fixed forget gate is an exponential moving average of its input`, () => {
    // One unit: f = 0.9 always, the candidate is 1 for input 1 and 0 for input 0, the output gate is open.
    const bits = [1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 1];
    const logit = (p: number) => Math.log(p / (1 - p));
    const result = tf.tidy(() => {
      const r = core.run({
        cell: 'cifg',
        bounded: true,
        x: tf.tensor3d(bits, [1, bits.length, 1]),
        h0: tf.zeros([1, 1]) as tf.Tensor2D,
        c0: tf.fill([1, 1], 0.5) as tf.Tensor2D,
        // gate blocks [f g o]: f from its bias alone; g = σ(60·x - 30); o = σ(1e4)
        weights: {
          kernel: tf.tensor2d([[0, 60, 0]]),
          recurrent: tf.zeros([1, 3]) as tf.Tensor2D,
          bias: tf.tensor1d([logit(0.9), -30, 1e4]),
        },
        reverse: false,
      });
      return { outputs: Array.from(r.outputs.dataSync()), c: r.c!.dataSync()[0]! };
    });
    let average = 0.5;
    bits.forEach((bit, t) => {
      average = 0.9 * average + 0.1 * bit;
      assert.ok(Math.abs(result.outputs[t]! - average) < 1e-5, `step ${t}: ${result.outputs[t]} vs ${average}`);
    });
    assert.ok(Math.abs(result.c - average) < 1e-5);
  });

  test(`${core.name} core refuses the bounded option on cells other than cifg`, () => {
    for (const cell of ['lstm', 'gru', 'rnn'] as CellType[]) {
      const gates = cell === 'lstm' ? 4 : cell === 'rnn' ? 1 : 3;
      assert.throws(
        () =>
          tf.tidy(() => {
            core.run({
              cell,
              bounded: true,
              x: tf.zeros([1, 2, 1]) as tf.Tensor3D,
              h0: tf.zeros([1, 1]) as tf.Tensor2D,
              c0: tf.zeros([1, 1]) as tf.Tensor2D,
              weights: {
                kernel: tf.zeros([1, gates]) as tf.Tensor2D,
                recurrent: tf.zeros([1, gates]) as tf.Tensor2D,
                bias: tf.zeros([gates]) as tf.Tensor1D,
              },
              reverse: false,
            });
          }),
        (error: unknown) => error instanceof RnnseqError && /--bounded needs --cell cifg \(the cell is \w+\)/.test(error.message),
        cell,
      );
    }
  });
}
