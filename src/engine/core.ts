import type * as tf from '@tensorflow/tfjs-core';
import type { CellType } from './cells.js';

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
 * One recurrent direction over a whole batch. Implementations must be differentiable with respect to x, h0,
 * c0 and every weight through tfjs autodiff (the reference does it with ops; fast paths with tf.customGrad),
 * so heads, losses and optimizers never know which core ran.
 */
export interface RecurrentCore {
  readonly name: string;
  run(args: CoreRunArgs): CoreRunResult;
}
