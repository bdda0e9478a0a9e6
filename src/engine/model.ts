import './gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { type Architecture, directionsOf, layerOutputSize } from './architecture.js';
import { forgetGateBlock, gateCount, hasCellState } from './cells.js';
import type { RecurrentCore } from './core.js';
import { Random } from './random.js';

/** Named trainable tensors, in a fixed order so checkpoints and optimiser state line up. */
export type Parameters = Map<string, tf.Variable>;

export interface ForwardOptions {
  core: RecurrentCore;
  training: boolean;
  /** Seeds this call's dropout masks; required when training with dropout. */
  dropoutSeed?: number;
  /** Outside training, a gradient will still be taken (saliency), so cores must keep their activations. */
  differentiable?: boolean;
}

export interface ForwardResult {
  logits: tf.Tensor2D; // [B, numClasses]
  pooled: tf.Tensor2D; // [B, layerOutputSize]
}

export function parameterName(layer: number, direction: 'fwd' | 'bwd', part: 'kernel' | 'recurrent' | 'bias'): string {
  return `rnn.${layer}.${direction}.${part}`;
}

/** Every parameter's name and shape, in the canonical order used by checkpoints and the optimiser. */
export function parameterShapes(arch: Architecture): Map<string, number[]> {
  const gates = gateCount(arch.cell);
  const shapes = new Map<string, number[]>();
  for (let layer = 0; layer < arch.layers; layer++) {
    const inputSize = layer === 0 ? arch.inputSize : layerOutputSize(arch);
    for (const direction of directionsOf(arch)) {
      shapes.set(parameterName(layer, direction, 'kernel'), [inputSize, gates * arch.hiddenSize]);
      shapes.set(parameterName(layer, direction, 'recurrent'), [arch.hiddenSize, gates * arch.hiddenSize]);
      shapes.set(parameterName(layer, direction, 'bias'), [gates * arch.hiddenSize]);
    }
  }
  shapes.set('head.kernel', [layerOutputSize(arch), arch.numClasses]);
  shapes.set('head.bias', [arch.numClasses]);
  return shapes;
}

/**
 * Fresh parameters: Glorot-uniform input kernels, orthogonal recurrent blocks (keeps early gradients from
 * exploding or vanishing through time), zero biases except the forget gate at 1.
 */
export function initParameters(arch: Architecture, seed: number): Parameters {
  const random = new Random(seed);
  const params: Parameters = new Map();
  const gates = gateCount(arch.cell);
  const hidden = arch.hiddenSize;
  tf.tidy(() => {
    for (let layer = 0; layer < arch.layers; layer++) {
      const inputSize = layer === 0 ? arch.inputSize : layerOutputSize(arch);
      for (const direction of directionsOf(arch)) {
        const limit = Math.sqrt(6 / (inputSize + hidden));
        const kernel = tf.randomUniform([inputSize, gates * hidden], -limit, limit, 'float32', random.seed());
        const blocks = Array.from({ length: gates }, () => orthogonal(hidden, random.seed()));
        const recurrent = tf.concat(blocks, 1);
        const biasValues = new Float32Array(gates * hidden);
        const forget = forgetGateBlock(arch.cell);
        if (forget !== undefined) biasValues.fill(1, forget * hidden, (forget + 1) * hidden);
        setParameter(params, parameterName(layer, direction, 'kernel'), kernel);
        setParameter(params, parameterName(layer, direction, 'recurrent'), recurrent);
        setParameter(params, parameterName(layer, direction, 'bias'), tf.tensor1d(biasValues));
      }
    }
    const pooledSize = layerOutputSize(arch);
    const limit = Math.sqrt(6 / (pooledSize + arch.numClasses));
    setParameter(params, 'head.kernel', tf.randomUniform([pooledSize, arch.numClasses], -limit, limit, 'float32', random.seed()));
    setParameter(params, 'head.bias', tf.zeros([arch.numClasses]));
  });
  return params;
}

let modelInstances = 0;

/**
 * tfjs registers variables by name process-wide, so two models alive at once (a test comparing a model with its
 * reloaded copy) need distinct registered names; the map keys stay the plain parameter names.
 */
export function newParameters(named: Iterable<[string, tf.Tensor]>): Parameters {
  const params: Parameters = new Map();
  for (const [name, value] of named) setParameter(params, name, value);
  return params;
}

function setParameter(params: Parameters, name: string, value: tf.Tensor): void {
  if (params.size === 0) modelInstances++;
  params.set(name, tf.variable(value, true, `m${modelInstances}/${name}`));
}

