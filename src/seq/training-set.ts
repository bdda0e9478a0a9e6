import type { EncodedSequence } from './batch.js';
import type { Random } from './random.js';

/**
 * What a model is trained to predict, per item. classify: labels; regress: values; tag: a class per position
 * (-1 where unlabelled); lm: nothing beyond the sequences themselves (each position's next symbol).
 */
export interface TrainingSet {
  items: EncodedSequence[];
  labels?: Int32Array;
  values?: Float32Array;
  tags?: Int8Array[];
}

/** A classifier's training set. */
export interface LabelledSet extends TrainingSet {
  labels: Int32Array;
}

/**
 * Training data that changes every epoch: a language model sees fresh windows each epoch, drawn from the
 * generator it is given (seeded by seed and epoch, so a resumed run draws the same windows).
 */
export interface EpochSampler {
  sample(epoch: number, random: Random): TrainingSet;
}
