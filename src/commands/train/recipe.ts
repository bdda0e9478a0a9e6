/**
 * The default recipe (issue 14): what `rnnseq train` does with data and no tuning flags. Two layers:
 *
 * - Flag defaults. A classifier or regressor gets a convolutional front-end, a bidirectional LSTM, max pooling, a
 *   step budget (--epochs auto), a warmed-up cosine learning rate from 0.01, AdamW weight decay and a weight
 *   average; `--plain` (and the language-model and tagger tasks) keep the old, plain defaults, so speed can be
 *   compared with a plain script and old command lines train what they always trained.
 * - Choices made from the data once it is read (run.ts): a per-position bias when every sequence has one length,
 *   the front-end's pooling so the recurrent layer still reads ~16 steps, an embedding for protein, and (DNA)
 *   reverse-complement augmentation when the k-mer baseline, fitted first, prefers strand-merged k-mers. On small
 *   data the strand and position answers (and the baseline's own features and penalty)
 *   come from cross-validating the k-mer model over every labelled sequence (engine/cross-validated-choices.ts);
 *   equal-length input also offers the baseline features counted at each position.
 * - Further candidates when that baseline beats the trained model on validation (on small data: or ties it):
 *   for protein under the max pooling chosen here, the same recipe with mean pooling; then, still behind, with a
 *   k-mer branch started from the baseline's fit; the best on validation becomes best/ (candidates.ts).
 * - Small data (under 1,000 labelled sequences and 250,000 residues, on the step budget): an ensemble of 3 and
 *   weight decay 1 (DNA or RNA under 200 sequences: 3; ensemble.ts).
 *
 * Every choice is a flag a user can set either way; a flag given on the command line always wins.
 */
import type { ConvSpec } from '../../engine/architecture.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import type { Task } from '../../seq/task.js';

/** The flags whose defaults differ between the recipe and --plain, as commander hands them over (unset: undefined). */
export interface RecipeDefaultedFlags {
  pool?: 'last' | 'mean' | 'max' | 'attention';
  epochs?: string;
  lr?: string;
  lrSchedule?: 'plateau' | 'cosine';
  weightDecay?: string;
  ema?: string;
  conv?: boolean;
  bidirectional?: boolean;
}

type Defaults = Required<Omit<RecipeDefaultedFlags, 'bidirectional'>> & { bidirectional: boolean };

/** The default recipe, chosen on the whole quality suite (bench/quality), never on one task. */
export const RECIPE_DEFAULTS: Readonly<Defaults> = {
  pool: 'max',
  epochs: 'auto',
  lr: '0.01',
  lrSchedule: 'cosine',
  weightDecay: '0.01',
  ema: '0.99',
  conv: true,
  bidirectional: true,
};

/** What `--plain` trains, and the language-model and tagger tasks by default: the flags' original defaults. */
export const PLAIN_DEFAULTS: Readonly<Defaults> = {
  pool: 'mean',
  epochs: '20',
  lr: '0.003',
  lrSchedule: 'plateau',
  weightDecay: '0',
  ema: '0',
  conv: false,
  bidirectional: false,
};

/** Does this run get the recipe? Classifiers and regressors do unless --plain; a language model and a tagger never. */
export function usesRecipe(task: Task, plain: boolean): boolean {
  return !plain && (task === 'classify' || task === 'regress');
}

/** The flags with every unset recipe flag filled in. A tagger stays bidirectional unless told otherwise. */
export function withDefaults<T extends RecipeDefaultedFlags>(raw: T, task: Task, plain: boolean): T & Defaults {
  const defaults = usesRecipe(task, plain) ? RECIPE_DEFAULTS : PLAIN_DEFAULTS;
  const bidirectional = raw.bidirectional ?? (task === 'tag' || defaults.bidirectional);
  return {
    ...raw,
    pool: raw.pool ?? defaults.pool,
    epochs: raw.epochs ?? defaults.epochs,
    lr: raw.lr ?? defaults.lr,
    lrSchedule: raw.lrSchedule ?? defaults.lrSchedule,
    weightDecay: raw.weightDecay ?? defaults.weightDecay,
    ema: raw.ema ?? defaults.ema,
    conv: raw.conv ?? defaults.conv,
    bidirectional,
  };
}

