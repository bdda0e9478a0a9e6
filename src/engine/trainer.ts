import './gradients.js';
import { tf } from './tf.js';
import { packBatch } from '../seq/batch.js';
import { EXIT_RUNTIME, EXIT_USAGE, RnnseqError } from '../errors.js';
import { taskOf } from './architecture.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { sequencesPerPass, trainingBytesPerToken } from './memory.js';
import { accuracy } from './metrics.js';
import { forward } from './model.js';
import { batchLoss, sliceTargets, stepTargets } from './objective.js';
import type { EpochSampler, TrainingSet } from '../seq/training-set.js';
import { Random } from '../seq/random.js';
import type { WholeStep } from './core.js';
import { FusedAdamW, type NamedTensor } from './fused-adamw.js';

export type { NamedTensor } from './fused-adamw.js';
import { type LearningRateSchedule, decayedParameters, scheduledRate } from './schedule.js';
import { batchTensors, type SequenceModel } from './sequence-model.js';

export { evaluate, type Evaluation } from './evaluate.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Global gradient-norm clip; 0 turns clipping off. */
  clipNorm: number;
  seed: number;
  /** Stop after this many epochs without a better validation loss; 0 never stops early. */
  patience: number;
  /** Halve the learning rate after this many epochs without improvement; 0 keeps it constant. plateau schedule only. */
  lrPatience?: number;
  /** absent: plateau (halving on lrPatience); cosine: linear warm-up then cosine decay over the epoch budget */
  lrSchedule?: LearningRateSchedule;
  /** cosine: epochs of linear warm-up from 0 (may be fractional); absent: 1 */
  warmupEpochs?: number;
  /** decoupled weight decay (AdamW) per unit learning rate, on weight matrices only; absent or 0: none */
  weightDecay?: number;
  /** decay of an exponential moving average of the weights, used to validate and saved; absent or 0: none */
  ema?: number;
  /** auto: epochs and patience were (or are to be) chosen from the training-set size (budget.ts) */
  budget?: 'auto';
  /**
   * Stop after this epoch of the schedule over `epochs` (a refit repeats a held-out run's schedule up to the epoch
   * that run chose, train/refit.ts); absent: train every epoch the schedule and patience allow.
   */
  stopAfter?: number;
  /** with budget auto: the user set --patience, so the budget keeps it instead of choosing one */
  patienceGiven?: boolean;
  /**
   * Memory budget for one backward pass. A batch whose stored activations would exceed it is trained as
   * gradient-accumulated micro-batches; a single sequence that exceeds it is an error naming the fix.
   */
  maxMemoryBytes?: number;
  /**
   * false: every step through TensorFlow.js (forward + tf.variableGrads), even where the core has a native whole
   * step for the architecture (native-step.ts). The two agree to float rounding; this is for comparing them.
   */
  nativeStep?: boolean;
}

/** The last epoch a run may train: the schedule's end, or its stopAfter. */
export function lastEpoch(config: Pick<TrainConfig, 'epochs' | 'stopAfter'>): number {
  return Math.min(config.epochs, config.stopAfter ?? config.epochs);
}

/** The learning rate never drops below this fraction of the starting one. */
const MIN_LR_FRACTION = 1 / 64;

export interface EpochReport {
  epoch: number; // 1-based
  trainLoss: number;
  trainAccuracy: number;
  validLoss: number;
  validAccuracy: number;
  validAuroc: number;
  /** task-specific validation numbers (bits per base, Pearson, ...): see Evaluation.extra */
  validExtra?: Record<string, number>;
  seconds: number;
  tokensPerSecond: number;
  improved: boolean;
  learningRate: number; // the rate this epoch trained with
}

