import {
  type Architecture,
  conditionChannels,
  directionsOf,
  hasInitialStateModel,
  headConditions,
  isPerPosition,
  stateSize,
  taskOf,
} from './architecture.js';
import { hasCellState } from './cells.js';
import type { WholeStep, NativeStepResult } from './core.js';
import type { NativeAddon, NativeForwardArgs, NativePositionHeadArgs, NativeShape } from './native-addon.js';
import { positionGradient } from './native-conv.js';
import { parameterName } from './model.js';
import { Random } from '../seq/random.js';
import type { Batch } from '../seq/batch.js';
import type { SparseRows } from '../seq/kmer-counts.js';
import { addBranchLogits, branchKernelGradient, kmerBranchRows } from './kmer-branch.js';
import { drawDropout } from './dropout-draw.js';

/**
 * A model's whole training step (forward, softmax cross-entropy, every gradient) on plain Float32Arrays, with the
 * native kernels for the convolution, the recurrent sweeps and a per-position head, and host loops for the rest: no
 * TensorFlow.js tensor on the hot path, so none of its per-op dispatch, wasm-heap copies or gradient tape.
 * Classifiers pool; language models and taggers (per-position tasks) score every position.
 *
 * It computes what forward() + batchLoss() + tf.variableGrads compute for the same architecture (model.ts,
 * front-end.ts, objective.ts), in the same order of operations where float rounding could differ, and draws
 * dropout masks tf.randomUniform would draw with the same seeds in the same order (dropout-draw.ts), so a step
 * matches the tensor path to float rounding (test/engine/native-step.test.ts). Architectures it does not cover
 * train on the tensor path.
 */

/** Huber's transition point on standardised targets, as objective.ts's HUBER_DELTA. */
const HUBER_DELTA = 1;

/** Why the whole step cannot run natively for this architecture, or undefined when it can. */
export function nativeStepUnsupported(arch: Architecture): string | undefined {
  if (isPerPosition(arch) && arch.kmers) return 'a k-mer branch on a per-position model';
  if (isPerPosition(arch) && (arch.conv?.pool ?? 1) > 1) return 'a pooling front-end on a per-position model';
  if (arch.pool === 'attention') return 'attention pooling';
  if (arch.composition) return 'k-mer composition features (--composition)';
  // A field this step was not written for (a future architecture option) sends the model to the tensor path
  // rather than being silently left out of the computation.
  const unknown = Object.keys(arch).find((key) => !COVERED_FIELDS.has(key));
  if (unknown) return `the architecture field ${unknown}`;
  const unknownConv = Object.keys(arch.conv ?? {}).find((key) => !COVERED_CONV_FIELDS.has(key));
  if (unknownConv) return `the front-end field ${unknownConv}`;
  return undefined;
}

/** Architecture fields the native step implements. */
const COVERED_FIELDS: ReadonlySet<string> = new Set([
  'cell',
  'inputSize',
  'hiddenSize',
  'layers',
  'bidirectional',
  'dropout',
  'pool',
  'numClasses',
  'task',
  'bounded',
  'conditions',
  'conditionTag',
  'conditionSteps',
  'conditionHead',
  'covariates',
  'covariateScaling',
  'embedDim',
  'conv',
  'kmers',
  'regression',
]);
const COVERED_CONV_FIELDS: ReadonlySet<string> = new Set(['filters', 'width', 'pool', 'dropout', 'positions', 'skip']);

interface DirectionRun {
  /** [B, P, H]; absent where only the maximum over steps was kept (poolMax) */
  out?: Float32Array;
  /** [B, H]: the maximum of the outputs over real steps, kept by the kernel (inference of a max-pooled top layer) */
  poolMax?: Float32Array;
  /** [B, H]: their sum over real steps, kept by the kernel (inference of a mean-pooled top layer) */
  poolSum?: Float32Array;
  hT: Float32Array;
  /** training only: what the backward pass reads */
  workspace?: Float32Array;
  shape: NativeShape;
}

/** What the forward pass leaves for the backward: activations, dropout multipliers and where each max came from. */
interface ForwardPass {
  steps: number; // recurrent steps
  mask?: Float32Array; // [B, steps]
  layers: DirectionRun[][];
  layerDrops: Array<Float32Array | undefined>;
  top: DirectionRun[];
  recurrentWidth: number;
  headWidth: number;
  /** what the head reads, after dropout: [B, headWidth] pooled, or [B × steps, headWidth] per position */
  pooled: Float32Array;
  /** [B, classes]; per-position models leave the head to the native positionHead */
  logits?: Float32Array;
  /** [B, T, embedDim]: the embedded input, where the model has an embedding */
  embedded?: Float32Array;
  convArgmax?: Int32Array;
  convDrop?: Float32Array;
  positionRows: number;
  poolArgmax?: Int32Array;
  lengths?: Float32Array;
  skipArgmax?: Int32Array;
  headDrop?: Float32Array;
  /** the k-mer branch's feature rows, where the model has one */
  kmerRows?: SparseRows;
  /** conditioned or covariate models: each layer × direction's learned initial state (model.ts initialStates) */
  initial?: InitialStates;
  /** conditionSteps: the width of the front-end's output, before the condition's columns */
  frontWidth: number;
}

/** A learned initial state: h0 (and c0) per layer × direction in stateIndex order, from tanh / sigmoid of `pre`. */
interface InitialStates {
  h: Float32Array[];
  c?: Float32Array[];
}

/** What a head's backward hands the recurrent layers: the loss and the gradient of each top-layer direction. */
interface HeadBackward {
  loss: number;
  /** classify: [B, classes] */
  probs?: Float32Array;
  /** classify: the gradient of the pooled vector, [B, headWidth] (the skip path reads its columns) */
  dPooled?: Float32Array;
  /** [B, steps, H] per direction */
  dUpper: Float32Array[];
  /** [B, H] per direction: the gradient of the final state */
  dFinal: Float32Array[];
}

