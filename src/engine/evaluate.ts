import { type Architecture, taskOf } from './architecture.js';
import { type EncodedSequence, packBatch } from '../seq/batch.js';
import { accuracy, multiclassAuroc, pearson, spearman } from './metrics.js';
import { nextSymbolClasses, tagClasses } from './objective.js';
import type { TrainingSet } from '../seq/training-set.js';
import type { SequenceModel } from './sequence-model.js';

export interface Evaluation {
  /** the training loss's own measure, so validation and training losses compare */
  loss: number;
  accuracy: number;
  auroc: number;
  /** classify: class probabilities per item, [items × classes] */
  probs?: Float32Array;
  /** regress: predicted values per item */
  predictions?: Float32Array;
  /** task-specific numbers: bitsPerBase and perplexity (lm), mse, pearson, spearman (regress), positions (lm, tag) */
  extra: Record<string, number>;
}

/** Scores a model on a set without training it: the numbers train reports for validation each epoch. */
export function evaluate(model: SequenceModel, set: TrainingSet, batchSize: number): Evaluation {
  const arch = model.info.architecture;
  switch (taskOf(arch)) {
    case 'classify':
      return evaluateClassifier(model, set, batchSize);
    case 'regress':
      return evaluateRegressor(model, set, batchSize);
    case 'lm':
    case 'tag':
      return evaluatePositions(model, set, batchSize);
  }
}

function batches(set: TrainingSet, batchSize: number, visit: (items: EncodedSequence[], start: number) => void): void {
  for (let start = 0; start < set.items.length; start += batchSize) visit(set.items.slice(start, start + batchSize), start);
}

function evaluateClassifier(model: SequenceModel, set: TrainingSet, batchSize: number): Evaluation {
  const numClasses = model.info.classes.length;
  const labels = set.labels!;
  const probs = new Float32Array(set.items.length * numClasses);
  batches(set, batchSize, (items, start) =>
    probs.set(model.predict(packBatch(items, model.info.architecture.inputSize)), start * numClasses),
  );
  let nll = 0;
  for (let i = 0; i < labels.length; i++) nll -= Math.log(Math.max(probs[i * numClasses + labels[i]!]!, 1e-7));
  return {
    loss: nll / labels.length,
    accuracy: accuracy(probs, numClasses, labels),
    auroc: multiclassAuroc(probs, numClasses, labels),
    probs,
    extra: {},
  };
}

function evaluateRegressor(model: SequenceModel, set: TrainingSet, batchSize: number): Evaluation {
  const arch = model.info.architecture;
  const values = set.values!;
  const predictions = new Float32Array(set.items.length);
  batches(set, batchSize, (items, start) => predictions.set(model.predictValues(packBatch(items, arch.inputSize)), start));
  return {
    loss: regressionLoss(arch, predictions, values),
    accuracy: NaN,
    auroc: NaN,
    predictions,
    extra: regressionMetrics(predictions, values),
  };
}

export function regressionMetrics(predictions: Float32Array, values: Float32Array): Record<string, number> {
  let squared = 0;
  for (let i = 0; i < values.length; i++) squared += (predictions[i]! - values[i]!) ** 2;
  return { mse: squared / values.length, pearson: pearson(predictions, values), spearman: spearman(predictions, values) };
}

/** The training loss (on standardised targets), computed in plain JS. */
function regressionLoss(arch: Architecture, predictions: Float32Array, values: Float32Array): number {
  const { mean, std, loss } = arch.regression!;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const error = Math.abs((predictions[i]! - mean) / std - (values[i]! - mean) / std);
    sum += loss === 'mse' ? error * error : error <= 1 ? 0.5 * error * error : error - 0.5; // Huber with delta 1
  }
  return sum / values.length;
}

/** Cross-entropy over the counted positions (bits per base for a language model), accuracy and AUROC per position. */
function evaluatePositions(model: SequenceModel, set: TrainingSet, batchSize: number): Evaluation {
  const arch = model.info.architecture;
  const numClasses = arch.numClasses;
  const lm = taskOf(arch) === 'lm';
  let nll = 0;
  let counted = 0;
  const scores: number[] = [];
  const truth: number[] = [];
  batches(set, batchSize, (items, start) => {
    const batch = packBatch(items, arch.inputSize);
    const probs = model.predictPositions(batch);
    const targets = lm
      ? nextSymbolClasses(
          batch,
          items.map((item) => item.length),
        )
      : tagClasses(set.tags!.slice(start, start + items.length), batch.steps);
    for (let b = 0; b < batch.batch; b++) {
      for (let t = 0; t < batch.steps; t++) {
        const label = targets[b * batch.steps + t]!;
        if (label < 0) continue;
        const from = (b * batch.steps + t) * numClasses;
        nll -= Math.log(Math.max(probs[from + label]!, 1e-7));
        counted++;
        for (let k = 0; k < numClasses; k++) scores.push(probs[from + k]!);
        truth.push(label);
      }
    }
  });
  const loss = counted === 0 ? NaN : nll / counted;
  const flatScores = Float32Array.from(scores);
  const labels = Int32Array.from(truth);
  const extra: Record<string, number> = { positions: counted };
  if (lm) {
    extra.bitsPerBase = loss / Math.LN2;
    extra.perplexity = Math.exp(loss);
  }
  return {
    loss,
    accuracy: accuracy(flatScores, numClasses, labels),
    auroc: lm ? NaN : multiclassAuroc(flatScores, numClasses, labels),
    extra,
  };
}