/** Where a run stands between epochs: enough, with the weights and optimiser state, to resume it exactly. */
export interface TrainerState {
  epochsDone: number;
  bestLoss: number;
  bestEpoch: number;
  epochsWithoutImprovement: number;
  /** Current learning rate (changed by the plateau schedule); absent in runs saved before it existed. */
  learningRate?: number;
  /** Adam's running beta1^t and beta2^t, saved exactly: see FusedAdamW.restore. */
  adamPowers?: [number, number];
  /** optimisation steps taken (the cosine schedule and the weight average count them); absent before they existed */
  steps?: number;
  history: EpochReport[];
}

export interface TrainerHooks {
  onBatch?(done: number, total: number, loss: number): void;
  /** Called after every epoch; resolves once the caller has saved what it wants. */
  onEpoch?(report: EpochReport, state: TrainerState, optimizerState: () => Promise<NamedTensor[]>, validation?: Evaluation): Promise<void>;
  signal?: AbortSignal;
}

export function freshState(): TrainerState {
  return { epochsDone: 0, bestLoss: Infinity, bestEpoch: 0, epochsWithoutImprovement: 0, history: [] };
}

/**
 * Adam with global-norm clipping and early stopping on validation loss. Each epoch's shuffle and dropout draw
 * from a generator seeded by (seed, epoch), so a resumed run repeats exactly what the uninterrupted run would do.
 */
export async function trainModel(
  model: SequenceModel,
  train: TrainingSet | EpochSampler,
  valid: TrainingSet | undefined,
  config: TrainConfig,
  hooks: TrainerHooks = {},
  resume?: { state: TrainerState; optimizer: NamedTensor[] },
): Promise<TrainerState> {
  const state = resume ? structuredClone(resume.state) : freshState();
  state.learningRate ??= config.learningRate;
  state.steps ??= 0;
  const variables = [...model.params.values()];
  // With a weight average, checkpoints hold the averaged weights; the raw ones travel after Adam's state.
  const optimizer = new FusedAdamW(variables, {
    learningRate: state.learningRate,
    clipNorm: config.clipNorm,
    ...(config.weightDecay ? { weightDecay: config.weightDecay, decayed: new Set(decayedParameters(model.params)) } : {}),
    ...(config.ema ? { ema: config.ema } : {}),
    ...(model.core.optimizerKernels ? { kernels: model.core.optimizerKernels } : {}),
  });
  if (resume && resume.optimizer.length > 0) optimizer.restore(resume.optimizer, state.adamPowers);
  const savedState = async (): Promise<NamedTensor[]> => optimizer.state();
  const wholeStep = config.nativeStep === false ? undefined : model.core.wholeStep?.(model.info.architecture);
  const numClasses = model.info.classes.length;
  const classifier = taskOf(model.info.architecture) === 'classify';

  try {
    for (let epoch = state.epochsDone + 1; epoch <= lastEpoch(config); epoch++) {
      if (hooks.signal?.aborted) break;
      // Checked before an epoch, not after: a resumed run that had already stopped early must not train another.
      if (config.patience > 0 && state.epochsWithoutImprovement >= config.patience) break;
      const started = performance.now();
      const random = new Random(config.seed * 1000003 + epoch);
      const set = 'sample' in train ? train.sample(epoch, random) : train;
      const order = random.shuffle(Array.from({ length: set.items.length }, (_, i) => i));
      const batches = Math.ceil(order.length / config.batchSize);
      const epochRate = config.lrSchedule === 'cosine' ? scheduledRate(config, state.steps, batches) : state.learningRate;
      let lossSum = 0;
      let tokens = 0;
      const trainProbs = new Float32Array(classifier ? order.length * numClasses : 0);
      const trainLabels = new Int32Array(classifier ? order.length : 0);

      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) break;
        const rows = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
        if (config.lrSchedule === 'cosine') {
          state.learningRate = scheduledRate(config, state.steps, batches);
          optimizer.learningRate = state.learningRate;
        }
        const step = trainStep(model, optimizer, wholeStep, set, rows, random.seed(), config.maxMemoryBytes, state.steps + 1);
        const { loss, probs, tokens: batchTokens } = step;
        state.steps++;
        if (!Number.isFinite(loss)) {
          throw new RnnseqError(
            `training diverged: loss became ${loss} in epoch ${epoch}, batch ${b + 1}; lower --lr or --clip-norm (the last good checkpoint is kept)`,
            EXIT_RUNTIME,
          );
        }
        lossSum += loss * rows.length;
        if (classifier) {
          trainProbs.set(probs!, b * config.batchSize * numClasses);
          trainLabels.set(
            rows.map((i) => set.labels![i]!),
            b * config.batchSize,
          );
        }
        tokens += batchTokens;
        hooks.onBatch?.(b + 1, batches, loss);
      }
      if (hooks.signal?.aborted) break;

      // Validation and the checkpoints written in onEpoch see the averaged weights; training resumes from the raw.
      optimizer.swapIn();
      const evaluation = valid && valid.items.length > 0 ? evaluate(model, valid, config.batchSize) : undefined;
      const trainLoss = lossSum / order.length;
      const monitored = evaluation ? evaluation.loss : trainLoss;
      const improved = monitored < state.bestLoss;
      const seconds = (performance.now() - started) / 1000;
      const report: EpochReport = {
        epoch,
        trainLoss,
        trainAccuracy: classifier ? accuracy(trainProbs, numClasses, trainLabels) : NaN,
        validLoss: evaluation?.loss ?? NaN,
        validAccuracy: evaluation?.accuracy ?? NaN,
        validAuroc: evaluation?.auroc ?? NaN,
        ...(evaluation && Object.keys(evaluation.extra).length > 0 ? { validExtra: evaluation.extra } : {}),
        seconds,
        tokensPerSecond: tokens / seconds,
        improved,
        learningRate: epochRate,
      };
      state.epochsDone = epoch;
      state.history.push(report);
      if (improved) {
        state.bestLoss = monitored;
        state.bestEpoch = epoch;
        state.epochsWithoutImprovement = 0;
      } else {
        state.epochsWithoutImprovement++;
        const lrPatience = config.lrSchedule === 'cosine' ? 0 : (config.lrPatience ?? 0);
        if (lrPatience > 0 && state.epochsWithoutImprovement % lrPatience === 0) {
          state.learningRate = Math.max(state.learningRate / 2, config.learningRate * MIN_LR_FRACTION);
          optimizer.learningRate = state.learningRate;
        }
      }
      state.adamPowers = optimizer.powers;
      try {
        await hooks.onEpoch?.(report, state, savedState, evaluation);
      } finally {
        optimizer.swapOut();
      }
    }
  } finally {
    optimizer.swapOut();
  }
  return state;
}

