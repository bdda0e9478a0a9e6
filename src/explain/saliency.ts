import '../engine/gradients.js';
import { tf } from '../engine/tf.js';
import { forward } from '../engine/model.js';
import { batchTensors, type SequenceModel } from '../engine/sequence-model.js';
import { readTidy } from '../engine/read-tensor.js';
import { type EncodedSequence, packBatch } from '../seq/batch.js';

/**
 * Gradient × input per position: d p(target) / d x, multiplied by x and summed over the alphabet channels.
 * One forward and one backward pass per batch instead of mutagenesis's length × 3 forwards; a first-order
 * answer to the same question, so it can miss effects that only a whole substitution reveals.
 * Returns one Float32Array per sequence, of its length.
 */
export function saliency(model: SequenceModel, items: readonly EncodedSequence[], targetIndex: number): Float32Array[] {
  if (items.length === 0) return [];
  const batch = packBatch(items, model.info.architecture.inputSize);
  const perPosition = readTidy(() => {
    const { x, mask } = batchTensors(batch);
    // An ensemble's probability is its members' mean, so its gradient is theirs averaged.
    const members = model.members();
    const targetProbability = (input: tf.Tensor) => {
      let total: tf.Tensor | undefined;
      for (const member of members) {
        const { logits } = forward(member.info.architecture, member.params, input as tf.Tensor3D, mask, {
          core: member.core,
          training: false,
          differentiable: true,
        });
        // Summing over the batch keeps each sequence's gradient its own: sequences do not interact.
        const part = tf.sum(tf.slice(tf.softmax(logits), [0, targetIndex], [-1, 1]));
        total = total ? tf.add(total, part) : part;
      }
      return tf.div(total!, members.length);
    };
    const gradient = tf.grad(targetProbability)(x);
    return tf.sum(tf.mul(gradient, x), 2); // [B, T]
  });
  return items.map((item, row) => perPosition.slice(row * batch.steps, row * batch.steps + item.length));
}
