import { tf } from './tf.js';

/**
 * Each feature's largest value over the steps, [batch, steps, features] -> [batch, features], with the gradient
 * going to the first step that holds the maximum, on every backend: the rule of the cpu backend's MaxPoolGrad and
 * of the native convolution's pooling. (The wasm backend's MaxPoolGrad sends it to the last tied step, so the
 * skip path trained differently on wasm and cpu; ties at a positive value are common there, since a repeated
 * stretch of sequence gives a filter the same value at several positions.)
 *
 * Why not tf.max or tf.maxPool: their gradients were most of a training step on the wasm backend. Profiling 20
 * steps of the default recipe (conv + BiLSTM-64 + max pooling + skip path, batch 64 x 200 bp): tf.max's gradient
 * (an Equal against the broadcast maximum) took 590 ms and the skip path's MaxPoolGrad 427 ms, of 1,275 ms of
 * kernel time. Here the forward finds the argmax in one pass over the values and the backward scatters into it.
 * On the tensorflow backend (tfjs-node, perhaps on a GPU) reading values back would cost more than it saves, so
 * there it stays tf.maxPool (its gradient follows the same first-maximum rule).
 */
export function maxOverSteps(x: tf.Tensor3D): tf.Tensor2D {
  if (tf.getBackend() === 'tensorflow') return maxPoolOverSteps(x);
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = inputs[0] as tf.Tensor;
    const [batch, steps, features] = input.shape as [number, number, number];
    const values = input.dataSync() as Float32Array;
    const max = new Float32Array(batch * features);
    const at = new Int32Array(batch * features);
    for (let b = 0; b < batch; b++) {
      const base = b * steps * features;
      const out = b * features;
      for (let f = 0; f < features; f++) max[out + f] = steps > 0 ? values[base + f]! : Number.NEGATIVE_INFINITY;
      for (let t = 1; t < steps; t++) {
        const row = base + t * features;
        for (let f = 0; f < features; f++) {
          const v = values[row + f]!;
          if (v > max[out + f]!) {
            max[out + f] = v;
            at[out + f] = t;
          }
        }
      }
    }
    const gradFunc = (dy: tf.Tensor) => {
      const upstream = dy.dataSync() as Float32Array;
      const dx = new Float32Array(batch * steps * features);
      for (let b = 0; b < batch; b++)
        for (let f = 0; f < features; f++) {
          const i = b * features + f;
          dx[(b * steps + at[i]!) * features + f] = upstream[i]!;
        }
      return tf.tensor3d(dx, [batch, steps, features]);
    };
    return { value: tf.tensor2d(max, [batch, features]), gradFunc };
  });
  return op(x) as tf.Tensor2D;
}

/** The same through tf.maxPool: the reference for the tests, and the path on the tensorflow backend. */
export function maxPoolOverSteps(x: tf.Tensor3D): tf.Tensor2D {
  const [batch, steps, features] = x.shape;
  const image = tf.reshape(x, [batch, steps, 1, features]) as tf.Tensor4D;
  return tf.reshape(tf.maxPool(image, [steps, 1], [steps, 1], 'valid'), [batch, features]) as tf.Tensor2D;
}
