import type * as tf from '@tensorflow/tfjs-core';
import type { Architecture } from './architecture.js';
import type { CellType } from './cells.js';
import type { Batch } from '../seq/batch.js';
import type { OptimizerKernels } from './fused-adamw.js';

/** Weights of one direction of one recurrent layer; see cells.ts for the gate layout. */
export interface DirectionWeights {
  kernel: tf.Tensor2D; // [inputSize, G·H]
  recurrent: tf.Tensor2D; // [H, G·H]
  bias: tf.Tensor1D; // [G·H]
}

export interface CoreRunArgs {
  cell: CellType;
  x: tf.Tensor3D; // [B, T, inputSize], batch-major
  /** [B, T] of 0/1; absent means every step is real. */
  mask?: tf.Tensor2D;
  h0: tf.Tensor2D; // [B, H]
  /** [B, H]; required for cells with a memory cell (lstm, cifg), ignored otherwise. */
  c0?: tf.Tensor2D;
  weights: DirectionWeights;
  /** Process t = T-1 … 0; outputs stay indexed by t. */
  reverse: boolean;
  /** True when no gradient will be asked for, so a fast path may skip storing activations for backprop. */
  inference?: boolean;
  /**
   * cifg only (an error for other cells): the bounded memory cell of cells.ts, whose state stays in [0, 1] when
   * c0 does. Absent means false.
   */
  bounded?: boolean;
}

export interface CoreRunResult {
  outputs: tf.Tensor3D; // [B, T, H]; zero at masked steps
  h: tf.Tensor2D; // [B, H] state after the last real step
  c?: tf.Tensor2D; // [B, H] for lstm / cifg
}

/**
 * The convolutional front-end's convolution ('same' padding) + bias + ReLU + zero at masked positions + max-pool
 * over runs of `pool` steps, as one differentiable op (front-end.ts has the reference and the semantics).
 */
export interface ConvPoolArgs {
  x: tf.Tensor3D; // [B, T, C]
  mask?: tf.Tensor2D; // [B, T] of 0/1
  kernel: tf.Tensor2D; // [width·C, filters]
  bias: tf.Tensor1D; // [filters]
  /** [T, filters]: a learned bias per input step as well (fixed-length models) */
  position?: tf.Tensor2D;
  width: number;
  pool: number;
  /** Whether a gradient may flow back to x (through an embedding, or for saliency); else x is treated as data. */
  inputGradient: boolean;
  /** True when no gradient will be asked for at all. */
  inference?: boolean;
}

/** [B, ⌈T / pool⌉, filters] */
export type ConvPool = (args: ConvPoolArgs) => tf.Tensor3D;

/**
 * One recurrent direction over a whole batch. Implementations must be differentiable with respect to x, h0,
 * c0 and every weight through tfjs autodiff (the reference does it with ops; fast paths with tf.customGrad),
 * so heads, losses and optimizers never know which core ran.
 */
export interface RecurrentCore {
  readonly name: string;
  run(args: CoreRunArgs): CoreRunResult;
  /**
   * Independent sweeps (a layer's directions) at once, where the core can run them side by side: the same results
   * as run() on each. Absent: callers run them one by one.
   */
  runAll?(args: readonly CoreRunArgs[]): CoreRunResult[];
  /** A fused convolutional front-end from the same kernels, where the core has one; else the tfjs reference runs. */
  readonly convPool?: ConvPool;
  /** A model's whole training step from the same kernels (native-step.ts), where the core covers `arch`. */
  wholeStep?(arch: Architecture): WholeStep | undefined;
  /** The optimiser's loops in native code (fused-adamw.ts), where the core has them; else JavaScript runs them. */
  readonly optimizerKernels?: OptimizerKernels;
}

/** One training step on plain arrays (native-step.ts). */
export interface NativeStepResult {
  /** mean cross-entropy over the batch (classify) or over the counted positions (lm, tag) */
  loss: number;
  /** classify: [B, classes] softmax of the logits */
  probs?: Float32Array;
  /** gradient of the mean loss, by parameter name */
  grads: Map<string, Float32Array>;
}

/**
 * A model's whole forward and backward pass on plain arrays. `targets` are the batch's class per sequence
 * (classify), its values in their own units (regress, a Float32Array), or a class per position, [B × steps]
 * (lm: the next residue; tag: the tag), -1 where nothing counts.
 */
export interface WholeStep {
  run(weights: ReadonlyMap<string, Float32Array>, batch: Batch, targets: Int32Array | Float32Array, dropoutSeed: number): NativeStepResult;
  /** classify: class probabilities [B × classes]; regress: predicted values [B]; lm, tag: [B × steps × classes] */
  predict(weights: ReadonlyMap<string, Float32Array>, batch: Batch): Float32Array;
  /** lm, tag: the log-softmax at each position, [B × steps × classes] */
  logProbs?(weights: ReadonlyMap<string, Float32Array>, batch: Batch): Float32Array;
  /** lm, tag: −ln p(target) at each position, [B × steps], 0 where the target is -1 */
  positionLosses?(weights: ReadonlyMap<string, Float32Array>, batch: Batch, targets: Int32Array): Float64Array;
  /** classify: the top layer's outputs pooled as the architecture pools them, [B × directions·H], no head */
  pooledStates?(weights: ReadonlyMap<string, Float32Array>, batch: Batch): Float32Array;
}
