import * as tf from '@tensorflow/tfjs-core';
import type { Architecture } from './architecture.js';
import type { Random } from './random.js';

/**
 * What sits between the one-hot input and the recurrent stack: an optional learned embedding, then an optional
 * convolution + ReLU + max-pool (DanQ). Both are written as plain matMuls on tfjs-core ops whose kernels and
 * gradients exist on every backend rnnseq runs: tf.conv1d would need Conv2DBackpropFilter, which the wasm
 * backend does not have, so the convolution unfolds each position's window and multiplies once.
 */

/** Parameter names and shapes of the front-end, in checkpoint order. */
export function frontEndShapes(arch: Architecture): Array<[string, number[]]> {
  const shapes: Array<[string, number[]]> = [];
  let width = arch.inputSize;
  if (arch.embedDim !== undefined) {
    shapes.push(['embed.kernel', [arch.inputSize, arch.embedDim]]);
    width = arch.embedDim;
  }
  if (arch.conv) {
    // Row j·width + d of the kernel weighs channel d at offset j − ⌊(K−1)/2⌋ from the output position.
    shapes.push(['conv.kernel', [arch.conv.width * width, arch.conv.filters]], ['conv.bias', [arch.conv.filters]]);
  }
  return shapes;
}

/** Fresh front-end weights: Glorot-uniform embedding, He-uniform convolution (it feeds a ReLU), zero bias. */
export function initFrontEnd(arch: Architecture, random: Random): Array<[string, tf.Tensor]> {
  return frontEndShapes(arch).map(([name, shape]): [string, tf.Tensor] => {
    if (name === 'conv.bias') return [name, tf.zeros(shape)];
    const [fanIn, fanOut] = shape as [number, number];
    const limit = name === 'embed.kernel' ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
    return [name, tf.randomUniform(shape, -limit, limit, 'float32', random.seed())];
  });
}

export interface FrontEndResult {
  x: tf.Tensor3D; // [B, T', width]
  mask?: tf.Tensor2D; // [B, T']
}

/**
 * Runs the front-end over a padded batch. Padding is invariant by construction: padded positions are zero on
 * input, the embedding has no bias so they stay zero, and the convolution's 'same' padding is zeros too, so a
 * real position sees exactly what it would see alone. Convolution outputs at padded positions are zeroed before
 * pooling, and as ReLU outputs are >= 0 a pooled window mixing real and padded positions takes the max of its real
 * ones; a pooled step is real if any of its positions is.
 */
export function applyFrontEnd(
  arch: Architecture,
  param: (name: string) => tf.Tensor,
  x: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  dropout: (t: tf.Tensor3D, rate: number) => tf.Tensor3D,
): FrontEndResult {
  let h = x;
  if (arch.embedDim !== undefined) h = pointwise(h, param('embed.kernel') as tf.Tensor2D);
  if (!arch.conv) return { x: h, ...(mask ? { mask } : {}) };
  const [batch, steps, width] = h.shape;
  const { width: k, pool, filters } = arch.conv;
  const left = Math.floor((k - 1) / 2);
  const padded = tf.pad(h, [[0, 0], [left, k - 1 - left], [0, 0]]);
  const windows = k === 1 ? padded : tf.concat(Array.from({ length: k }, (_, j) => tf.slice(padded, [0, j, 0], [batch, steps, width])), 2);
  const flat = tf.add(tf.matMul(tf.reshape(windows, [batch * steps, k * width]), param('conv.kernel') as tf.Tensor2D), param('conv.bias'));
  let out = tf.reshape(tf.relu(flat), [batch, steps, filters]) as tf.Tensor3D;
  if (mask) out = tf.mul(out, tf.expandDims(mask, 2));
  let pooledMask = mask;
  if (pool > 1) {
    const pooledSteps = Math.ceil(steps / pool);
    const extra = pooledSteps * pool - steps;
    if (extra > 0) out = tf.pad(out, [[0, 0], [0, extra], [0, 0]]);
    // tf.maxPool (MaxPool, with MaxPoolGrad on cpu and wasm) sends a window's gradient to one position; tf.max's
    // gradient goes to every tied maximum, and a repeat (poly-T) ties whole windows, doubling their gradient.
    const image = tf.reshape(out, [batch, pooledSteps * pool, 1, filters]) as tf.Tensor4D;
    out = tf.reshape(tf.maxPool(image, [pool, 1], [pool, 1], 'valid'), [batch, pooledSteps, filters]) as tf.Tensor3D;
    if (mask) pooledMask = tf.max(tf.reshape(extra > 0 ? tf.pad(mask, [[0, 0], [0, extra]]) : mask, [batch, pooledSteps, pool]), 2) as tf.Tensor2D;
  }
  return { x: dropout(out, arch.conv.dropout), ...(pooledMask ? { mask: pooledMask } : {}) };
}

/** The same dense map at every position. */
function pointwise(x: tf.Tensor3D, kernel: tf.Tensor2D): tf.Tensor3D {
  const [batch, steps, width] = x.shape;
  return tf.reshape(tf.matMul(tf.reshape(x, [batch * steps, width]), kernel), [batch, steps, kernel.shape[1]]) as tf.Tensor3D;
}
