import type { Alphabet } from './alphabet.js';
import type { EncodedSequence } from './batch.js';
import type { ContextModel } from './context.js';
import type { RegressionSpec, Task } from './task.js';
import type { EpochSampler, TrainingSet } from './training-set.js';

/** The fields of a model's architecture (src/engine/architecture.ts) that its training data decides. */
export interface DataArchitecture extends ContextModel {
  task?: Task;
  regression?: RegressionSpec;
}

/** What a resumed run's checkpoint already fixed; a ModelSpec is one. */
export interface ResumedData {
  alphabet: string;
  classes: string[];
  inputLength: number | null;
  architecture: DataArchitecture;
}

/** Training data ready for the trainer, and what it decides about the model. */
export interface PreparedData {
  alphabet: Alphabet;
  classes: string[];
  inputLength: number | null;
  train: TrainingSet | EpochSampler;
  valid?: TrainingSet;
  validDescription: string;
  sources: string;
  /** architecture fields the data decides: task, regression scaling, conditions, covariates */
  architecture: DataArchitecture;
  /** goes into the checkpoint's data summary */
  summary: Record<string, unknown>;
  /** training items per epoch, for the progress bar */
  trainItems: number;
}

export function lengthRange(items: readonly EncodedSequence[]): [number, number] {
  let min = Infinity;
  let max = 0;
  for (const item of items) {
    min = Math.min(min, item.length);
    max = Math.max(max, item.length);
  }
  return [min, max];
}