/**
 * Activation buffers reused from step to step while their size holds: a fresh multi-megabyte Float32Array per step
 * costs its page faults and zeroing every time (measured: the recurrent workspaces alone made a step 4x slower).
 */
class Arena {
  private readonly floats = new Map<string, Float32Array>();
  private readonly ints = new Map<string, Int32Array>();

  /** A buffer of `length` floats under `key`; zeroed when `zero` (for accumulation), else holding stale values. */
  f32(key: string, length: number, zero = false): Float32Array {
    let buffer = this.floats.get(key);
    if (buffer?.length !== length) this.floats.set(key, (buffer = new Float32Array(length)));
    else if (zero) buffer.fill(0);
    return buffer;
  }

  i32(key: string, length: number): Int32Array {
    let buffer = this.ints.get(key);
    if (buffer?.length !== length) this.ints.set(key, (buffer = new Int32Array(length)));
    return buffer;
  }
}

export class NativeWholeStep implements WholeStep {
  private readonly directions: Array<'fwd' | 'bwd'>;
  private readonly arena = new Arena();

  constructor(
    private readonly addon: NativeAddon,
    private readonly arch: Architecture,
  ) {
    const reason = nativeStepUnsupported(arch);
    if (reason) throw new Error(`native training step: ${reason} is not covered`);
    this.directions = directionsOf(arch);
  }

  /**
   * One step on `batch`: `targets` are one class per sequence (classify), its value (regress), or one class per
   * position, [B × steps], -1 where nothing counts (lm, tag); `weights` by parameter name. `dropoutSeed` seeds the
   * dropout draws as forward()'s `options.dropoutSeed` does.
   */
  run(weights: ReadonlyMap<string, Float32Array>, batch: Batch, targets: Int32Array | Float32Array, dropoutSeed: number): NativeStepResult {
    const arch = this.arch;
    const w = lookup(weights);
    const B = batch.batch;
    const H = arch.hiddenSize;
    const grads = new Map<string, Float32Array>();
    const pass = this.forwardPass(w, batch, new Random(dropoutSeed));
    const { steps, mask, layers, layerDrops, recurrentWidth, headWidth } = pass;
    const { convArgmax, convDrop, positionRows, skipArgmax } = pass;
    const head = isPerPosition(arch)
      ? this.positionHead(w, pass, B, targets as Int32Array, grads)
      : this.pooledHead(w, pass, batch, targets, grads);
    const { loss, probs, dPooled, dFinal } = head;
    let dUpper = head.dUpper;

    // Recurrent layers, top down.
    let dFront: Float32Array | undefined;
    for (let layer = arch.layers - 1; layer >= 0; layer--) {
      const width = layers[layer]![0]!.shape.inputSize;
      // The kernel writes every element of dx: the first direction's is the input gradient as it stands.
      const dInput = this.arena.f32(`dInput.${layer}`, B * steps * width);
      layers[layer]!.forEach((run, d) => {
        const direction = this.directions[d]!;
        const dx = d === 0 ? dInput : this.arena.f32('dx', B * steps * width);
        const cellState = hasCellState(arch.cell);
        const dKernel = new Float32Array(w(parameterName(layer, direction, 'kernel')).length);
        const dRecurrent = new Float32Array(w(parameterName(layer, direction, 'recurrent')).length);
        const dBias = new Float32Array(w(parameterName(layer, direction, 'bias')).length);
        this.addon.backward({
          ...run.shape,
          ...(mask ? { mask } : {}),
          kernel: w(parameterName(layer, direction, 'kernel')),
          recurrent: w(parameterName(layer, direction, 'recurrent')),
          workspace: run.workspace!,
          dOut: dUpper[d]!,
          dhT: layer === arch.layers - 1 ? dFinal[d]! : this.arena.f32('zeros', B * H, true),
          // With a learned initial state every layer × direction's dh0 (dc0) is kept for its gradient.
          ...(cellState
            ? { dcT: this.arena.f32('zeros', B * H, true), dc0: this.arena.f32(pass.initial ? `dc0.${layer}.${d}` : 'dc0', B * H) }
            : {}),
          dx,
          dh0: this.arena.f32(pass.initial ? `dh0.${layer}.${d}` : 'dh0', B * H),
          dKernel,
          dRecurrent,
          dBias,
        });
        if (d > 0) this.addon.addInPlace(dInput, dx);
        grads.set(parameterName(layer, direction, 'kernel'), dKernel);
        grads.set(parameterName(layer, direction, 'recurrent'), dRecurrent);
        grads.set(parameterName(layer, direction, 'bias'), dBias);
      });
      if (layer > 0) {
        const drop = layerDrops[layer];
        if (drop) this.addon.multiplyInPlace(dInput, drop);
        dUpper = splitDirections(dInput, B * steps, H, this.directions.length);
      } else dFront = dInput;
    }
    // conditionSteps: the condition's columns are constants; the front-end gets the rest.
    if (conditionChannels(arch) > 0) dFront = dropColumns(dFront!, B * steps, pass.frontWidth + conditionChannels(arch), pass.frontWidth);
    if (pass.initial) this.initialStateGradients(w, batch, pass.initial, grads);

    // Skip path and front-end.
    if (arch.conv) {
      const { width, pool, filters } = arch.conv;
      // Each pooled feature lands on one step, so adding it straight onto the recurrent input's gradient is the
      // same sum as scattering into zeros first; a padded step (zero on the forward) gets nothing.
      if (skipArgmax) scatterRows(dPooled!, headWidth, recurrentWidth, skipArgmax, 0, filters, B, steps, filters, dFront!, mask);
      if (convDrop) this.addon.multiplyInPlace(dFront!, convDrop);
      const dKernel = new Float32Array(w('conv.kernel').length);
      const dBias = new Float32Array(filters);
      const channels = arch.embedDim ?? batch.channels;
      // Through an embedding the convolution's input gradient is wanted; from the one-hot input, not.
      const dEmbedded = pass.embedded ? this.arena.f32('embed.grad', B * batch.steps * channels) : undefined;
      this.addon.convBackward({
        batch: B,
        steps: batch.steps,
        channels,
        width,
        filters,
        pool,
        x: pass.embedded ?? batch.x,
        kernel: w('conv.kernel'),
        argmax: convArgmax!,
        dOut: dFront!,
        dKernel,
        dBias,
        ...(dEmbedded ? { dx: dEmbedded } : {}),
      });
      grads.set('conv.kernel', dKernel);
      grads.set('conv.bias', dBias);
      if (arch.conv.positions !== undefined) {
        const table = new Float32Array(arch.conv.positions * filters);
        const perStep = positionGradient(this.addon, convArgmax!, dFront!, batch.steps, filters, pool);
        table.set(perStep.subarray(0, positionRows * filters));
        grads.set('conv.position', table);
      }
      if (dEmbedded) dFront = dEmbedded;
    }
    if (arch.embedDim !== undefined) {
      grads.set('embed.kernel', embedGradient(batch.x, dFront!, B * batch.steps, batch.channels, arch.embedDim));
    }
    return { loss, ...(probs ? { probs } : {}), grads };
  }

