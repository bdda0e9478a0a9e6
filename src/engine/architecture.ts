import type { RegressionSpec, Task } from '../seq/task.js';
import { CELL_TYPES, type CellType } from './cells.js';

export const POOLINGS = ['last', 'mean', 'max'] as const;
export type Pooling = (typeof POOLINGS)[number];

export { TASKS } from '../seq/task.js';
export type { RegressionLoss, RegressionSpec, Task } from '../seq/task.js';

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