function trainStep(
  model: SequenceModel,
  optimizer: FusedAdamW,
  wholeStep: WholeStep | undefined,
  set: TrainingSet,
  rows: number[],
  dropoutSeed: number,
  maxMemoryBytes: number | undefined,
  step: number,
): { loss: number; probs?: Float32Array; tokens: number } {
  const arch = model.info.architecture;
  const items = rows.map((i) => set.items[i]!);
  const steps = items.reduce((m, item) => Math.max(m, item.length), 0);
  const perPass = maxMemoryBytes ? sequencesPerPass(arch, steps, maxMemoryBytes) : items.length;
  if (perPass < 1) {
    const needGb = (trainingBytesPerToken(arch) * steps) / 2 ** 30;
    throw new RnnseqError(
      `a ${steps}-step sequence needs about ${needGb.toFixed(1)} GB to backpropagate through, over the --max-memory budget of ` +
        `${(maxMemoryBytes! / 2 ** 30).toFixed(1)} GB; crop inputs with --length, use a smaller --hidden, or raise --max-memory`,
      EXIT_USAGE,
    );
  }
  if (wholeStep) return nativeStep(model, optimizer, wholeStep, set, rows, dropoutSeed, perPass, step);
  const variables = [...model.params.values()];
  const classifier = taskOf(arch) === 'classify';
  const numClasses = model.info.classes.length;
  const probs = classifier ? new Float32Array(items.length * numClasses) : undefined;
  let loss = 0;
  let tokens = 0;
  // Gradients of each micro-batch's mean loss, weighted by its share of the batch, add up to the full batch's.
  let sums: tf.Tensor[] | undefined;
  for (let start = 0, part = 0; start < items.length; start += perPass, part++) {
    const slice = items.slice(start, start + perPass);
    const targets = sliceTargets(set, rows.slice(start, start + perPass));
    const batch = packBatch(slice, arch.inputSize);
    const weight = slice.length / items.length;
    tokens += batch.batch * batch.steps;
    const result = tf.tidy(() => {
      const { x, mask, ...context } = batchTensors(batch);
      let partProbs: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = forward(arch, model.params, x, mask, {
          core: model.core,
          training: true,
          dropoutSeed: dropoutSeed + part,
          ...context,
        });
        if (classifier) partProbs = tf.keep(tf.softmax(logits)); // variableGrads disposes its intermediates; these are read after
        return batchLoss(arch, logits, batch, slice, targets);
      }, variables);
      const weighted = variables.map((v) => (weight === 1 ? grads[v.name]! : tf.mul(grads[v.name]!, weight)));
      const next = sums ? weighted.map((g, i) => tf.add(sums![i]!, g)) : weighted;
      return { loss: value.dataSync()[0]! * weight, grads: next.map((g) => tf.keep(g)), probs: partProbs };
    });
    if (sums) tf.dispose(sums);
    sums = result.grads;
    loss += result.loss;
    if (result.probs) {
      probs!.set(result.probs.dataSync() as Float32Array, start * numClasses);
      result.probs.dispose();
    }
  }
  optimizer.apply(sums!, step);
  tf.dispose(sums!);
  optimizer.sync(); // the next forward reads the variables
  return { loss, ...(probs ? { probs } : {}), tokens };
}