  /**
   * A classifier's softmax cross-entropy (the mean over the batch) or a regression's loss, and its gradient back
   * through the head and the pooling to each top-layer direction's outputs (or, for 'last', final state).
   */
  private pooledHead(
    w: (name: string) => Float32Array,
    pass: ForwardPass,
    batch: Batch,
    targets: Int32Array | Float32Array,
    grads: Map<string, Float32Array>,
  ): HeadBackward {
    const arch = this.arch;
    const B = batch.batch;
    const H = arch.hiddenSize;
    const { steps, top, recurrentWidth, headWidth, pooled, poolArgmax, lengths, headDrop } = pass;
    const logits = pass.logits!;
    const K = arch.numClasses;
    const headKernel = w('head.kernel');
    const regression = arch.regression && taskOf(arch) === 'regress' ? arch.regression : undefined;
    const probs = regression ? undefined : new Float32Array(B * K);
    const dLogits = new Float32Array(B * K);
    let loss = 0;
    for (let b = 0; b < B; b++) {
      if (regression) {
        // objective.ts: the standardised target (float32, as the tensor ops compute it) against the one output.
        const y = Math.fround(Math.fround(targets[b]! - regression.mean) / regression.std);
        const error = logits[b]! - y;
        const size = Math.abs(error);
        if (regression.loss === 'huber' && size > HUBER_DELTA) {
          loss += HUBER_DELTA * (size - HUBER_DELTA) + 0.5 * HUBER_DELTA * HUBER_DELTA;
          dLogits[b] = (Math.sign(error) * HUBER_DELTA) / B;
        } else {
          loss += regression.loss === 'huber' ? 0.5 * error * error : error * error;
          dLogits[b] = ((regression.loss === 'huber' ? 1 : 2) * error) / B;
        }
        continue;
      }
      const label = targets[b]!;
      loss += softmaxRow(logits, b * K, K, probs!) - logits[b * K + label]!;
      for (let k = 0; k < K; k++) dLogits[b * K + k] = (probs![b * K + k]! - (k === label ? 1 : 0)) / B;
    }
    loss /= B;

    const dHeadKernel = new Float32Array(headWidth * K);
    const dHeadBias = new Float32Array(K);
    const dPooled = new Float32Array(B * headWidth);
    for (let b = 0; b < B; b++) {
      const row = b * headWidth;
      for (let k = 0; k < K; k++) {
        const g = dLogits[b * K + k]!;
        dHeadBias[k]! += g;
        for (let j = 0; j < headWidth; j++) dHeadKernel[j * K + k]! += pooled[row + j]! * g;
      }
      for (let j = 0; j < headWidth; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += dLogits[b * K + k]! * headKernel[j * K + k]!;
        dPooled[row + j] = sum;
      }
    }
    if (headConditions(arch) > 0)
      grads.set('head.condition.kernel', conditionHeadGradient(w('head.condition.kernel'), pass, conditionsOf(batch), K, dLogits, dPooled));
    if (headDrop) this.addon.multiplyInPlace(dPooled, headDrop);
    grads.set('head.kernel', dHeadKernel);
    grads.set('head.bias', dHeadBias);
    if (pass.kmerRows) grads.set('kmers.kernel', branchKernelGradient(pass.kmerRows, dLogits, K));

    const dUpper: Float32Array[] = top.map((_, d) => {
      const dOut = this.arena.f32(`dOut.${d}`, B * steps * H, true);
      if (arch.pool === 'max') scatterRows(dPooled, headWidth, d * H, poolArgmax!, d * H, recurrentWidth, B, steps, H, dOut);
      else if (arch.pool === 'mean') spreadMean(dPooled, headWidth, d * H, lengths!, B, steps, H, dOut);
      return dOut;
    });
    const dFinal = top.map((_, d) => {
      const dh = new Float32Array(B * H);
      if (arch.pool === 'last') for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dh[b * H + j] = dPooled[b * headWidth + d * H + j]!;
      return dh;
    });
    return { loss, ...(probs ? { probs } : {}), dPooled, dUpper, dFinal };
  }

