/**
 * L2-regularised multinomial logistic regression on sparse rows, in plain typed arrays (no TensorFlow.js: the
 * problem is small, convex and sparse, and plain loops are faster and exactly reproducible).
 *
 * Parameters: weights[j * K + o] for feature j and output o (feature-major, so a sparse row touches K contiguous
 * values), then K unpenalised biases. More than two classes: K = C outputs, a softmax. Two classes: K = 1 output,
 * the logit of class 1 against class 0 (ordinary logistic regression, half the work of a two-way softmax).
 */
import type { SparseRows } from '../seq/kmer-counts.js';
import { type LbfgsOptions, minimizeLbfgs } from './lbfgs.js';

export interface SoftmaxModel {
  numClasses: number;
  numFeatures: number;
  parameters: Float64Array;
}

export function outputCount(numClasses: number): number {
  return numClasses === 2 ? 1 : numClasses;
}

export function parameterCount(numFeatures: number, numClasses: number): number {
  return (numFeatures + 1) * outputCount(numClasses);
}

/**
 * Mean cross-entropy plus (lambda / 2) * |W|^2, and its gradient into grad. Logits are shifted by their maximum
 * (softplus written stably for one output), so large logits on separable data cannot overflow.
 */
export function softmaxObjective(
  parameters: Float64Array,
  grad: Float64Array,
  x: SparseRows,
  labels: Int32Array,
  numClasses: number,
  lambda: number,
): number {
  const K = outputCount(numClasses);
  const biasAt = x.columns * K;
  const { rowStart, column, value } = x;
  grad.fill(0);
  const logits = new Float64Array(K);
  let loss = 0;
  for (let i = 0; i < x.rows; i++) {
    const start = rowStart[i]!;
    const end = rowStart[i + 1]!;
    const label = labels[i]!;
    if (K === 1) {
      let z = parameters[biasAt]!;
      for (let p = start; p < end; p++) z += value[p]! * parameters[column[p]!]!;
      // -log p(label): softplus(-z) for class 1, softplus(z) for class 0
      const signed = label === 1 ? -z : z;
      loss += signed > 0 ? signed + Math.log1p(Math.exp(-signed)) : Math.log1p(Math.exp(signed));
      const d = 1 / (1 + Math.exp(-z)) - label;
      grad[biasAt]! += d;
      for (let p = start; p < end; p++) grad[column[p]!]! += d * value[p]!;
      continue;
    }
    for (let c = 0; c < K; c++) logits[c] = parameters[biasAt + c]!;
    for (let p = start; p < end; p++) {
      const base = column[p]! * K;
      const v = value[p]!;
      for (let c = 0; c < K; c++) logits[c]! += v * parameters[base + c]!;
    }
    let max = -Infinity;
    for (let c = 0; c < K; c++) max = Math.max(max, logits[c]!);
    let sum = 0;
    for (let c = 0; c < K; c++) {
      logits[c] = Math.exp(logits[c]! - max);
      sum += logits[c]!;
    }
    loss += Math.log(sum) - Math.log(logits[label]!);
    for (let c = 0; c < K; c++) logits[c] = logits[c]! / sum - (c === label ? 1 : 0); // now dLoss/dz
    for (let c = 0; c < K; c++) grad[biasAt + c]! += logits[c]!;
    for (let p = start; p < end; p++) {
      const base = column[p]! * K;
      const v = value[p]!;
      for (let c = 0; c < K; c++) grad[base + c]! += v * logits[c]!;
    }
  }
  const n = Math.max(x.rows, 1);
  let penalty = 0;
  for (let j = 0; j < biasAt; j++) {
    const w = parameters[j]!;
    penalty += w * w;
    grad[j] = grad[j]! / n + lambda * w;
  }
  for (let c = 0; c < K; c++) grad[biasAt + c] = grad[biasAt + c]! / n;
  return loss / n + 0.5 * lambda * penalty;
}

export function fitSoftmaxRegression(
  x: SparseRows,
  labels: Int32Array,
  numClasses: number,
  lambda: number,
  options: LbfgsOptions & { start?: Float64Array } = {},
): SoftmaxModel & { iterations: number; converged: boolean } {
  const size = parameterCount(x.columns, numClasses);
  const start = options.start ?? new Float64Array(size);
  if (start.length !== size) throw new RangeError(`start has ${start.length} parameters, expected ${size}`);
  // Tolerances for model selection, not for publishing weights: a loss settled to 1e-7 of itself ranks the same.
  const result = minimizeLbfgs((p, g) => softmaxObjective(p, g, x, labels, numClasses, lambda), start, {
    gradientTolerance: 1e-5,
    relativeDecrease: 1e-7,
    maxIterations: 200,
    ...options,
  });
  return { numClasses, numFeatures: x.columns, parameters: result.x, iterations: result.iterations, converged: result.converged };
}

/** Class probabilities, row-major [rows, numClasses]. */
export function predictSoftmax(model: SoftmaxModel, x: SparseRows): Float32Array {
  const C = model.numClasses;
  const K = outputCount(C);
  const w = model.parameters;
  const biasAt = model.numFeatures * K;
  const probs = new Float32Array(x.rows * C);
  const logits = new Float64Array(K);
  for (let i = 0; i < x.rows; i++) {
    for (let c = 0; c < K; c++) logits[c] = w[biasAt + c]!;
    for (let p = x.rowStart[i]!; p < x.rowStart[i + 1]!; p++) {
      const column = x.column[p]!;
      if (column >= model.numFeatures) continue;
      const base = column * K;
      const v = x.value[p]!;
      for (let c = 0; c < K; c++) logits[c]! += v * w[base + c]!;
    }
    if (K === 1) {
      const p1 = 1 / (1 + Math.exp(-logits[0]!));
      probs[i * 2] = 1 - p1;
      probs[i * 2 + 1] = p1;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < K; c++) max = Math.max(max, logits[c]!);
    let sum = 0;
    for (let c = 0; c < K; c++) sum += Math.exp(logits[c]! - max);
    for (let c = 0; c < K; c++) probs[i * C + c] = Math.exp(logits[c]! - max) / sum;
  }
  return probs;
}

/** Mean cross-entropy of probabilities against labels, floored so a confident miss costs a finite amount. */
export function meanLogLoss(probs: Float32Array, labels: Int32Array, numClasses: number): number {
  let loss = 0;
  for (let i = 0; i < labels.length; i++) loss -= Math.log(Math.max(probs[i * numClasses + labels[i]!]!, 1e-12));
  return labels.length === 0 ? NaN : loss / labels.length;
}