/** trainStep through the core's native whole step: weights and gradients stay Float32Arrays (native-step.ts). */
function nativeStep(
  model: SequenceModel,
  optimizer: FusedAdamW,
  wholeStep: WholeStep,
  set: TrainingSet,
  rows: number[],
  dropoutSeed: number,
  perPass: number,
  step: number,
): { loss: number; probs?: Float32Array; tokens: number } {
  const names = [...model.params.keys()];
  const weights = new Map(names.map((name, i) => [name, optimizer.values[i]!]));
  const arch = model.info.architecture;
  const numClasses = model.info.classes.length;
  const probs = taskOf(arch) === 'classify' ? new Float32Array(rows.length * numClasses) : undefined;
  let sums: Float32Array[] | undefined;
  let loss = 0;
  let tokens = 0;
  for (let start = 0, part = 0; start < rows.length; start += perPass, part++) {
    const slice = rows.slice(start, start + perPass);
    const items = slice.map((i) => set.items[i]!);
    const batch = packBatch(items, arch.inputSize);
    const result = wholeStep.run(weights, batch, stepTargets(arch, batch, items, sliceTargets(set, slice)), dropoutSeed + part);
    // As on the tensor path: each micro-batch's mean-loss gradient weighted by its share of the batch.
    const weight = slice.length / rows.length;
    const grads = names.map((name) => {
      const g = result.grads.get(name);
      if (!g) throw new Error(`native training step: no gradient for ${name}`);
      return g;
    });
    if (!sums) sums = weight === 1 ? grads : grads.map((g) => g.map((v) => v * weight));
    else
      sums.forEach((sum, k) => {
        const g = grads[k]!;
        for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + g[i]! * weight;
      });
    loss += result.loss * weight;
    if (probs) probs.set(result.probs!, start * numClasses);
    tokens += batch.batch * batch.steps;
  }
  optimizer.apply(sums!, step);
  return { loss, ...(probs ? { probs } : {}), tokens };
}