  /**
   * A per-position model's cross-entropy, the mean over the positions that count (as objective.ts's
   * weightedCrossEntropy), in the native positionHead, and its gradient back to each direction's outputs.
   */
  private positionHead(
    w: (name: string) => Float32Array,
    pass: ForwardPass,
    B: number,
    targets: Int32Array,
    grads: Map<string, Float32Array>,
  ): HeadBackward {
    const arch = this.arch;
    const H = arch.hiddenSize;
    const { steps, top, headWidth, pooled, headDrop } = pass;
    const rows = B * steps;
    if (targets.length !== rows) throw new Error(`native training step: ${targets.length} targets for ${rows} positions`);
    const K = arch.numClasses;
    let counted = 0;
    for (let i = 0; i < rows; i++) if (targets[i]! >= 0) counted++;
    counted = Math.max(counted, 1);
    const dHeadKernel = new Float32Array(headWidth * K);
    const dHeadBias = new Float32Array(K);
    const dPositions = this.arena.f32('dPositions', rows * headWidth);
    const sum = this.addon.positionHead({
      x: pooled,
      kernel: w('head.kernel'),
      bias: w('head.bias'),
      rows,
      width: headWidth,
      classes: K,
      targets,
      scale: 1 / counted,
      dKernel: dHeadKernel,
      dBias: dHeadBias,
      dx: dPositions,
    });
    if (headDrop) this.addon.multiplyInPlace(dPositions, headDrop);
    grads.set('head.kernel', dHeadKernel);
    grads.set('head.bias', dHeadBias);
    const dUpper = top.length === 1 ? [dPositions] : splitDirections(dPositions, rows, H, top.length);
    const dFinal = top.map(() => this.arena.f32('zeros', B * H, true));
    return { loss: sum / counted, dUpper, dFinal };
  }

  /**
   * Class probabilities, [batch × classes] (per-position models: [batch × steps × classes]): the inference forward
   * pass (no dropout, nothing kept for a backward).
   */
  predict(weights: ReadonlyMap<string, Float32Array>, batch: Batch): Float32Array {
    if (isPerPosition(this.arch)) {
      const probs = new Float32Array(batch.batch * batch.steps * this.arch.numClasses);
      this.scorePositions(weights, batch, { probs });
      return probs;
    }
    const logits = this.forwardPass(lookup(weights), batch, undefined).logits!;
    const regression = taskOf(this.arch) === 'regress' ? this.arch.regression : undefined;
    if (regression) return logits.map((v) => v * regression.std + regression.mean);
    const K = this.arch.numClasses;
    const probs = new Float32Array(batch.batch * K);
    for (let b = 0; b < batch.batch; b++) softmaxRow(logits, b * K, K, probs);
    return probs;
  }

  /**
   * The learned initial state (model.ts initialStates): pre = the condition's row of init.condition + the
   * covariates' affine map, then h0 = tanh and c0 = tanh (sigmoid for a bounded cell) of its halves, split per
   * layer × direction.
   */
  private initialStates(w: (name: string) => Float32Array, batch: Batch): InitialStates {
    const arch = this.arch;
    const B = batch.batch;
    const H = arch.hiddenSize;
    const cell = hasCellState(arch.cell);
    // The tables are as wide as the whole model's states; a step built for its lower layers alone (embed --layer)
    // takes the first of them, so the width comes from the weights, not from this step's layer count.
    const width =
      (arch.conditions?.length ?? 0) > 0 ? w('init.condition').length / arch.conditions!.length : w('init.covariates.bias').length;
    const S = width / (cell ? 2 : 1);
    const pre = this.arena.f32('init.pre', B * width, true);
    if ((arch.conditions?.length ?? 0) > 0) {
      const table = w('init.condition');
      const conditions = conditionsOf(batch);
      for (let b = 0; b < B; b++) {
        const c = conditions[b]!;
        if (c >= 0) pre.set(table.subarray(c * width, (c + 1) * width), b * width);
      }
    }
    const count = arch.covariates?.length ?? 0;
    if (count > 0) {
      if (!batch.covariates) throw new Error('this model needs covariates for every sequence');
      const kernel = w('init.covariates.kernel');
      const bias = w('init.covariates.bias');
      for (let b = 0; b < B; b++)
        for (let j = 0; j < width; j++) {
          let sum = 0;
          for (let k = 0; k < count; k++) sum += batch.covariates[b * count + k]! * kernel[k * width + j]!;
          pre[b * width + j] = pre[b * width + j]! + Math.fround(Math.fround(sum) + bias[j]!);
        }
    }
    const h: Float32Array[] = [];
    const c: Float32Array[] = [];
    for (let i = 0; i < stateSize(arch) / H; i++) {
      const hi = this.arena.f32(`init.h.${i}`, B * H);
      const ci = cell ? this.arena.f32(`init.c.${i}`, B * H) : undefined;
      for (let b = 0; b < B; b++)
        for (let j = 0; j < H; j++) {
          hi[b * H + j] = Math.tanh(pre[b * width + i * H + j]!);
          if (!ci) continue;
          const v = pre[b * width + S + i * H + j]!;
          ci[b * H + j] = arch.bounded ? 1 / (1 + Math.exp(-v)) : Math.tanh(v);
        }
      h.push(hi);
      if (ci) c.push(ci);
    }
    return { h, ...(cell ? { c } : {}) };
  }

