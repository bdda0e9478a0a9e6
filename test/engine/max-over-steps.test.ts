/**
 * max-over-steps.ts against tfjs's own ops on the backends training uses: the values of tf.max, the gradient of
 * tf.maxPool (one step per feature, also where ReLU zeros tie), and tf.max's gradient where nothing ties; and the
 * first-maximum rule where positive values tie, on wasm too (whose own MaxPoolGrad takes the last).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import '../../src/engine/gradients.js';
import { initBackend } from '../../src/engine/backend.js';
import { maxOverSteps, maxPoolOverSteps } from '../../src/engine/max-over-steps.js';
import { randomArray } from '../helpers.js';

/** -0 and 0 are the same gradient (tf.maxPool's writes -0 where a product was) */
const plain = (values: Float32Array) => Array.from(values, (v) => (v === 0 ? 0 : v));

function gradient(op: (x: tf.Tensor3D) => tf.Tensor2D, x: tf.Tensor3D, upstream: tf.Tensor2D): Float32Array {
  return tf.tidy(
    () =>
      tf
        .grad((input: tf.Tensor) => tf.sum(tf.mul(op(input as tf.Tensor3D), upstream)))(x)
        .dataSync() as Float32Array,
  );
}

// wasm first: the engine's initBackend loads it, and tf.setBackend then switches to cpu within the process.
for (const backend of ['wasm', 'cpu'] as const) {
  test(`max over steps (${backend}): tf.max's values; tf.maxPool's gradient with ties; tf.max's without`, async () => {
    if (backend === 'wasm') await initBackend('wasm');
    else await tf.setBackend('cpu');
    assert.equal(tf.getBackend(), backend);
    for (const [batch, steps, features, seed] of [
      [3, 17, 5, 1],
      [8, 50, 128, 2],
      [1, 1, 4, 3],
    ] as const) {
      const upstream = tf.tensor2d(randomArray(batch * features, seed + 100), [batch, features]);
      // ReLU of random values: about half are 0, so many features tie at 0 along the steps.
      const tied = tf.relu(tf.tensor3d(randomArray(batch * steps * features, seed), [batch, steps, features])) as tf.Tensor3D;
      assert.deepEqual(maxOverSteps(tied).dataSync(), tf.max(tied, 1).dataSync());
      // (wasm's MaxPoolGrad sends nothing back from a window that is all 0, the one-step case; after a ReLU, whose
      // gradient at 0 is 0, that makes no difference, so only windows of several steps are compared.)
      if (steps > 1) assert.deepEqual(plain(gradient(maxOverSteps, tied, upstream)), plain(gradient(maxPoolOverSteps, tied, upstream)));
      const smooth = tf.tensor3d(randomArray(batch * steps * features, seed + 7), [batch, steps, features]);
      assert.deepEqual(
        plain(gradient(maxOverSteps, smooth, upstream)),
        plain(gradient((x) => tf.max(x, 1) as tf.Tensor2D, smooth, upstream)),
      );
      tf.dispose([upstream, tied, smooth]);
    }
    // Ties at a positive value (a repeated stretch of sequence): the first step, as cpu's MaxPoolGrad.
    const repeated = tf.tensor3d([0.5, 0.2, 0.5, 0, 0, 0], [1, 6, 1]);
    assert.deepEqual(Array.from(gradient(maxOverSteps, repeated, tf.ones([1, 1]) as tf.Tensor2D)), [1, 0, 0, 0, 0, 0]);
    // With all values tied, the whole gradient goes to step 0.
    const flat = tf.zeros([2, 6, 3]) as tf.Tensor3D;
    const g = gradient(maxOverSteps, flat, tf.ones([2, 3]) as tf.Tensor2D);
    assert.deepEqual(
      Array.from(g),
      Array.from({ length: 36 }, (_, i) => (i % 18 < 3 ? 1 : 0)),
    );
  });
}
