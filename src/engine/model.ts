import { tf } from './tf.js';
import { compositionFeatures } from './composition.js';
import { denseRows, kmerBranchRows, kmerBranchSize } from './kmer-branch.js';
import { maxOverSteps } from './max-over-steps.js';
import {
  type Architecture,
  conditionChannels,
  directionsOf,
  headConditions,
  hasInitialStateModel,
  isPerPosition,
  layerOutputSize,
  recurrentInputSize,
  stateSize,
} from './architecture.js';
import { attentionPool, attentionShapes, initAttention } from './attention-pool.js';
import { forgetGateBlock, gateCount, hasCellState } from './cells.js';
import type { CoreRunArgs, RecurrentCore } from './core.js';
import { Random } from '../seq/random.js';
import { type FrontEndResult, applyFrontEnd, frontEndShapes, initFrontEnd } from './front-end.js';

/** Named trainable tensors, in a fixed order so checkpoints and optimiser state line up. */
export type Parameters = Map<string, tf.Variable>;

export interface ForwardOptions {
  core: RecurrentCore;
  training: boolean;
  /** Seeds this call's dropout masks; required when training with dropout. */
  dropoutSeed?: number;
  /** Outside training, a gradient will still be taken (saliency), so cores must keep their activations. */
  differentiable?: boolean;
  /** [B] int32 condition indices, for models with a learned initial state per condition */
  conditions?: tf.Tensor1D;
  /** [B, covariates], for models whose initial state comes from covariates */
  covariates?: tf.Tensor2D;
  /**
   * Start from these states (one per layer × direction, in stateOrder) instead of the model's initial state:
   * a long sequence read in chunks carries its state from one chunk to the next.
   */
  initialStates?: LayerState[];
  /** 2 reads a circular sequence twice, the first lap's final states seeding the second; outputs are the second's. */
  laps?: 1 | 2;
}

/** One direction of one layer's recurrent state. */
export interface LayerState {
  h: tf.Tensor2D; // [B, H]
  c?: tf.Tensor2D; // [B, H], cells with a memory cell only
}

export interface ForwardResult {
  /** [B, numClasses] for pooled tasks (classify, regress), [B, T, numClasses] for per-position ones (lm, tag) */
  logits: tf.Tensor;
  /** [B, layerOutputSize]: the vector the head reads, pooled tasks only */
  pooled?: tf.Tensor2D;
  /** last layer, [B, T', layerOutputSize]; T' = T unless a convolutional front-end pools (recurrentSteps) */
  outputs: tf.Tensor3D;
  /** [B, T'] mask of the recurrent steps, when the input had one */
  mask?: tf.Tensor2D;
  /** every layer × direction's state after its last real step, in stateOrder */
  states: LayerState[];
}

export function parameterName(layer: number, direction: 'fwd' | 'bwd', part: 'kernel' | 'recurrent' | 'bias'): string {
  return `rnn.${layer}.${direction}.${part}`;
}

/** Every parameter's name and shape, in the canonical order used by checkpoints and the optimiser. */
export function parameterShapes(arch: Architecture): Map<string, number[]> {
  const gates = gateCount(arch.cell);
  const shapes = new Map<string, number[]>();
  for (let layer = 0; layer < arch.layers; layer++) {
    const inputSize = layer === 0 ? recurrentInputSize(arch) : layerOutputSize(arch);
    for (const direction of directionsOf(arch)) {
      shapes.set(parameterName(layer, direction, 'kernel'), [inputSize, gates * arch.hiddenSize]);
      shapes.set(parameterName(layer, direction, 'recurrent'), [arch.hiddenSize, gates * arch.hiddenSize]);
      shapes.set(parameterName(layer, direction, 'bias'), [gates * arch.hiddenSize]);
    }
  }
  for (const [name, shape] of initialStateShapes(arch)) shapes.set(name, shape);
  shapes.set('head.kernel', [headInputSize(arch), arch.numClasses]);
  shapes.set('head.bias', [arch.numClasses]);
  // After the head: models without these options keep the names, order and initial values they always had.
  for (const [name, shape] of [...frontEndShapes(arch), ...attentionShapes(arch)]) shapes.set(name, shape);
  const conditioned = headConditions(arch);
  if (conditioned > 0) shapes.set('head.condition.kernel', [conditioned * headInputSize(arch), arch.numClasses]);
  if (arch.kmers) shapes.set('kmers.kernel', [kmerBranchSize(arch.kmers, arch.inputSize), arch.numClasses]);
  return shapes;
}

/**
 * A learned initial state: one row of pre-activations per condition, and/or an affine map from covariates; h and
 * (for cells with memory) c side by side. Zero-initialised, so a fresh model starts from the usual zero state.
 */