  /** init.condition / init.covariates gradients from each layer × direction's dh0 (dc0), through tanh / sigmoid. */
  private initialStateGradients(
    w: (name: string) => Float32Array,
    batch: Batch,
    initial: InitialStates,
    grads: Map<string, Float32Array>,
  ): void {
    const arch = this.arch;
    const B = batch.batch;
    const H = arch.hiddenSize;
    const S = stateSize(arch);
    const width = S * (initial.c ? 2 : 1);
    const dPre = new Float32Array(B * width);
    initial.h.forEach((h, i) => {
      const key = `${Math.floor(i / this.directions.length)}.${i % this.directions.length}`;
      const dh0 = this.arena.f32(`dh0.${key}`, B * H);
      const dc0 = initial.c ? this.arena.f32(`dc0.${key}`, B * H) : undefined;
      for (let b = 0; b < B; b++)
        for (let j = 0; j < H; j++) {
          const v = h[b * H + j]!;
          dPre[b * width + i * H + j] = dh0[b * H + j]! * (1 - v * v);
          if (!dc0) continue;
          const cv = initial.c![i]![b * H + j]!;
          dPre[b * width + S + i * H + j] = dc0[b * H + j]! * (arch.bounded ? cv * (1 - cv) : 1 - cv * cv);
        }
    });
    if ((arch.conditions?.length ?? 0) > 0) {
      const table = new Float32Array(w('init.condition').length);
      const conditions = conditionsOf(batch);
      for (let b = 0; b < B; b++) {
        const c = conditions[b]!;
        if (c < 0) continue;
        for (let j = 0; j < width; j++) table[c * width + j]! += dPre[b * width + j]!;
      }
      grads.set('init.condition', table);
    }
    const count = arch.covariates?.length ?? 0;
    if (count > 0) {
      const kernel = new Float32Array(count * width);
      const bias = new Float32Array(width);
      for (let b = 0; b < B; b++)
        for (let j = 0; j < width; j++) {
          const g = dPre[b * width + j]!;
          bias[j]! += g;
          for (let k = 0; k < count; k++) kernel[k * width + j]! += batch.covariates![b * count + k]! * g;
        }
      grads.set('init.covariates.kernel', kernel);
      grads.set('init.covariates.bias', bias);
    }
  }

  /** Per-position models: the log-softmax at every position, [batch × steps × classes]. */
  logProbs(weights: ReadonlyMap<string, Float32Array>, batch: Batch): Float32Array {
    const logProbs = new Float32Array(batch.batch * batch.steps * this.arch.numClasses);
    this.scorePositions(weights, batch, { logProbs });
    return logProbs;
  }

  /** Per-position models: −ln p(target) at every position, [batch × steps], 0 where the target is -1. */
  positionLosses(weights: ReadonlyMap<string, Float32Array>, batch: Batch, targets: Int32Array): Float64Array {
    if (targets.length !== batch.batch * batch.steps)
      throw new Error(`positionLosses: ${targets.length} targets for ${batch.batch * batch.steps} positions`);
    const rowLoss = new Float64Array(targets.length);
    this.scorePositions(weights, batch, { targets, rowLoss });
    return rowLoss;
  }

  /** The inference pass of a per-position model, its head writing what `into` asks for (positionHead). */
  private scorePositions(
    weights: ReadonlyMap<string, Float32Array>,
    batch: Batch,
    into: Pick<NativePositionHeadArgs, 'logProbs' | 'probs' | 'targets' | 'rowLoss'>,
  ): void {
    if (!isPerPosition(this.arch)) throw new Error('a per-position model only');
    const w = lookup(weights);
    const pass = this.forwardPass(w, batch, undefined);
    this.addon.positionHead({
      x: pass.pooled,
      kernel: w('head.kernel'),
      bias: w('head.bias'),
      rows: batch.batch * pass.steps,
      width: pass.headWidth,
      classes: this.arch.numClasses,
      ...into,
    });
  }

  /**
   * Each sequence's top-layer outputs pooled as this step's architecture pools them, [B × directions·H] with the
   * directions side by side: embed's mean, max and last vectors without writing the per-position outputs (the
   * kernel keeps the running maximum, sum or last state). Build the step for the embedded layers, as a classifier.
   */
  pooledStates(weights: ReadonlyMap<string, Float32Array>, batch: Batch): Float32Array {
    if (isPerPosition(this.arch)) throw new Error('pooledStates needs a pooled (classifier) architecture');
    const pass = this.forwardPass(lookup(weights), batch, undefined, true);
    const width = pass.recurrentWidth;
    if (pass.headWidth === width) return pass.pooled;
    const out = new Float32Array(batch.batch * width);
    for (let b = 0; b < batch.batch; b++) out.set(pass.pooled.subarray(b * pass.headWidth, b * pass.headWidth + width), b * width);
    return out;
  }

