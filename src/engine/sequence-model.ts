import { tf } from './tf.js';
import type { Batch } from '../seq/batch.js';
import { type Architecture, taskOf } from './architecture.js';
import { type ModelSpec, type PackedTensors, packTensors, sha256, unpackTensors } from './checkpoint.js';
import type { WholeStep, RecurrentCore } from './core.js';
import { readTidy } from './read-tensor.js';
import {
  type ForwardOptions,
  type ForwardResult,
  disposeParameters,
  forward,
  initParameters,
  newParameters,
  parameterShapes,
  type Parameters,
} from './model.js';
import { EXIT_DATA, RnnseqError } from '../errors.js';

/** What a model needs to know about its inputs and outputs besides its weights. */
export interface ModelInfo {
  alphabet: string;
  classes: string[];
  architecture: Architecture;
  inputLength: number | null;
}

/** A model (classifier, regressor, language model or tagger): recurrent stack + head with its parameters. */
export class SequenceModel {
  constructor(
    readonly info: ModelInfo,
    readonly params: Parameters,
    public core: RecurrentCore,
  ) {}

  /**
   * An ensemble's other members (train --ensemble): predict and the saliency average over this model and them.
   * Everything that reads hidden states (embed, run) sees this, the first member, alone.
   */
  others: SequenceModel[] = [];

  /** This model and its ensemble's other members. */
  members(): SequenceModel[] {
    return [this, ...this.others];
  }

  static create(info: ModelInfo, seed: number, core: RecurrentCore): SequenceModel {
    return new SequenceModel(info, initParameters(info.architecture, seed), core);
  }

  /** Rebuilds a model from rnnseq.json (already validated) and its weights file. */
  static fromCheckpoint(spec: ModelSpec, weights: Buffer | undefined, source: string, core: RecurrentCore): SequenceModel {
    return SequenceModel.fromWeights(spec, spec.architecture, spec.weights, weights, source, core);
  }

