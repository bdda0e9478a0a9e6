import type * as tf from '@tensorflow/tfjs-core';
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

/**
 * What AdamW decays: weight matrices. Biases and learned initial states are not pulled toward zero, nor is the k-mer
 * branch (kmer-branch.ts): it starts from the baseline's fit, whose own L2 penalty was chosen on validation, and
 * decaying it again erases that fit (at the small-data decay, protein-remote's branch candidates were best at
 * epoch 1 and the recipe fell from 0.96 to 0.90).
 */
export function decayedParameters(params: Parameters): tf.Variable[] {
  return [...params]
    .filter(([name]) => !name.startsWith('init.') && !name.startsWith('kmers.') && /(kernel|recurrent|vector)$/.test(name))
    .map(([, v]) => v);
}