  /**
   * The forward pass; training when `random` (the dropout draws) is given, inference otherwise. `headless` stops
   * after pooling (pooledStates).
   */
  private forwardPass(w: (name: string) => Float32Array, batch: Batch, random: Random | undefined, headless = false): ForwardPass {
    const arch = this.arch;
    const B = batch.batch;
    const H = arch.hiddenSize;
    // Front-end: an embedding (no bias, so padding stays zero), then convolution + bias + ReLU + mask + max-pool,
    // then dropout.
    let steps = batch.steps;
    let input = batch.x;
    let inputWidth = batch.channels;
    let mask = batch.mask;
    let embedded: Float32Array | undefined;
    if (arch.embedDim !== undefined) {
      embedded = embed(
        batch.x,
        w('embed.kernel'),
        B * steps,
        inputWidth,
        arch.embedDim,
        this.arena.f32('embed.out', B * steps * arch.embedDim, true),
      );
      input = embedded;
      inputWidth = arch.embedDim;
    }
    let convArgmax: Int32Array | undefined;
    let convDrop: Float32Array | undefined;
    let positionRows = 0;
    if (arch.conv) {
      const { width, pool, filters } = arch.conv;
      const pooledSteps = Math.ceil(steps / pool);
      const out = this.arena.f32('conv.out', B * pooledSteps * filters);
      convArgmax = random ? this.arena.i32('conv.argmax', out.length) : undefined;
      // The per-step bias table's first rows only: steps past the model's training length have none, and a
      // genome-length record would otherwise copy the table padded to its own length.
      positionRows = Math.min(steps, arch.conv.positions ?? 0);
      const position = arch.conv.positions !== undefined ? w('conv.position').subarray(0, positionRows * filters) : undefined;
      this.addon.convForward({
        batch: B,
        steps,
        channels: inputWidth,
        width,
        filters,
        pool,
        x: input,
        ...(mask ? { mask } : {}),
        kernel: w('conv.kernel'),
        bias: w('conv.bias'),
        ...(position ? { position, positionRows } : {}),
        out,
        ...(convArgmax ? { argmax: convArgmax } : {}),
      });
      if (random && arch.conv.dropout > 0) {
        convDrop = drawDropout(this.addon, this.arena.f32('conv.drop', out.length), arch.conv.dropout, random.seed(), out);
      }
      if (mask && pool > 1) mask = poolMask(mask, B, steps, pool);
      steps = pooledSteps;
      input = out;
      inputWidth = filters;
    }
    const front = input;
    const frontWidth = inputWidth;
    // conditionSteps: the condition's one-hot beside the front-end's output at every step (model.ts withConditionSteps).
    const channels = conditionChannels(arch);
    if (channels > 0) {
      input = withConditionColumns(
        input,
        B * steps,
        inputWidth,
        steps,
        conditionsOf(batch),
        channels,
        this.arena.f32('conditioned', B * steps * (inputWidth + channels)),
      );
      inputWidth += channels;
    }
    const initial = hasInitialStateModel(arch) ? this.initialStates(w, batch) : undefined;

    // Recurrent stack; a layer above the first reads the directions' outputs side by side, after dropout.
    const layers: DirectionRun[][] = [];
    const layerDrops: Array<Float32Array | undefined> = [];
    for (let layer = 0; layer < arch.layers; layer++) {
      if (layer > 0) {
        input = concatDirections(
          layers[layer - 1]!.map((r) => r.out!),
          B * steps,
          H,
        );
        inputWidth = H * this.directions.length;
        const drop =
          random && arch.dropout > 0
            ? drawDropout(this.addon, this.arena.f32(`${layer}.drop`, input.length), arch.dropout, random.seed(), input)
            : undefined;
        layerDrops[layer] = drop;
      }
      const layerInput = input;
      const width = inputWidth;
      // Both directions in one call: their rows share the threads (a batch of one still uses two).
      const sweeps: NativeForwardArgs[] = [];
      layers.push(
        this.directions.map((direction, d) => {
          const shape: NativeShape = {
            cell: arch.cell,
            batch: B,
            steps,
            inputSize: width,
            hidden: H,
            reverse: direction === 'bwd',
            ...(arch.bounded ? { bounded: true } : {}),
          };
          const key = `${layer}.${direction}`;
          // Inference of the top layer writes no [B, P, H] outputs where the head reads one row per sequence: the
          // last state (hT), or each feature's running maximum or sum, kept by the kernel (a quarter of a recipe classify
          // pass went to writing the outputs and reading them back once).
          const top = !random && layer === arch.layers - 1 && !isPerPosition(arch);
          const keepMax = top && arch.pool === 'max';
          const keepSum = top && arch.pool === 'mean';
          const outputs = !(top && (arch.pool === 'max' || arch.pool === 'last' || arch.pool === 'mean'));
          const run: DirectionRun = {
            ...(keepMax ? { poolMax: this.arena.f32(`${key}.poolMax`, B * H).fill(-1e9) } : {}),
            ...(keepSum ? { poolSum: this.arena.f32(`${key}.poolSum`, B * H, true) } : {}),
            ...(outputs ? { out: this.arena.f32(`${key}.out`, B * steps * H) } : {}),
            hT: this.arena.f32(`${key}.hT`, B * H),
            ...(random ? { workspace: this.arena.f32(`${key}.workspace`, this.addon.workspaceSize(shape)) } : {}),
            shape,
          };
          const zeros = this.arena.f32('zeros', B * H, true);
          const state = layer * this.directions.length + d;
          sweeps.push({
            ...shape,
            x: layerInput,
            ...(mask ? { mask } : {}),
            h0: initial?.h[state] ?? zeros,
            ...(hasCellState(arch.cell) ? { c0: initial?.c?.[state] ?? zeros, cT: this.arena.f32(`${key}.cT`, B * H) } : {}),
            kernel: w(parameterName(layer, direction, 'kernel')),
            recurrent: w(parameterName(layer, direction, 'recurrent')),
            bias: w(parameterName(layer, direction, 'bias')),
            ...(run.out ? { out: run.out } : {}),
            ...(run.poolMax ? { poolMax: run.poolMax } : {}),
            ...(run.poolSum ? { poolSum: run.poolSum } : {}),
            hT: run.hT,
            ...(run.workspace ? { workspace: run.workspace } : {}),
          });
          return run;
        }),
      );
      this.addon.forward(sweeps);
    }
    const top = layers[arch.layers - 1]!;
    const recurrentWidth = H * this.directions.length;
    const common = {
      frontWidth,
      ...(initial ? { initial } : {}),
      steps,
      ...(mask ? { mask } : {}),
      layers,
      layerDrops,
      top,
      recurrentWidth,
      ...(embedded ? { embedded } : {}),
      ...(convArgmax ? { convArgmax } : {}),
      ...(convDrop ? { convDrop } : {}),
      positionRows,
    };
    if (isPerPosition(arch)) {
      // Every position's outputs, directions side by side, then the head's dropout (model.ts's per-position branch);
      // a copy where dropout scales it, so the layer's own outputs stay as the kernel wrote them.
      const rows = B * steps;
      const drop = random !== undefined && arch.dropout > 0;
      const positions =
        top.length === 1 && !drop
          ? top[0]!.out!
          : concatDirections(
              top.map((run) => run.out!),
              rows,
              H,
              this.arena.f32('positions', rows * recurrentWidth),
            );
      const headDrop = drop
        ? drawDropout(this.addon, this.arena.f32('head.drop', positions.length), arch.dropout, random.seed(), positions)
        : undefined;
      return { ...common, headWidth: recurrentWidth, pooled: positions, ...(headDrop ? { headDrop } : {}) };
    }

    // Pooling per direction (features side by side: forward, then backward), then the front-end's skip path.
    const skipWidth = arch.conv?.skip ? frontWidth : 0;
    const headWidth = recurrentWidth + skipWidth;
    const pooled = new Float32Array(B * headWidth);
    // Inference of a max-pooled model has its maxima from the kernel (poolMax): where they came from is for training.
    const poolArgmax = random && arch.pool === 'max' ? new Int32Array(B * recurrentWidth) : undefined;
    const lengths = arch.pool === 'mean' ? stepCounts(mask, B, steps) : undefined;
    top.forEach((run, d) => {
      if (run.poolMax) copyRows(run.poolMax, B, H, pooled, headWidth, d * H);
      else if (run.poolSum) divideRows(run.poolSum, lengths!, B, H, pooled, headWidth, d * H);
      else if (arch.pool === 'max') {
        const into = { into: pooled, stride: headWidth, column: d * H, argmax: poolArgmax!, argStride: recurrentWidth, argColumn: d * H };
        this.addon.maxOverSteps({ values: run.out!, ...(mask ? { mask } : {}), padValue: -1e9, batch: B, steps, features: H, ...into });
      } else if (arch.pool === 'mean') meanInto(run.out!, lengths!, B, steps, H, pooled, headWidth, d * H);
      else copyRows(run.hT, B, H, pooled, headWidth, d * H);
    });
    // pooledStates reads the recurrent columns alone.
    if (headless) return { ...common, headWidth, pooled };
    const skipArgmax = skipWidth > 0 ? new Int32Array(B * skipWidth) : undefined;
    if (skipArgmax) {
      // Padded steps count as zeros: the tensor path multiplies the skip input by the step mask before its max.
      const into = { into: pooled, stride: headWidth, column: recurrentWidth, argmax: skipArgmax, argStride: skipWidth, argColumn: 0 };
      this.addon.maxOverSteps({ values: front, ...(mask ? { mask } : {}), padValue: 0, batch: B, steps, features: skipWidth, ...into });
    }
    const headDrop =
      random && arch.dropout > 0
        ? drawDropout(this.addon, this.arena.f32('head.drop', pooled.length), arch.dropout, random.seed(), pooled)
        : undefined;
    const logits = headLogits(pooled, w('head.kernel'), w('head.bias'), B, headWidth, arch.numClasses);
    if (headConditions(arch) > 0)
      addConditionLogits(pooled, w('head.condition.kernel'), conditionsOf(batch), B, headWidth, arch.numClasses, logits);
    const kmerRows = arch.kmers ? kmerBranchRows(arch.kmers, batch.x, B, batch.steps, batch.channels) : undefined;
    if (kmerRows) addBranchLogits(kmerRows, w('kmers.kernel'), arch.numClasses, logits);
    return {
      ...common,
      headWidth,
      pooled,
      logits,
      ...(poolArgmax ? { poolArgmax } : {}),
      ...(lengths ? { lengths } : {}),
      ...(skipArgmax ? { skipArgmax } : {}),
      ...(headDrop ? { headDrop } : {}),
      ...(kmerRows ? { kmerRows } : {}),
    };
  }
}