/** Settings decided once the training data is read; 'auto' = the recipe decides, a boolean or number = the user did. */
export interface DataChoices {
  positionBias: boolean | 'auto';
  /** the head also reads the front-end's own max over positions */
  convSkip: boolean | 'auto';
  rcAugment: boolean | 'auto';
  /** the recipe put the front-end there (no --conv given): it leaves it out for very short sequences */
  convAuto: boolean;
  /** the front-end's pooling follows the sequence length (no --conv-pool given) */
  convPoolAuto: boolean;
  /** protein gets an embedding (no --embed-dim given) */
  embedDimAuto: boolean;
  /**
   * a k-mer branch started from the baseline's fit (engine/kmer-branch.ts); 'auto': a second candidate, trained
   * when the baseline beats the first model on validation (run.ts)
   */
  kmerBranch: boolean | 'auto';
  /** no --weight-decay given: the recipe may raise it for small data (run.ts, ensemble.ts smallDataWeightDecay) */
  weightDecayAuto: boolean;
  /** no --pool given: a protein model behind the baseline gets a mean-pooled candidate (candidates.ts) */
  poolAuto: boolean;
  /** small data: a kept model with a k-mer branch is trained again on every labelled sequence (refit.ts); --no-refit, --plain: never */
  refit: boolean;
}

/** The user's data-dependent flags, with 'auto' where the recipe may decide and --plain's fixed answers otherwise. */
export function dataChoices(
  raw: {
    conv?: boolean;
    positionBias?: boolean;
    convSkip?: boolean;
    rcAugment?: boolean;
    convPool?: string;
    embedDim?: string;
    kmerBranch?: boolean;
    weightDecay?: string;
    pool?: string;
    refit?: boolean;
  },
  recipe: boolean,
): DataChoices {
  return {
    positionBias: raw.positionBias ?? (recipe ? 'auto' : false),
    convSkip: raw.convSkip ?? (recipe ? 'auto' : false),
    rcAugment: raw.rcAugment ?? (recipe ? 'auto' : false),
    convAuto: recipe && raw.conv === undefined,
    convPoolAuto: recipe && raw.convPool === undefined,
    embedDimAuto: recipe && raw.embedDim === undefined,
    kmerBranch: raw.kmerBranch ?? (recipe ? 'auto' : false),
    weightDecayAuto: recipe && raw.weightDecay === undefined,
    poolAuto: recipe && raw.pool === undefined,
    refit: recipe && raw.refit !== false,
  };
}

/** What the data says, measured on the training (and validation) items before the model is built. */
export interface DataFacts {
  alphabet: 'dna' | 'rna' | 'protein';
  /** the model's fixed input length (--length, or a scanner's window), or null */
  inputLength: number | null;
  /** the length every training and validation sequence shares, or null when they differ */
  commonLength: number | null;
  medianLength: number;
  /** the k-mer baseline's validation-chosen strand handling, when one was fitted */
  baselineStrands?: string;
  /** the strands are already decided: --rc-augment, or a scanner's or tagger's own --rc / --no-rc */
  strandsDecided: boolean;
  /** a scanner (train --genome): scan slides its windows, so an element may sit anywhere in one */
  scanner?: boolean;
  /** k-mers counted per third of the sequence fit validation better than over the whole (positional-kmers.ts) */
  positional?: boolean;
}

export interface ResolvedChoices {
  conv?: ConvSpec;
  embedDim?: number;
  inputLength: number | null;
  rcAugment: boolean;
  /** one phrase per decision, for the log and rnnseq.json */
  reasons: string[];
}

/** The recurrent layer should read at least this many steps, so the front-end pools no more than length / 16. */
const MIN_RECURRENT_STEPS = 16;
/** A per-position bias table is positions × filters floats: past this length it is more parameters than signal. */
export const MAX_POSITION_BIAS = 2000;
/** Protein one-hot (20+ channels) is projected to this many before the convolution. */
const PROTEIN_EMBED_DIM = 16;

