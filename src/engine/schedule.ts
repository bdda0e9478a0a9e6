import * as tf from '@tensorflow/tfjs-core';
import type { Parameters } from './model.js';

export type LearningRateSchedule = 'plateau' | 'cosine';
export const LEARNING_RATE_SCHEDULES: readonly LearningRateSchedule[] = ['plateau', 'cosine'];

/** The cosine schedule ends at this fraction of the peak rate rather than 0, so the last epochs still move. */
const COSINE_FLOOR = 1 / 64;

/**
 * The learning rate of optimisation step `step` (0-based) under the cosine schedule: linear warm-up over the first
 * warmupEpochs (default 1), then a half cosine from the peak down to COSINE_FLOOR of it at the end of the budget.
 * A pure function of the step, so a resumed run repeats the rates of an uninterrupted one (with the same --epochs).
 */
export function scheduledRate(
  config: { learningRate: number; epochs: number; warmupEpochs?: number },
  step: number,
  stepsPerEpoch: number,
): number {
  const peak = config.learningRate;
  const total = Math.max(1, config.epochs * stepsPerEpoch);
  const warmup = Math.min(total - 1, Math.round((config.warmupEpochs ?? 1) * stepsPerEpoch));
  if (step < warmup) return (peak * (step + 1)) / (warmup + 1);
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup - 1));
  const floor = peak * COSINE_FLOOR;
  return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** What AdamW decays: weight matrices. Biases and learned initial states are not pulled toward zero. */
export function decayedParameters(params: Parameters): tf.Variable[] {
  return [...params].filter(([name]) => !name.startsWith('init.') && /(kernel|recurrent|vector)$/.test(name)).map(([, v]) => v);
}

/**
 * An exponential moving average of the weights (Polyak averaging). Early on the decay is min(decay, (1+t)/(10+t))
 * (TensorFlow's num_updates rule), so the average is not dominated by the random initial weights.
 * swapIn puts the average into the model's variables (for validation and checkpoints) and keeps the raw weights
 * aside; swapOut puts them back for the next step.
 */
export class WeightAverage {
  private shadow: tf.Tensor[];
  private raw: tf.Tensor[] | undefined;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly decay: number,
  ) {
    this.shadow = variables.map((v) => tf.keep(v.clone()));
  }

  update(step: number): void {
    const d = Math.min(this.decay, (1 + step) / (10 + step));
    const next = tf.tidy(() => this.variables.map((v, i) => tf.keep(tf.add(tf.mul(this.shadow[i]!, d), tf.mul(v, 1 - d)))));
    tf.dispose(this.shadow);
    this.shadow = next;
  }

  swapIn(): void {
    this.raw = this.variables.map((v) => tf.keep(v.clone()));
    this.variables.forEach((v, i) => v.assign(this.shadow[i]!));
  }

  swapOut(): void {
    if (!this.raw) return;
    this.variables.forEach((v, i) => v.assign(this.raw![i]!));
    tf.dispose(this.raw);
    this.raw = undefined;
  }

  /** While swapped in: the raw weights, which a resumed run continues from (see resumeFrom). */
  rawWeights(): Array<{ name: string; tensor: tf.Tensor }> {
    if (!this.raw) throw new Error('weight average: raw weights are only saved while the average is swapped in');
    return this.raw.map((tensor, i) => ({ name: `raw.${i}`, tensor }));
  }

  /** The model was loaded from a checkpoint holding the average; `raw` are the weights training continues from. */
  resumeFrom(raw: tf.Tensor[]): void {
    if (raw.length !== this.variables.length)
      throw new Error(`weight average: ${raw.length} saved raw weights for ${this.variables.length} parameters`);
    tf.dispose(this.shadow);
    this.shadow = this.variables.map((v) => tf.keep(v.clone()));
    this.variables.forEach((v, i) => v.assign(raw[i]!));
  }

  dispose(): void {
    this.swapOut();
    tf.dispose(this.shadow);
  }
}