function orthogonal(size: number, seed: number): tf.Tensor2D {
  const [q] = tf.linalg.qr(tf.randomNormal([size, size], 0, 1, 'float32', seed));
  return q as tf.Tensor2D;
}

/**
 * Runs the recurrent stack and the classification head. x: [B, T, inputSize]; mask: [B, T] of 0/1 or absent.
 * Pooling uses only real steps, so the result does not depend on how much padding a batch carries.
 */
export function forward(arch: Architecture, params: Parameters, x: tf.Tensor3D, mask: tf.Tensor2D | undefined, options: ForwardOptions): ForwardResult {
  const random = options.dropoutSeed === undefined ? undefined : new Random(options.dropoutSeed);
  const { outputs, finals } = runRecurrentStack(arch, params, x, mask, options, random);
  let pooled = pool(arch, outputs, finals, mask);
  pooled = maybeDropout(pooled, arch.dropout, options.training, random);
  const logits = tf.add(tf.matMul(pooled, get(params, 'head.kernel')), get(params, 'head.bias')) as tf.Tensor2D;
  return { logits, pooled };
}

export interface StackResult {
  outputs: tf.Tensor3D; // last layer, [B, T, layerOutputSize]
  finals: tf.Tensor2D[]; // last layer's final h, one per direction
}

export function runRecurrentStack(arch: Architecture, params: Parameters, x: tf.Tensor3D, mask: tf.Tensor2D | undefined, options: ForwardOptions, random?: Random): StackResult {
  const [batch] = x.shape;
  const zeros = tf.zeros([batch, arch.hiddenSize]) as tf.Tensor2D;
  let input = x;
  let finals: tf.Tensor2D[] = [];
  for (let layer = 0; layer < arch.layers; layer++) {
    if (layer > 0) input = maybeDropout(input, arch.dropout, options.training, random);
    const perDirection = directionsOf(arch).map((direction) =>
      options.core.run({
        cell: arch.cell,
        x: input,
        ...(mask ? { mask } : {}),
        h0: zeros,
        ...(hasCellState(arch.cell) ? { c0: zeros } : {}),
        weights: {
          kernel: get(params, parameterName(layer, direction, 'kernel')) as tf.Tensor2D,
          recurrent: get(params, parameterName(layer, direction, 'recurrent')) as tf.Tensor2D,
          bias: get(params, parameterName(layer, direction, 'bias')) as tf.Tensor1D,
        },
        reverse: direction === 'bwd',
        inference: !options.training && !options.differentiable,
      }),
    );
    input = perDirection.length === 1 ? perDirection[0]!.outputs : (tf.concat(perDirection.map((r) => r.outputs), 2) as tf.Tensor3D);
    finals = perDirection.map((r) => r.h);
  }
  return { outputs: input, finals };
}

function pool(arch: Architecture, outputs: tf.Tensor3D, finals: tf.Tensor2D[], mask: tf.Tensor2D | undefined): tf.Tensor2D {
  switch (arch.pool) {
    case 'last':
      // Forward: state after the last real step; backward: state after reading back to position 0.
      return (finals.length === 1 ? finals[0]! : tf.concat(finals, 1)) as tf.Tensor2D;
    case 'mean': {
      if (!mask) return tf.mean(outputs, 1) as tf.Tensor2D;
      const lengths = tf.maximum(tf.sum(mask, 1, true), 1);
      return tf.div(tf.sum(outputs, 1), lengths) as tf.Tensor2D; // masked steps output exactly 0
    }
    case 'max': {
      if (!mask) return tf.max(outputs, 1) as tf.Tensor2D;
      const penalty = tf.mul(tf.sub(tf.expandDims(mask, 2), 1), 1e9); // 0 on real steps, -1e9 on padding
      return tf.max(tf.add(outputs, penalty), 1) as tf.Tensor2D;
    }
  }
}

function maybeDropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, random: Random | undefined): T {
  if (!training || rate <= 0) return x;
  if (!random) throw new Error('dropout during training needs a dropoutSeed');
  return tf.dropout(x, rate, undefined, random.seed()) as T;
}

function get(params: Parameters, name: string): tf.Variable {
  const value = params.get(name);
  if (!value) throw new Error(`model parameter ${name} is missing`);
  return value;
}

export function disposeParameters(params: Parameters): void {
  for (const v of params.values()) v.dispose();
  params.clear();
}
