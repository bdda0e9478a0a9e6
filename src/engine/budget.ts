import type { TrainConfig } from './trainer.js';

/**
 * `--epochs auto`: a budget of optimisation steps rather than epochs, because a small training set gives few
 * steps per epoch and so needs many more epochs to learn (the planted-motif task needs ~60 epochs of 720
 * sequences, while 8,000 sequences are learned in 20). Patience is a twelfth of the epochs, at least 5: on the quick
 * quality tier (4 tasks x 3 seeds) it changed 4 of 12 points against a quarter (at least 10), by -0.007 to +0.033,
 * and trained in 48-57% of the time (most runs find their best epoch early and then only overfit). An explicit
 * --patience wins.
 */
export const AUTO_TARGET_STEPS = 1500;
export const AUTO_MIN_EPOCHS = 20;
export const AUTO_MAX_EPOCHS = 150;
export const AUTO_MIN_PATIENCE = 5;

export function autoEpochs(trainItems: number, batchSize: number): { epochs: number; patience: number } {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainItems / batchSize));
  const epochs = Math.min(AUTO_MAX_EPOCHS, Math.max(AUTO_MIN_EPOCHS, Math.ceil(AUTO_TARGET_STEPS / stepsPerEpoch)));
  return { epochs, patience: Math.max(AUTO_MIN_PATIENCE, Math.ceil(epochs / 12)) };
}

/** The config a run trains with: `budget: 'auto'` resolved against the training set's size. */
export function resolveBudget(config: TrainConfig, trainItems: number): TrainConfig {
  if (config.budget !== 'auto') return config;
  const auto = autoEpochs(trainItems, config.batchSize);
  return { ...config, epochs: auto.epochs, patience: config.patienceGiven ? config.patience : auto.patience };
}
