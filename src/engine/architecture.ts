import type { RegressionSpec, Task } from '../seq/task.js';
import { CELL_TYPES, type CellType } from './cells.js';

/** attention: a learned, masked softmax weighting of the positions (see front-end.ts for its parameters). */
export const POOLINGS = ['last', 'mean', 'max', 'attention'] as const;
export type Pooling = (typeof POOLINGS)[number];

/**
 * A convolutional front-end (DanQ style) between the input and the recurrent stack: filters of `width` positions
 * ('same' padding), ReLU, max-pooled over non-overlapping runs of `pool` positions, dropout while training. The
 * recurrent stack then reads one step per `pool` input positions.
 */
export interface ConvSpec {
  filters: number;
  width: number;
  pool: number;
  dropout: number;
  /** a learned bias per input position and filter, for fixed-length inputs of this many positions; absent: none */
  positions?: number;
  /** the head also reads the front-end's max over positions (a motif-scanner path beside the recurrent one) */
  skip?: boolean;
}

/**
 * The composition branch (composition.ts): the head also reads the frequencies of every k-mer of length 1..k,
 * standardised with the training set's statistics.
 */
export interface CompositionSpec {
  k: number;
  /** reverse complements averaged (DNA read on either strand) */
  canonical: boolean;
  /** each raw feature's mean and standard deviation over the training set */
  mean: number[];
  std: number[];
}

/**
 * The k-mer branch (kmer-branch.ts): a linear term over the k-mer baseline's features (log1p counts of every k-mer,
 * scaled to unit length) added to the head's logits; its kernel is the parameter kmers.kernel.
 */
export interface KmerBranchSpec {
  k: number;
  strands: 'forward' | 'canonical';
  /** counted per bin of the sequence (one bin per position: the baseline's positional features); absent: whole */
  bins?: number;
}

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
  /**
   * The first recurrent layer also reads the condition's one-hot beside its input at every step, not only through
   * the initial state: a motif whose effect depends on the condition then meets the condition where it is read,
   * instead of the state having to carry it there. Absent in checkpoints written before it existed: h0 only.
   */
  conditionSteps?: boolean;
  /**
   * The head adds a per-condition linear term (head.condition.kernel, zero at the start) to the shared one, so a
   * feature may count for one condition and against another: a motif's effect that flips with the condition is
   * then first order per condition, where a shared head sees the effects cancel. Pooled tasks only.
   */
  conditionHead?: boolean;
  /** numeric covariates (column names) mapped by a small network to the initial state */
  covariates?: string[];
  /** covariates are standardised with the training set's mean and std before the network sees them */
  covariateScaling?: { mean: number[]; std: number[] };
  regression?: RegressionSpec;
  /** a learned dense projection (no bias, so padding stays zero) of each one-hot position; absent: none */
  embedDim?: number;
  /** absent: the recurrent stack reads the (embedded) input directly */
  conv?: ConvSpec;
  /** absent: the head reads the pooled recurrent (and skip) features only */
  composition?: CompositionSpec;
  /** absent: no k-mer branch */
  kmers?: KmerBranchSpec;
}

/** Width of what the first recurrent layer reads. */
export function recurrentInputSize(arch: Architecture): number {
  return (arch.conv ? arch.conv.filters : (arch.embedDim ?? arch.inputSize)) + conditionChannels(arch);
}

/** Conditions the head has its own term for (conditionHead): 0 when it has none. */
export function headConditions(arch: Architecture): number {
  return arch.conditionHead && !isPerPosition(arch) ? (arch.conditions?.length ?? 0) : 0;
}

/** Channels the condition adds to every recurrent step (conditionSteps): one per condition value, else none. */
export function conditionChannels(arch: Architecture): number {
  return arch.conditionSteps ? (arch.conditions?.length ?? 0) : 0;
}

/** Input positions per recurrent step: 1 unless a convolutional front-end pools. */
export function positionsPerStep(arch: Architecture): number {
  return arch.conv?.pool ?? 1;
}

/** Recurrent steps for an input of `length` positions. */
export function recurrentSteps(arch: Architecture, length: number): number {
  return Math.ceil(length / positionsPerStep(arch));
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
