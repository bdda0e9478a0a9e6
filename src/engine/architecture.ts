import { CELL_TYPES, type CellType } from './cells.js';

export type Pooling = 'last' | 'mean' | 'max';
export const POOLINGS: readonly Pooling[] = ['last', 'mean', 'max'];

/**
 * What the head predicts. classify: one class per sequence; regress: one number per sequence; lm: the next symbol
 * at every position (the head's classes are the alphabet's channels); tag: one class per position.
 */
export type Task = 'classify' | 'regress' | 'lm' | 'tag';
export const TASKS: readonly Task[] = ['classify', 'regress', 'lm', 'tag'];

export type RegressionLoss = 'mse' | 'huber';

/** Regression targets are standardised for training; predictions are mapped back with the same numbers. */
export interface RegressionSpec {
  loss: RegressionLoss;
  mean: number;
  std: number;
}

/** Everything needed to rebuild a model's shape; stored verbatim in the checkpoint. */
export interface Architecture {
  cell: CellType;
  inputSize: number; // alphabet channels
  hiddenSize: number;
  layers: number;
  bidirectional: boolean;
  dropout: number; // between recurrent layers and before the head, training only
  pool: Pooling;
  numClasses: number;
  /** absent in checkpoints written before tasks existed: classify */
  task?: Task;
  /** cifg only: the candidate goes through a sigmoid, so the cell state is a moving average held in [0, 1] */
  bounded?: boolean;
  /** a learned initial state per condition (cell type, treatment), in this order */
  conditions?: string[];
  /** the header tag that names a sequence's condition (e.g. cell) */
  conditionTag?: string;
  /** numeric covariates (column names) mapped by a small network to the initial state */
  covariates?: string[];
  /** covariates are standardised with the training set's mean and std before the network sees them */
  covariateScaling?: { mean: number[]; std: number[] };
  regression?: RegressionSpec;
}

export function taskOf(arch: Architecture): Task {
  return arch.task ?? 'classify';
}

/** Tasks whose head reads every position rather than one pooled vector. */
export function isPerPosition(arch: Architecture): boolean {
  const task = taskOf(arch);
  return task === 'lm' || task === 'tag';
}

export function directionsOf(arch: Architecture): Array<'fwd' | 'bwd'> {
  return arch.bidirectional ? ['fwd', 'bwd'] : ['fwd'];
}

/** Width of one layer's output: both directions are concatenated. */
export function layerOutputSize(arch: Architecture): number {
  return arch.hiddenSize * directionsOf(arch).length;
}

/** Units of initial state across the whole stack: layers × directions × hidden. */
export function stateSize(arch: Architecture): number {
  return arch.layers * directionsOf(arch).length * arch.hiddenSize;
}

export function hasInitialStateModel(arch: Architecture): boolean {
  return (arch.conditions?.length ?? 0) > 0 || (arch.covariates?.length ?? 0) > 0;
}

export function isCellType(value: string): value is CellType {
  return (CELL_TYPES as readonly string[]).includes(value);
}
