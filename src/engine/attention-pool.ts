import { tf } from './tf.js';
import { type Architecture, layerOutputSize } from './architecture.js';
import type { Random } from '../seq/random.js';

/**
 * Attention pooling: score_t = v · tanh(W h_t + b), weights = softmax over the real positions, pooled = Σ weight_t h_t.
 * Like max pooling it can pick out one occurrence among many positions (mean pooling dilutes it), but smoothly,
 * so every position gets a gradient.
 */
export function attentionShapes(arch: Architecture): Array<[string, number[]]> {
  if (arch.pool !== 'attention') return [];
  const width = layerOutputSize(arch);
  const units = arch.hiddenSize;
  return [
    ['attention.kernel', [width, units]],
    ['attention.bias', [units]],
    ['attention.vector', [units, 1]],
  ];
}

/** Glorot-uniform matrices, zero bias: a fresh model starts close to mean pooling. */
export function initAttention(arch: Architecture, random: Random): Array<[string, tf.Tensor]> {
  return attentionShapes(arch).map(([name, shape]): [string, tf.Tensor] => {
    if (name === 'attention.bias') return [name, tf.zeros(shape)];
    const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
    return [name, tf.randomUniform(shape, -limit, limit, 'float32', random.seed())];
  });
}

/** outputs: [B, T, D]; mask: [B, T] of 0/1 or absent. Returns [B, D]. */
export function attentionPool(param: (name: string) => tf.Tensor, outputs: tf.Tensor3D, mask: tf.Tensor2D | undefined): tf.Tensor2D {
  const [batch, steps, width] = outputs.shape;
  const hidden = tf.tanh(
    tf.add(tf.matMul(tf.reshape(outputs, [batch * steps, width]), param('attention.kernel') as tf.Tensor2D), param('attention.bias')),
  );
  let scores = tf.reshape(tf.matMul(hidden, param('attention.vector') as tf.Tensor2D), [batch, steps]);
  if (mask) scores = tf.add(scores, tf.mul(tf.sub(mask, 1), 1e9)); // padding gets weight exp(-1e9) = 0
  const weights = tf.softmax(scores); // over the last axis: positions
  return tf.sum(tf.mul(outputs, tf.expandDims(weights, 2)), 1) as tf.Tensor2D;
}
