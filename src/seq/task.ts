/**
 * What a model is trained to predict, which decides how its data is labelled. classify: one class per sequence;
 * regress: one number per sequence; lm: the next symbol at every position (the head's classes are the alphabet's
 * channels); tag: one class per position.
 */
export const TASKS = ['classify', 'regress', 'lm', 'tag'] as const;
export type Task = (typeof TASKS)[number];

export const REGRESSION_LOSSES = ['mse', 'huber'] as const;
export type RegressionLoss = (typeof REGRESSION_LOSSES)[number];

/** Regression targets are standardised for training; predictions are mapped back with the same numbers. */
export interface RegressionSpec {
  loss: RegressionLoss;
  mean: number;
  std: number;
}