function conditionsOf(batch: Batch): Int32Array {
  if (!batch.conditions) throw new Error('this model needs a condition for every sequence');
  return batch.conditions;
}

/** Each row of `input` with the condition's one-hot (`channels` wide; none for -1) after it, into `out`. */
function withConditionColumns(
  input: Float32Array,
  rows: number,
  width: number,
  steps: number,
  conditions: Int32Array,
  channels: number,
  out: Float32Array,
): Float32Array {
  const wide = width + channels;
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    out.set(input.subarray(r * width, (r + 1) * width), r * wide);
    const c = conditions[Math.floor(r / steps)]!;
    if (c >= 0) out[r * wide + width + c] = 1;
  }
  return out;
}

/** The first `keep` columns of each row. */
function dropColumns(values: Float32Array, rows: number, width: number, keep: number): Float32Array {
  const out = new Float32Array(rows * keep);
  for (let r = 0; r < rows; r++) out.set(values.subarray(r * width, r * width + keep), r * keep);
  return out;
}

/** conditionHead: logits += the pooled vector times its condition's block of head.condition.kernel. */
function addConditionLogits(
  pooled: Float32Array,
  kernel: Float32Array,
  conditions: Int32Array,
  batch: number,
  width: number,
  classes: number,
  logits: Float32Array,
): void {
  for (let b = 0; b < batch; b++) {
    const c = conditions[b]!;
    if (c < 0) continue;
    for (let k = 0; k < classes; k++) {
      let sum = 0;
      for (let j = 0; j < width; j++) sum += pooled[b * width + j]! * kernel[(c * width + j) * classes + k]!;
      logits[b * classes + k] = logits[b * classes + k]! + Math.fround(sum);
    }
  }
}

/** head.condition.kernel's gradient, and its share of the pooled vector's gradient added to dPooled. */
function conditionHeadGradient(
  kernel: Float32Array,
  pass: ForwardPass,
  conditions: Int32Array,
  classes: number,
  dLogits: Float32Array,
  dPooled: Float32Array,
): Float32Array {
  const grad = new Float32Array(kernel.length);
  const width = pass.headWidth;
  for (let b = 0; b < conditions.length; b++) {
    const c = conditions[b]!;
    if (c < 0) continue;
    for (let j = 0; j < width; j++) {
      const x = pass.pooled[b * width + j]!;
      const row = (c * width + j) * classes;
      let sum = 0;
      for (let k = 0; k < classes; k++) {
        grad[row + k]! += x * dLogits[b * classes + k]!;
        sum += dLogits[b * classes + k]! * kernel[row + k]!;
      }
      dPooled[b * width + j]! += sum;
    }
  }
  return grad;
}

/**
 * x · kernel at every position, [rows, C] -> [rows, E], into `out` (zeroed). Inputs are one-hot or a few fractional
 * codes (ambiguous residues), so zero entries are skipped: about E multiply-adds per position.
 */
function embed(x: Float32Array, kernel: Float32Array, rows: number, channels: number, dim: number, out: Float32Array): Float32Array {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++) {
      const v = x[r * channels + c]!;
      if (v === 0) continue;
      for (let e = 0; e < dim; e++) out[r * dim + e]! += v * kernel[c * dim + e]!;
    }
  return out;
}