  /** One model of a checkpoint: the first (spec.architecture, spec.weights) or an ensemble member's. */
  static fromWeights(
    spec: ModelSpec,
    architecture: Architecture,
    described: ModelSpec['weights'],
    weights: Buffer | undefined,
    source: string,
    core: RecurrentCore,
  ): SequenceModel {
    if (!weights) throw new RnnseqError(`${source}: bad checkpoint: weights file ${described.file} is missing`, EXIT_DATA);
    if (sha256(weights) !== described.sha256) {
      throw new RnnseqError(`${source}: bad checkpoint: ${described.file} is corrupt (checksum differs from rnnseq.json)`, EXIT_DATA);
    }
    const info: ModelInfo = {
      alphabet: spec.alphabet,
      classes: spec.classes,
      architecture,
      inputLength: spec.inputLength,
    };
    const expected = parameterShapes(info.architecture);
    const tensors = unpackTensors(described.tensors, weights, source);
    try {
      for (const [name, shape] of expected) {
        const got = tensors.get(name);
        if (!got || got.shape.join('x') !== shape.join('x')) {
          throw new RnnseqError(
            `${source}: bad checkpoint: tensor ${name} is ${got ? got.shape.join('x') : 'missing'}, expected ${shape.join('x')}`,
            EXIT_DATA,
          );
        }
      }
      return new SequenceModel(info, newParameters([...expected.keys()].map((name) => [name, tensors.get(name)!])), core);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }

  /**
   * Class probabilities, [batch × numClasses] row-major (classify; for a regression model the predicted values).
   * laps: 2 reads circular sequences twice (see ForwardOptions).
   */
  predict(batch: Batch, laps: 1 | 2 = 1): Float32Array {
    if (this.others.length === 0) return this.predictOne(batch, laps);
    const sum = this.predictOne(batch, laps);
    for (const other of this.others) {
      const probs = other.predictOne(batch, laps);
      for (let i = 0; i < sum.length; i++) sum[i]! += probs[i]!;
    }
    const n = this.others.length + 1;
    for (let i = 0; i < sum.length; i++) sum[i]! /= n;
    return sum;
  }

  private predictOne(batch: Batch, laps: 1 | 2): Float32Array {
    if (taskOf(this.info.architecture) === 'regress') return this.predictValues(batch, laps);
    const native = laps === 1 ? this.nativeWhole() : undefined;
    if (native) return native.predict(this.weightArrays(), batch);
    return readTidy(() => tf.softmax(this.run(batch, laps).logits));
  }

  /** Every parameter as a plain array, for a native whole pass (WholeStep). */
  weightArrays(): Map<string, Float32Array> {
    return new Map([...this.params].map(([name, v]) => [name, v.dataSync() as Float32Array]));
  }

  /**
   * Whether predict reads through the native whole pass (no per-position tensors), which sizes the memory a long
   * record needs (commands/shared/whole-read.ts).
   */
  predictsNatively(laps: 1 | 2): boolean {
    return laps === 1 && this.nativeWhole() !== undefined;
  }

  /**
   * The core's native whole forward pass for this model, where it has one (native-step.ts): pooling and head run
   * on the kernels' output arrays instead of as tensors. Kept per core, since a caller may swap the core.
   */
  private nativeWhole(): WholeStep | undefined {
    if (this.native?.core !== this.core) this.native = { core: this.core, step: this.core.wholeStep?.(this.info.architecture) };
    return this.native.step;
  }

  private native: { core: RecurrentCore; step: WholeStep | undefined } | undefined;

  /** Regression models: the predicted value per sequence, in the target's own units. */
  predictValues(batch: Batch, laps: 1 | 2 = 1): Float32Array {
    const native = laps === 1 ? this.nativeWhole() : undefined;
    if (native) return native.predict(this.weightArrays(), batch);
    const { mean, std } = this.info.architecture.regression!;
    return readTidy(() => tf.add(tf.mul(tf.reshape(this.run(batch, laps).logits, [batch.batch]), std), mean));
  }

  /** Per-position models (lm, tag): class probabilities, [batch × steps × numClasses] row-major. */
  predictPositions(batch: Batch, laps: 1 | 2 = 1): Float32Array {
    const native = laps === 1 ? this.nativeWhole() : undefined;
    if (native) return native.predict(this.weightArrays(), batch);
    return readTidy(() => tf.softmax(this.run(batch, laps).logits));
  }

  /**
   * Per-position models: −ln p(target) at each position, [batch × steps] (targets as objective.ts stepTargets
   * gives them; 0 where a target is -1): code lengths in nats.
   */
  positionLosses(batch: Batch, targets: Int32Array): Float64Array {
    const native = this.nativeWhole();
    if (native?.positionLosses) return native.positionLosses(this.weightArrays(), batch, targets);
    const logProbs = this.logProbsPositions(batch);
    const K = this.info.architecture.numClasses;
    return Float64Array.from(targets, (k, i) => (k < 0 ? 0 : -logProbs[i * K + k]!));
  }

  /** Per-position models: the log-softmax at each position, [batch × steps × numClasses] (code lengths). */
  logProbsPositions(batch: Batch): Float32Array {
    const native = this.nativeWhole();
    if (native?.logProbs) return native.logProbs(this.weightArrays(), batch);
    return readTidy(() => tf.logSoftmax(this.run(batch).logits));
  }

  /** Inference forward pass; the caller owns (tidies) the tensors. */
  run(batch: Batch, laps: 1 | 2 = 1, more: Partial<ForwardOptions> = {}): ForwardResult {
    const { x, mask, ...context } = batchTensors(batch);
    return forward(this.info.architecture, this.params, x, mask, { core: this.core, training: false, laps, ...context, ...more });
  }

  packWeights(): PackedTensors {
    return packTensors([...this.params].map(([name, tensor]) => ({ name, tensor })));
  }

  dispose(): void {
    disposeParameters(this.params);
    for (const other of this.others) other.dispose();
  }
}

export interface BatchTensors {
  x: tf.Tensor3D;
  mask?: tf.Tensor2D;
  conditions?: tf.Tensor1D;
  covariates?: tf.Tensor2D;
}

export function batchTensors(batch: Batch): BatchTensors {
  const out: BatchTensors = { x: tf.tensor3d(batch.x, [batch.batch, batch.steps, batch.channels]) };
  if (batch.mask) out.mask = tf.tensor2d(batch.mask, [batch.batch, batch.steps]);
  if (batch.conditions) out.conditions = tf.tensor1d(batch.conditions, 'int32');
  if (batch.covariates) out.covariates = tf.tensor2d(batch.covariates, [batch.batch, batch.covariates.length / batch.batch]);
  return out;
}
