import { tf } from './tf.js';
import { type Architecture, taskOf } from './architecture.js';
import type { Batch, EncodedSequence } from '../seq/batch.js';
import type { TrainingSet } from '../seq/training-set.js';

/** The targets of a slice of a set's rows, in the same order. */
export function sliceTargets(set: TrainingSet, rows: readonly number[]): Omit<TrainingSet, 'items'> {
  const out: Omit<TrainingSet, 'items'> = {};
  if (set.labels) out.labels = Int32Array.from(rows, (i) => set.labels![i]!);
  if (set.values) out.values = Float32Array.from(rows, (i) => set.values![i]!);
  if (set.tags) out.tags = rows.map((i) => set.tags![i]!);
  return out;
}

/** Per-position targets as dense one-hot rows plus a 0/1 weight for each position that counts. */
export interface PositionTargets {
  targets: Float32Array; // [B, T', K]
  weights: Float32Array; // [B, T']
  steps: number; // T'
}

/**
 * Next-symbol targets for a language model: position t predicts t + 1, so a T-step batch has T − 1 targets.
 * Only positions whose next symbol is one definite residue count; an N or other ambiguity code is a mix, not an
 * answer, and padding is not a symbol at all.
 */
export function nextSymbolTargets(batch: Batch, lengths: readonly number[]): PositionTargets {
  return oneHotTargets(nextSymbolClasses(batch, lengths), batch.batch, batch.steps, Math.max(batch.steps - 1, 0), batch.channels);
}

/**
 * nextSymbolTargets as class indices: [B × steps] row-major, the class of the residue after each position, -1
 * where it is not one definite residue or the step is the last or padding.
 */
export function nextSymbolClasses(batch: Batch, lengths: readonly number[]): Int32Array {
  const { batch: rows, steps, channels, x } = batch;
  const out = new Int32Array(rows * steps).fill(-1);
  for (let b = 0; b < rows; b++) {
    for (let t = 0; t + 1 < lengths[b]!; t++) {
      const from = (b * steps + t + 1) * channels;
      let one = -1;
      let total = 0;
      let ones = 0;
      for (let k = 0; k < channels; k++) {
        const v = x[from + k]!;
        total += v;
        if (v === 1) {
          ones++;
          one = k;
        }
      }
      if (ones === 1 && total === 1) out[b * steps + t] = one;
    }
  }
  return out;
}

/** Per-position class targets from tags (-1: unlabelled), padded to the batch's steps. */
export function tagTargets(tags: readonly Int8Array[], steps: number, numClasses: number): PositionTargets {
  return oneHotTargets(tagClasses(tags, steps), tags.length, steps, steps, numClasses);
}

/** tagTargets as class indices: [B × steps] row-major, -1 where unlabelled or past a sequence's tags. */
export function tagClasses(tags: readonly Int8Array[], steps: number): Int32Array {
  const out = new Int32Array(tags.length * steps).fill(-1);
  tags.forEach((row, b) => {
    for (let t = 0; t < Math.min(row.length, steps); t++) if (row[t]! >= 0) out[b * steps + t] = row[t]!;
  });
  return out;
}

/** Class indices ([rows × steps], -1: nothing) as one-hot rows and weights over each row's first `kept` steps. */
function oneHotTargets(classes: Int32Array, rows: number, steps: number, kept: number, numClasses: number): PositionTargets {
  const targets = new Float32Array(rows * kept * numClasses);
  const weights = new Float32Array(rows * kept);
  for (let b = 0; b < rows; b++)
    for (let t = 0; t < kept; t++) {
      const k = classes[b * steps + t]!;
      if (k < 0) continue;
      targets[(b * kept + t) * numClasses + k] = 1;
      weights[b * kept + t] = 1;
    }
  return { targets, weights, steps: kept };
}

/**
 * What a native whole step (native-step.ts) trains towards: each sequence's class (classify) or value (regress,
 * in its own units), or each position's class, [B × steps] row-major with -1 where nothing counts (lm: the next
 * residue, so the last step never counts; tag: the tag). The same positions and classes as batchLoss's targets, as
 * indices instead of one-hot rows.
 */
export function stepTargets(
  arch: Architecture,
  batch: Batch,
  items: readonly EncodedSequence[],
  targets: Omit<TrainingSet, 'items'>,
): Int32Array | Float32Array {
  switch (taskOf(arch)) {
    case 'classify':
      return targets.labels!;
    case 'regress':
      return targets.values!;
    case 'lm':
      return nextSymbolClasses(
        batch,
        items.map((item) => item.length),
      );
    case 'tag':
      return tagClasses(targets.tags!, batch.steps);
  }
}

/** Huber's transition point, in standard deviations of the (standardised) target. */
const HUBER_DELTA = 1;

/**
 * The training loss of one micro-batch: mean cross-entropy (classify, and per counted position for lm / tag) or
 * the regression loss on standardised targets.
 */
export function batchLoss(
  arch: Architecture,
  logits: tf.Tensor,
  batch: Batch,
  items: readonly EncodedSequence[],
  targets: Omit<TrainingSet, 'items'>,
): tf.Scalar {
  switch (taskOf(arch)) {
    case 'classify':
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(targets.labels!, 'int32'), arch.numClasses), logits) as tf.Scalar;
    case 'regress': {
      const { mean, std, loss } = arch.regression!;
      const y = tf.div(tf.sub(tf.tensor2d(targets.values!, [targets.values!.length, 1]), mean), std);
      return (
        loss === 'huber' ? tf.losses.huberLoss(y, logits, undefined, HUBER_DELTA) : tf.losses.meanSquaredError(y, logits)
      ) as tf.Scalar;
    }
    case 'lm': {
      const position = nextSymbolTargets(
        batch,
        items.map((item) => item.length),
      );
      const predicting = tf.slice(logits, [0, 0, 0], [batch.batch, position.steps, arch.numClasses]);
      return weightedCrossEntropy(predicting, position, batch.batch, arch.numClasses);
    }
    case 'tag':
      return weightedCrossEntropy(logits, tagTargets(targets.tags!, batch.steps, arch.numClasses), batch.batch, arch.numClasses);
  }
}

function weightedCrossEntropy(logits: tf.Tensor, position: PositionTargets, rows: number, numClasses: number): tf.Scalar {
  const targets = tf.tensor3d(position.targets, [rows, position.steps, numClasses]);
  const weights = tf.tensor2d(position.weights, [rows, position.steps]);
  const perPosition = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 2));
  const counted = Math.max(
    position.weights.reduce((a, b) => a + b, 0),
    1,
  );
  return tf.div(tf.sum(tf.mul(perPosition, weights)), counted) as tf.Scalar;
}