/** The embedding kernel's gradient, xᵀ · dOut over every position, skipping zero inputs as embed does. */
function embedGradient(x: Float32Array, dOut: Float32Array, rows: number, channels: number, dim: number): Float32Array {
  const grad = new Float32Array(channels * dim);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++) {
      const v = x[r * channels + c]!;
      if (v === 0) continue;
      for (let e = 0; e < dim; e++) grad[c * dim + e]! += v * dOut[r * dim + e]!;
    }
  return grad;
}

function lookup(weights: ReadonlyMap<string, Float32Array>): (name: string) => Float32Array {
  return (name) => {
    const value = weights.get(name);
    if (!value) throw new Error(`model parameter ${name} is missing`);
    return value;
  };
}

/** pooled · kernel + bias, rounded to float32 as the tensor path's matMul and add are. */
function headLogits(
  pooled: Float32Array,
  kernel: Float32Array,
  bias: Float32Array,
  batch: number,
  width: number,
  classes: number,
): Float32Array {
  const logits = new Float32Array(batch * classes);
  for (let b = 0; b < batch; b++)
    for (let k = 0; k < classes; k++) {
      let sum = 0;
      for (let j = 0; j < width; j++) sum += pooled[b * width + j]! * kernel[j * classes + k]!;
      logits[b * classes + k] = Math.fround(sum) + bias[k]!;
    }
  return logits;
}

/** Softmax of one row of logits into `probs`; returns the row's log-sum-exp. */
function softmaxRow(logits: Float32Array, offset: number, classes: number, probs: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < classes; k++) max = Math.max(max, logits[offset + k]!);
  let total = 0;
  for (let k = 0; k < classes; k++) total += Math.exp(logits[offset + k]! - max);
  for (let k = 0; k < classes; k++) probs[offset + k] = Math.exp(logits[offset + k]! - max) / total;
  return max + Math.log(total);
}

/** A pooled step is real if any of its positions is (front-end.ts poolMask). */
function poolMask(mask: Float32Array, batch: number, steps: number, pool: number): Float32Array {
  const pooledSteps = Math.ceil(steps / pool);
  const out = new Float32Array(batch * pooledSteps);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < steps; t++) {
      const i = b * pooledSteps + Math.floor(t / pool);
      if (mask[b * steps + t]! > out[i]!) out[i] = mask[b * steps + t]!;
    }
  return out;
}

function stepCounts(mask: Float32Array | undefined, batch: number, steps: number): Float32Array {
  const out = new Float32Array(batch).fill(steps);
  if (!mask) return out;
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let t = 0; t < steps; t++) sum += mask[b * steps + t]!;
    out[b] = Math.max(sum, 1);
  }
  return out;
}

function meanInto(
  values: Float32Array,
  lengths: Float32Array,
  batch: number,
  steps: number,
  features: number,
  into: Float32Array,
  stride: number,
  column: number,
): void {
  for (let b = 0; b < batch; b++)
    for (let f = 0; f < features; f++) {
      let sum = 0;
      for (let t = 0; t < steps; t++) sum += values[(b * steps + t) * features + f]!;
      into[b * stride + column + f] = Math.fround(sum) / lengths[b]!;
    }
}

/** Each row of sums divided by its sequence's step count, into `into`'s columns: the kernel's poolSum as a mean. */
function divideRows(
  sums: Float32Array,
  lengths: Float32Array,
  batch: number,
  features: number,
  into: Float32Array,
  stride: number,
  column: number,
): void {
  for (let b = 0; b < batch; b++) for (let f = 0; f < features; f++) into[b * stride + column + f] = sums[b * features + f]! / lengths[b]!;
}

function copyRows(values: Float32Array, batch: number, features: number, into: Float32Array, stride: number, column: number): void {
  for (let b = 0; b < batch; b++) into.set(values.subarray(b * features, (b + 1) * features), b * stride + column);
}

/** The gradient of a max over steps: each pooled gradient lands on the step it came from. */
function scatterRows(
  dPooled: Float32Array,
  stride: number,
  column: number,
  argmax: Int32Array,
  argColumn: number,
  argStride: number,
  batch: number,
  steps: number,
  features: number,
  into: Float32Array,
  mask?: Float32Array,
): void {
  for (let b = 0; b < batch; b++)
    for (let f = 0; f < features; f++) {
      const t = argmax[b * argStride + argColumn + f]!;
      if (mask && mask[b * steps + t] === 0) continue;
      into[(b * steps + t) * features + f]! += dPooled[b * stride + column + f]!;
    }
}

function spreadMean(
  dPooled: Float32Array,
  stride: number,
  column: number,
  lengths: Float32Array,
  batch: number,
  steps: number,
  features: number,
  into: Float32Array,
): void {
  for (let b = 0; b < batch; b++)
    for (let f = 0; f < features; f++) {
      const g = dPooled[b * stride + column + f]! / lengths[b]!;
      for (let t = 0; t < steps; t++) into[(b * steps + t) * features + f] = g;
    }
}

function concatDirections(outs: Float32Array[], rows: number, hidden: number, into?: Float32Array): Float32Array {
  if (outs.length === 1) {
    if (!into) return outs[0]!.slice();
    into.set(outs[0]!);
    return into;
  }
  const width = hidden * outs.length;
  const out = into ?? new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) outs.forEach((o, d) => out.set(o.subarray(r * hidden, (r + 1) * hidden), r * width + d * hidden));
  return out;
}

function splitDirections(values: Float32Array, rows: number, hidden: number, count: number): Float32Array[] {
  const width = hidden * count;
  return Array.from({ length: count }, (_, d) => {
    const out = new Float32Array(rows * hidden);
    for (let r = 0; r < rows; r++) out.set(values.subarray(r * width + d * hidden, r * width + (d + 1) * hidden), r * hidden);
    return out;
  });
}