function initialStateShapes(arch: Architecture): Array<[string, number[]]> {
  const width = stateSize(arch) * (hasCellState(arch.cell) ? 2 : 1);
  const shapes: Array<[string, number[]]> = [];
  const conditions = arch.conditions?.length ?? 0;
  const covariates = arch.covariates?.length ?? 0;
  if (conditions > 0) shapes.push(['init.condition', [conditions, width]]);
  if (covariates > 0) shapes.push(['init.covariates.kernel', [covariates, width]], ['init.covariates.bias', [width]]);
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
      const inputSize = layer === 0 ? recurrentInputSize(arch) : layerOutputSize(arch);
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
    for (const [name, shape] of initialStateShapes(arch)) {
      // Small random covariate weights let gradients tell the covariates apart from the first step.
      const value = name === 'init.covariates.kernel' ? tf.randomUniform(shape, -0.1, 0.1, 'float32', random.seed()) : tf.zeros(shape);
      setParameter(params, name, value);
    }
    const pooledSize = headInputSize(arch);
    const limit = Math.sqrt(6 / (pooledSize + arch.numClasses));
    setParameter(params, 'head.kernel', tf.randomUniform([pooledSize, arch.numClasses], -limit, limit, 'float32', random.seed()));
    setParameter(params, 'head.bias', tf.zeros([arch.numClasses]));
    for (const [name, value] of [...initFrontEnd(arch, random), ...initAttention(arch, random)]) setParameter(params, name, value);
    // Zero: the shared head decides until the data says a condition differs (and weight decay pulls it back).
    const conditioned = headConditions(arch);
    if (conditioned > 0) setParameter(params, 'head.condition.kernel', tf.zeros([conditioned * pooledSize, arch.numClasses]));
    // Zero: a branch without a baseline to start from (kmer-branch.ts) adds nothing until training moves it.
    if (arch.kmers) setParameter(params, 'kmers.kernel', tf.zeros([kmerBranchSize(arch.kmers, arch.inputSize), arch.numClasses]));
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
 * Runs the recurrent stack and the head. x: [B, T, inputSize]; mask: [B, T] of 0/1 or absent.
 * Pooling uses only real steps, so the result does not depend on how much padding a batch carries.
 */
export function forward(
  arch: Architecture,
  params: Parameters,
  x: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  options: ForwardOptions,
): ForwardResult {
  const random = options.dropoutSeed === undefined ? undefined : new Random(options.dropoutSeed);
  const front = frontEnd(arch, params, x, mask, options, random);
  const stepMask = front.mask;
  const recurrentInput = withConditionSteps(arch, front.x, options.conditions);
  let states = options.initialStates ?? initialStates(arch, params, x.shape[0], options);
  let stack: StackResult | undefined;
  for (let lap = 0; lap < (options.laps ?? 1); lap++) {
    stack = runRecurrentStack(arch, params, recurrentInput, stepMask, options, states, random);
    states = stack.states;
  }
  const { outputs } = stack!;
  const kernel = get(params, 'head.kernel');
  const bias = get(params, 'head.bias');
  if (isPerPosition(arch)) {
    const [batch, steps, width] = outputs.shape;
    const dropped = maybeDropout(outputs, arch.dropout, options.training, random);
    const flat = tf.add(tf.matMul(tf.reshape(dropped, [batch * steps, width]), kernel), bias);
    return { logits: tf.reshape(flat, [batch, steps, arch.numClasses]), outputs, states, ...(stepMask ? { mask: stepMask } : {}) };
  }
  const finals = finalOutputs(arch, states);
  let pooled = pool(arch, params, outputs, finals, stepMask);
  if (arch.conv?.skip) pooled = tf.concat([pooled, maskedMax(front.x, stepMask)], 1) as tf.Tensor2D;
  if (arch.composition) pooled = tf.concat([pooled, compositionFeatures(arch.composition, x, mask)], 1) as tf.Tensor2D;
  const dropped = maybeDropout(pooled, arch.dropout, options.training, random);
  let logits = tf.add(tf.matMul(dropped, kernel), bias) as tf.Tensor2D;
  if (headConditions(arch) > 0) logits = tf.add(logits, conditionHeadTerm(arch, params, dropped, options.conditions)) as tf.Tensor2D;
  if (arch.kmers) {
    // Counted on the host from the one-hot input: constant with respect to x (kmer-branch.ts).
    const [batch, steps, channels] = x.shape;
    const rows = kmerBranchRows(arch.kmers, x.dataSync() as Float32Array, batch, steps, channels);
    logits = tf.add(logits, tf.matMul(denseRows(rows), get(params, 'kmers.kernel'))) as tf.Tensor2D;
  }
  return { logits, pooled, outputs, states, ...(stepMask ? { mask: stepMask } : {}) };
}

/**
 * The input as the first recurrent layer reads it: the front-end's output (front-end.ts) and its mask, or the
 * input itself for models without one.
 */
export function frontEnd(
  arch: Architecture,
  params: Parameters,
  x: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  options: Pick<ForwardOptions, 'core' | 'training' | 'differentiable'>,
  random?: Random,
): FrontEndResult {
  if (arch.embedDim === undefined && !arch.conv) return { x, ...(mask ? { mask } : {}) };
  const dropout = (t: tf.Tensor3D, rate: number) => maybeDropout(t, rate, options.training, random);
  return applyFrontEnd(arch, (name) => get(params, name), x, mask, dropout, {
    inputGradient: options.differentiable === true,
    inference: !options.training && !options.differentiable,
    ...(options.core.convPool ? { convPool: options.core.convPool } : {}),
  });
}

/**
 * What the first recurrent layer reads: the front-end's output, with the condition's one-hot beside it at every
 * step for models that read it there (conditionSteps). Padding steps get it too; the mask keeps them out.
 */
export function withConditionSteps(arch: Architecture, x: tf.Tensor3D, conditions: tf.Tensor1D | undefined): tf.Tensor3D {
  const channels = conditionChannels(arch);
  if (channels === 0) return x;
  const [batch, steps] = x.shape;
  const perStep = tf.tile(tf.reshape(conditionRows(conditions, channels), [batch, 1, channels]), [1, steps, 1]);
  return tf.concat([x, perStep], 2) as tf.Tensor3D;
}

/**
 * The per-condition part of the head (conditionHead): the pooled vector placed in its condition's slot of a
 * [conditions × width] row, times head.condition.kernel.
 */
function conditionHeadTerm(arch: Architecture, params: Parameters, pooled: tf.Tensor2D, conditions: tf.Tensor1D | undefined): tf.Tensor2D {
  const count = headConditions(arch);
  const [batch, width] = pooled.shape;
  const slots = tf.mul(tf.reshape(conditionRows(conditions, count), [batch, count, 1]), tf.reshape(pooled, [batch, 1, width]));
  return tf.matMul(tf.reshape(slots, [batch, count * width]), get(params, 'head.condition.kernel')) as tf.Tensor2D;
}

/** Each sequence's condition as a float one-hot row, [B, count]: what the initial state, steps and head read. */
function conditionRows(conditions: tf.Tensor1D | undefined, count: number): tf.Tensor2D {
  if (!conditions) throw new Error('this model needs a condition for every sequence');
  return tf.cast(tf.oneHot(conditions, count), 'float32') as tf.Tensor2D;
}

/** Index of a layer × direction in state lists: layer-major, forward before backward. */
export function stateIndex(arch: Architecture, layer: number, direction: 'fwd' | 'bwd'): number {
  return layer * directionsOf(arch).length + (direction === 'bwd' ? 1 : 0);
}

/** The last layer's final h per direction: what 'last' pooling reads. */
function finalOutputs(arch: Architecture, states: LayerState[]): tf.Tensor2D[] {
  return directionsOf(arch).map((direction) => states[stateIndex(arch, arch.layers - 1, direction)]!.h);
}

/**
 * The state every sequence starts from: zero, or for conditioned models tanh of the condition's row plus the
 * covariate map (a bounded cell's memory through a sigmoid instead, to start inside its [0, 1] range).
 */
export function initialStates(
  arch: Architecture,
  params: Parameters,
  batch: number,
  options: Pick<ForwardOptions, 'conditions' | 'covariates'>,
): LayerState[] {
  const count = arch.layers * directionsOf(arch).length;
  const hidden = arch.hiddenSize;
  const withCell = hasCellState(arch.cell);
  if (!hasInitialStateModel(arch)) {
    const zeros = tf.zeros([batch, hidden]) as tf.Tensor2D;
    return Array.from({ length: count }, () => (withCell ? { h: zeros, c: zeros } : { h: zeros }));
  }
  let pre: tf.Tensor2D | undefined;
  if ((arch.conditions?.length ?? 0) > 0) {
    // A one-hot product rather than tf.gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
    const table = get(params, 'init.condition');
    pre = tf.matMul(conditionRows(options.conditions, table.shape[0]!), table) as tf.Tensor2D;
  }
  if ((arch.covariates?.length ?? 0) > 0) {
    if (!options.covariates) throw new Error('this model needs covariates for every sequence');
    const mapped = tf.add(
      tf.matMul(options.covariates, get(params, 'init.covariates.kernel')),
      get(params, 'init.covariates.bias'),
    ) as tf.Tensor2D;
    pre = pre ? (tf.add(pre, mapped) as tf.Tensor2D) : mapped;
  }
  const size = stateSize(arch);
  const h = tf.tanh(tf.slice(pre!, [0, 0], [batch, size]));
  const hs = splitStates(h, count);
  if (!withCell) return hs.map((part) => ({ h: part }));
  const cPre = tf.slice(pre!, [0, size], [batch, size]);
  const cs = splitStates(arch.bounded ? tf.sigmoid(cPre) : tf.tanh(cPre), count);
  return hs.map((part, i) => ({ h: part, c: cs[i]! }));
}

/** tf.split into one part has no gradient in tfjs (its gradient concats an empty list), so one part is the tensor itself. */
function splitStates(states: tf.Tensor2D, count: number): tf.Tensor2D[] {
  return count === 1 ? [states] : (tf.split(states, count, 1) as tf.Tensor2D[]);
}

export interface StackResult {
  outputs: tf.Tensor3D; // last layer, [B, T, layerOutputSize]
  states: LayerState[]; // final states, in stateOrder
}

export function runRecurrentStack(
  arch: Architecture,
  params: Parameters,
  x: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  options: ForwardOptions,
  start: LayerState[],
  random?: Random,
): StackResult {
  let input = x;
  const states: LayerState[] = [];
  for (let layer = 0; layer < arch.layers; layer++) {
    if (layer > 0) input = maybeDropout(input, arch.dropout, options.training, random);
    const sweeps = directionsOf(arch).map((direction): CoreRunArgs => {
      const initial = start[stateIndex(arch, layer, direction)]!;
      return {
        cell: arch.cell,
        x: input,
        ...(mask ? { mask } : {}),
        h0: initial.h,
        ...(hasCellState(arch.cell) ? { c0: initial.c! } : {}),
        weights: {
          kernel: get(params, parameterName(layer, direction, 'kernel')) as tf.Tensor2D,
          recurrent: get(params, parameterName(layer, direction, 'recurrent')) as tf.Tensor2D,
          bias: get(params, parameterName(layer, direction, 'bias')) as tf.Tensor1D,
        },
        ...(arch.bounded ? { bounded: true } : {}),
        reverse: direction === 'bwd',
        inference: !options.training && !options.differentiable,
      };
    });
    // Side by side where the core can (the native one in inference: both directions share its threads).
    const perDirection = options.core.runAll ? options.core.runAll(sweeps) : sweeps.map((sweep) => options.core.run(sweep));
    input =
      perDirection.length === 1
        ? perDirection[0]!.outputs
        : (tf.concat(
            perDirection.map((r) => r.outputs),
            2,
          ) as tf.Tensor3D);
    for (const r of perDirection) states.push(r.c ? { h: r.h, c: r.c } : { h: r.h });
  }
  return { outputs: input, states };
}

function pool(
  arch: Architecture,
  params: Parameters,
  outputs: tf.Tensor3D,
  finals: tf.Tensor2D[],
  mask: tf.Tensor2D | undefined,
): tf.Tensor2D {
  switch (arch.pool) {
    case 'attention':
      return attentionPool((name) => get(params, name), outputs, mask);
    case 'last':
      // Forward: state after the last real step; backward: state after reading back to position 0.
      return (finals.length === 1 ? finals[0]! : tf.concat(finals, 1)) as tf.Tensor2D;
    case 'mean': {
      if (!mask) return tf.mean(outputs, 1) as tf.Tensor2D;
      const lengths = tf.maximum(tf.sum(mask, 1, true), 1);
      return tf.div(tf.sum(outputs, 1), lengths) as tf.Tensor2D; // masked steps output exactly 0
    }
    case 'max': {
      if (!mask) return maxOverSteps(outputs);
      const penalty = tf.mul(tf.sub(tf.expandDims(mask, 2), 1), 1e9); // 0 on real steps, -1e9 on padding
      return maxOverSteps(tf.add(outputs, penalty) as tf.Tensor3D);
    }
  }
}

/**
 * What the head reads: the pooled recurrent output, then (with a front-end skip) the front-end's own max over
 * positions, then (with a composition branch) the standardised k-mer frequencies.
 */
export function headInputSize(arch: Architecture): number {
  if (isPerPosition(arch)) return layerOutputSize(arch);
  return layerOutputSize(arch) + (arch.conv?.skip ? arch.conv.filters : 0) + (arch.composition?.mean.length ?? 0);
}

/**
 * Each filter's largest value over the real steps (ReLU outputs are >= 0, so zeroed padding never wins). The
 * gradient goes to one step (the first maximum): tf.max's would go to every tied step, and a repeat such as poly-T
 * ties many.
 */
function maskedMax(x: tf.Tensor3D, mask: tf.Tensor2D | undefined): tf.Tensor2D {
  return maxOverSteps(mask ? (tf.mul(x, tf.expandDims(mask, 2)) as tf.Tensor3D) : x);
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
