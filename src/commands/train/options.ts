/** The options of `rnnseq train`, as its definition (command.ts) parses them and run.ts wires them. */
import type { Architecture } from '../../engine/architecture.js';
import type { BaselineRun } from '../../engine/baseline-check.js';
import type { FoldedFit } from '../../engine/cross-validated-choices.js';
import type { TrainConfig } from '../../engine/trainer.js';
import type { AlphabetName } from '../../seq/alphabet.js';
import type { GenomeTrainingPlan } from '../../seq/genome-training.js';
import type { GroupRule, GroupSource } from '../../seq/groups.js';
import type { SequenceGroup } from '../../seq/read-groups.js';
import type { TagTrainingPlan } from '../../seq/tag-training.js';
import type { RegressionLoss, Task } from '../../seq/task.js';
import type { RuntimeOptions } from '../shared/runtime.js';
import type { DataChoices } from './recipe.js';

export interface TrainOptions extends RuntimeOptions {
  inputs: string[];
  out: string;
  classFiles: Array<{ name: string; file: string }>;
  labelTag: string;
  alphabet: AlphabetName | 'auto';
  length: number | null;
  task: Task;
  architecture: Pick<
    Architecture,
    | 'cell'
    | 'hiddenSize'
    | 'layers'
    | 'bidirectional'
    | 'dropout'
    | 'pool'
    | 'bounded'
    | 'conv'
    | 'embedDim'
    | 'conditionSteps'
    | 'conditionHead'
  >;
  /** regress: the header tag holding the target, unless a --targets table is given */
  targetTag: string;
  targetsFile?: string;
  loss: RegressionLoss;
  /** lm: groups and windows */
  lm?: LmOptions;
  conditionTag?: string;
  covariatesFile?: string;
  /** --rc-augment given: reverse complements from the start (the recipe may also choose them, see choices) */
  rcAugment: boolean;
  /** --composition K: the head also reads k-mer frequencies for k = 1..K (engine/composition.ts); absent: off */
  compositionK?: number;
  /** settings the default recipe decides once the data is read (recipe.ts) */
  choices: DataChoices;
  config: TrainConfig;
  valid?: string;
  validFraction: number;
  resume: boolean;
  /** fit the k-mer linear baseline beside a classifier (--no-baseline: skip it) */
  baseline: boolean;
  command: string;
  /** train a scanner from a genome and BED files instead of labelled FASTA */
  genome?: GenomeTrainOptions;
  /** train a tagger (--task tag) from a genome and a BED of labelled regions */
  tag?: TagTrainOptions;
  /** fixed-length classifiers: background windows scored for the null distribution (0 or absent: none) */
  nullWindows?: number;
  /** fixed-length two-class DNA/RNA classifiers: shuffles of the smaller class labelled background (decoys.ts; absent: none) */
  decoys?: 'auto' | number;
  /**
   * --ensemble N: N members trained with seeds seed .. seed+N-1 on one split, averaged (ensemble.ts); 'auto': the
   * recipe decides from the training set's size (ensemble.ts ensembleSize). member: this run trains that member
   * only (--member K, or the main run training its members); absent: the main run.
   */
  ensemble: { count: number | 'auto'; member?: number };
  /** the validation split's seed when it differs from config.seed (an ensemble's members share the first's split) */
  splitSeed?: number;
  /**
   * What a run computed from its data and split before training, handed to its k-mer branch candidate (run.ts
   * branchCandidate), which reads the same data with the same split: it would fit the same values again.
   */
  reuse?: DataFits;
  /** this run is a refit (refit.ts): validation sequences trained on too, the held-out run's schedule up to its epoch */
  refit?: RefitPlan;
}

/** What a refit run repeats of the held-out run: its schedule's length and the epoch it stops after. */
export interface RefitPlan {
  epochs: number;
  stopAfter: number;
}

/** The k-mer model's fits a run's recipe rests on (run.ts). */
export interface DataFits {
  /** small data: features, penalty and the recipe's data facts from cross-validation */
  crossValidated: { facts: { baselineStrands: string; positional?: boolean }; baseline: FoldedFit } | undefined;
  /** the baseline on the validation split */
  baselineRun: BaselineRun | undefined;
  /**
   * the recipe's data facts (the cross-validated ones, or the position test's); undefined where the run was
   * resumed (its choices came from its checkpoint), and the candidate then tests for itself
   */
  positionFact: { positional?: boolean } | undefined;
}

/** train --genome: a scanner's windows, and the files they come from. */
export interface GenomeTrainOptions extends GenomeTrainingPlan {
  genome: string;
  positives: string;
  negatives?: string;
  /** --exclude BED files: no window touches their intervals (added to excludeRegions once the genome is open) */
  excludeBeds: string[];
  positiveClass: string;
  negativeClass: string;
  /** the default `scan --extent` written into the scanner */
  extent: 'window' | 'core';
  /** background windows scored for the null distribution (0: none) */
  nullWindows: number;
}

/** train --task tag: a tagger's windows, and the files they come from. */
export interface TagTrainOptions extends TagTrainingPlan {
  genome: string;
  /** BED of the regions whose bases are the positive class */
  labels: string;
  /** --exclude BED files, as for a scanner */
  excludeBeds: string[];
}

/** train --task lm (and phylo --train): language-model data. */
export interface LmOptions {
  sources: GroupSource[];
  rule: GroupRule;
  windowBp: number;
  windowsPerEpoch: number;
  /** groups already read (phylo --train), instead of sources */
  preloaded?: { groups: SequenceGroup[]; alphabet: AlphabetName };
}

/** The model-quality options (issue 14): absent flags leave the architecture and config exactly as before. */
export interface Recipe {
  architecture: Pick<Architecture, 'conv' | 'embedDim'>;
  config: Pick<TrainConfig, 'lrSchedule' | 'warmupEpochs' | 'weightDecay' | 'ema'>;
}