/** Resolves every 'auto' choice against the data; explicit choices are checked and kept. */
export function resolveDataChoices(
  choices: DataChoices,
  conv: ConvSpec | undefined,
  embedDim: number | undefined,
  facts: DataFacts,
): ResolvedChoices {
  const reasons: string[] = [];
  let inputLength = facts.inputLength;
  let resolvedConv = conv ? { ...conv } : undefined;
  const fixed = facts.inputLength ?? facts.commonLength;
  // Sequences shorter than two filters: each filter would see most of a sequence at once, and the recurrent layer
  // reads them whole anyway (coiled-coil peptides of 11-15 residues: 0.707 without the front-end, 0.617 with it).
  if (resolvedConv && choices.convAuto && facts.medianLength < 2 * resolvedConv.width) {
    resolvedConv = undefined;
    reasons.push(`no convolutional front-end (median length ${facts.medianLength} is under two filter widths)`);
  }

  if (resolvedConv && choices.convPoolAuto) {
    const pool = Math.max(1, Math.min(resolvedConv.pool, Math.floor(facts.medianLength / MIN_RECURRENT_STEPS)));
    if (pool !== resolvedConv.pool) reasons.push(`front-end pools ${pool} positions (median length ${facts.medianLength})`);
    resolvedConv = { ...resolvedConv, pool };
  }
  if (choices.positionBias === true) {
    if (!resolvedConv) throw new RnnseqError('--position-bias is part of the convolutional front-end: drop --no-conv', EXIT_USAGE);
    if (fixed === null)
      throw new RnnseqError('--position-bias needs one input length: give --length or sequences of equal length', EXIT_USAGE);
  }
  // Equal-length classifier input: the recipe fixes the input length (scan --class needs it), and adds a bias per
  // position unless the position test found no positional signal.
  const shared =
    resolvedConv !== undefined && fixed !== null && choices.positionBias === 'auto' && fixed <= MAX_POSITION_BIAS && !facts.scanner;
  const positionBias =
    (resolvedConv !== undefined && fixed !== null && choices.positionBias === true) || (shared && facts.positional !== false);
  if (shared && !positionBias)
    reasons.push(
      `no bias per position (k-mers counted per third of the sequence fit no better than over the whole; input length ${fixed})`,
    );
  if (positionBias && resolvedConv) {
    resolvedConv = { ...resolvedConv, positions: fixed! };
    if (choices.positionBias === 'auto') reasons.push(`a learned bias per position (every sequence is ${fixed} long)`);
  }
  if ((shared || positionBias) && inputLength === null) inputLength = fixed;
  if (choices.convSkip === true && !resolvedConv)
    throw new RnnseqError('--conv-skip is part of the convolutional front-end: drop --no-conv', EXIT_USAGE);
  if (choices.convSkip && resolvedConv) resolvedConv = { ...resolvedConv, skip: true };

  let resolvedEmbed = embedDim;
  if (choices.embedDimAuto && facts.alphabet === 'protein' && resolvedConv) {
    resolvedEmbed = PROTEIN_EMBED_DIM;
    reasons.push(`protein embedded in ${PROTEIN_EMBED_DIM} dimensions`);
  }

  let rcAugment = choices.rcAugment === true;
  // DNA only: RNA is one strand (a transcript, a CLIP site), and its reverse complement is another molecule.
  if (choices.rcAugment === 'auto' && facts.alphabet === 'dna' && !facts.strandsDecided) {
    rcAugment = facts.baselineStrands === 'canonical';
    if (rcAugment) reasons.push('reverse complements too (the k-mer baseline prefers strand-merged k-mers)');
  }
  return {
    ...(resolvedConv ? { conv: resolvedConv } : {}),
    ...(resolvedEmbed !== undefined ? { embedDim: resolvedEmbed } : {}),
    inputLength,
    rcAugment,
    reasons,
  };
}
