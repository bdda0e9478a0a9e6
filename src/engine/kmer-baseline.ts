/**
 * The k-mer linear baseline: the yardstick a recurrent model should beat. Each sequence becomes its k-mer counts,
 * log1p-damped (one repeat should not outweigh many distinct words) and scaled to unit length (so long and short
 * sequences compare), then an L2-regularised softmax regression. k, the strand handling and the penalty are
 * chosen on the validation set; nothing here is random, so the same data give the same baseline.
 *
 * Search space. Nucleotides: k = 1..6, counted per strand as read and with reverse complements merged (binding
 * sites work on either strand, transcripts and splice sites do not: the validation set decides). Protein: k = 1..3
 * exact (20^3 = 8,000 columns); 4-mers (160,000) are nearly all seen once in a few hundred sequences, so neither
 * exact nor hashed 4-mers add a usable signal at the sizes this baseline is for.
 */
import type { Alphabet } from '../seq/alphabet.js';
import type { EncodedSequence } from '../seq/batch.js';
import {
  type KmerSpec,
  type KmerStrands,
  type SparseRows,
  type SymbolCodes,
  symbolCodesOf,
  symbolCodesOfEncoded,
} from '../seq/kmer-counts.js';
import { MAX_KMER_BRANCH_COLUMNS } from './kmer-branch.js';
import { type FeatureSpec, baselineFeatures } from './kmer-features.js';
import { accuracy, multiclassAuroc } from './metrics.js';
import { type SoftmaxModel, fitSoftmaxRegression, meanLogLoss, predictSoftmax } from './softmax-regression.js';

export interface LabelledSequences {
  seqs: readonly string[];
  labels: Int32Array;
}

export interface LabelledEncoded {
  items: readonly EncodedSequence[];
  labels: Int32Array;
}

export interface KmerBaselineOptions {
  /** default: one more than the largest label seen */
  numClasses?: number;
  ks?: readonly number[];
  strands?: readonly KmerStrands[];
  /** penalties tried, each path from the largest down (warm starts) */
  lambdas?: readonly number[];
  /**
   * Every sequence is this long: also try 1- and 2-mers counted at each position (positionalSpecs), the linear
   * model of aligned sequences. Absent: k-mers of the whole sequence only.
   */
  positions?: number;
  /** exactly these feature sets (e.g. what cross-validation chose), instead of the k, strand and position search */
  specs?: readonly FeatureSpec[];
}

export type BaselineMetric = 'auroc' | 'accuracy';

export interface KmerBaseline {
  k: number;
  strands: KmerStrands;
  /** counted at each of this many positions (the positional candidates); absent: over the whole sequence */
  bins?: number;
  lambda: number;
  numClasses: number;
  /** AUROC for two classes, accuracy for more: what rnnseq reports for the model too */
  metric: BaselineMetric;
  validMetric: number;
  validLoss: number;
  /** configurations fitted during the search */
  fitted: number;
  /** the chosen fit's weights over kmerFeatures columns (softmax-regression.ts layout) */
  model: SoftmaxModel;
  predict(seqs: readonly string[]): Float32Array;
  predictEncoded(items: readonly EncodedSequence[]): Float32Array;
  /** e.g. "canonical 5-mers, lambda 1e-3" */
  describe(): string;
}

export const DEFAULT_LAMBDAS: readonly number[] = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5];

export function defaultKmerSpecs(alphabet: Alphabet): KmerSpec[] {
  if (alphabet.size !== 4) return [1, 2, 3].map((k) => ({ k, strands: 'forward' as const }));
  return [1, 2, 3, 4, 5, 6].flatMap((k) => (['canonical', 'forward'] as const).map((strands) => ({ k, strands })));
}

export function fitKmerBaseline(
  train: LabelledSequences,
  valid: LabelledSequences,
  alphabet: Alphabet,
  options: KmerBaselineOptions = {},
): KmerBaseline {
  const codes = (seqs: readonly string[]) => seqs.map((s) => symbolCodesOf(s, alphabet));
  return fitOnCodes(
    { codes: codes(train.seqs), labels: train.labels },
    { codes: codes(valid.seqs), labels: valid.labels },
    alphabet,
    options,
  );
}

/** The same, on sequences already one-hot encoded (what `rnnseq train` holds after preparing its data). */
export function fitKmerBaselineEncoded(
  train: LabelledEncoded,
  valid: LabelledEncoded,
  alphabet: Alphabet,
  options: KmerBaselineOptions = {},
): KmerBaseline {
  const codes = (items: readonly EncodedSequence[]) => items.map((item) => symbolCodesOfEncoded(item, alphabet.size));
  return fitOnCodes(
    { codes: codes(train.items), labels: train.labels },
    { codes: codes(valid.items), labels: valid.labels },
    alphabet,
    options,
  );
}

interface CodedSet {
  codes: SymbolCodes[];
  labels: Int32Array;
}

interface Candidate {
  spec: FeatureSpec;
  lambda: number;
  model: SoftmaxModel;
  validMetric: number;
  validLoss: number;
}

function fitOnCodes(train: CodedSet, valid: CodedSet, alphabet: Alphabet, options: KmerBaselineOptions): KmerBaseline {
  if (train.codes.length === 0) throw new RangeError('the k-mer baseline needs training sequences');
  if (valid.codes.length === 0) throw new RangeError('the k-mer baseline needs validation sequences to choose k and the penalty');
  const numClasses = options.numClasses ?? Math.max(maxLabel(train.labels), maxLabel(valid.labels)) + 1;
  const metric: BaselineMetric = numClasses === 2 ? 'auroc' : 'accuracy';
  const specs: FeatureSpec[] = options.specs
    ? [...options.specs]
    : options.ks || options.strands
      ? (options.ks ?? [1, 2, 3, 4, 5, 6]).flatMap((k) =>
          (options.strands ?? (alphabet.size === 4 ? ['canonical', 'forward'] : ['forward'])).map((strands) => ({ k, strands })),
        )
      : defaultKmerSpecs(alphabet);
  if (options.positions !== undefined && !options.specs) specs.push(...positionalSpecs(options.positions, alphabet.size));
  const lambdas = options.lambdas ?? DEFAULT_LAMBDAS;

  let best: Candidate | undefined;
  let fitted = 0;
  for (const spec of specs) {
    const xTrain = baselineFeatures(train.codes, spec, alphabet.size);
    const xValid = baselineFeatures(valid.codes, spec, alphabet.size);
    fitted += alongPenaltyPath(xTrain, train.labels, xValid, valid.labels, numClasses, lambdas, ({ lambda, model, probs, validLoss }) => {
      const candidate: Candidate = {
        spec,
        lambda,
        model,
        validMetric: metric === 'auroc' ? multiclassAuroc(probs, numClasses, valid.labels) : accuracy(probs, numClasses, valid.labels),
        validLoss,
      };
      if (!best || better(candidate, best)) best = candidate;
    });
  }
  const chosen = best!;
  const features = (codes: SymbolCodes[]) => baselineFeatures(codes, chosen.spec, alphabet.size);
  return {
    k: chosen.spec.k,
    strands: chosen.spec.strands,
    ...(chosen.spec.bins !== undefined ? { bins: chosen.spec.bins } : {}),
    lambda: chosen.lambda,
    numClasses,
    metric,
    validMetric: chosen.validMetric,
    validLoss: chosen.validLoss,
    fitted,
    model: chosen.model,
    predict: (seqs) => predictSoftmax(chosen.model, features(seqs.map((s) => symbolCodesOf(s, alphabet)))),
    predictEncoded: (items) => predictSoftmax(chosen.model, features(items.map((item) => symbolCodesOfEncoded(item, alphabet.size)))),
    describe: () => `${describeFeatures(chosen.spec)}, lambda ${chosen.lambda.toExponential(0)}`,
  };
}

/**
 * Aligned sequences of one length: 1- and 2-mers at each position, forward strand (position and strand go
 * together), where the columns stay within what a k-mer branch can hold. On splice junctions with 100 training
 * sequences such a model reached 0.85-0.87 accuracy where the one-hot MLP reached 0.76-0.82 and k-mers of the whole
 * sequence 0.52.
 */
export function positionalSpecs(positions: number, alphabetSize: number): FeatureSpec[] {
  return [1, 2]
    .filter((k) => alphabetSize ** k * positions <= MAX_KMER_BRANCH_COLUMNS)
    .map((k) => ({ k, strands: 'forward' as const, bins: positions }));
}

/** e.g. "canonical 5-mers" or "1-mers at each of 60 positions" */
export function describeFeatures(spec: FeatureSpec): string {
  const words = `${spec.strands === 'canonical' ? 'canonical ' : ''}${spec.k}-mers`;
  return spec.bins === undefined ? words : `${words} at each of ${spec.bins} positions`;
}

export interface PenaltyFit {
  lambda: number;
  model: SoftmaxModel;
  /** validation probabilities */
  probs: Float32Array;
  validLoss: number;
}

/**
 * Fits one feature set along a penalty path, largest penalty first, each fit warm-started from the last, and hands
 * each fit to `visit`. Down the path the fit only gets looser; once validation loss has risen twice, smaller
 * penalties overfit more, so the path stops there (unless `wholePath`: cross-validation compares every penalty
 * across folds). Returns how many fits were made.
 */
export function alongPenaltyPath(
  xTrain: SparseRows,
  yTrain: Int32Array,
  xValid: SparseRows,
  yValid: Int32Array,
  numClasses: number,
  lambdas: readonly number[],
  visit: (fit: PenaltyFit) => void,
  wholePath = false,
): number {
  let start: Float64Array | undefined;
  let previousLoss = Infinity;
  let worse = 0;
  let fitted = 0;
  for (const lambda of [...lambdas].sort((a, b) => b - a)) {
    const model = fitSoftmaxRegression(xTrain, yTrain, numClasses, lambda, start ? { start } : {});
    fitted++;
    start = model.parameters;
    const probs = predictSoftmax(model, xValid);
    const validLoss = meanLogLoss(probs, yValid, numClasses);
    visit({ lambda, model, probs, validLoss });
    worse = validLoss > previousLoss ? worse + 1 : 0;
    previousLoss = validLoss;
    if (worse >= 2 && !wholePath) break;
  }
  return fitted;
}

/** Lowest validation loss along the default penalty path: how well one feature set can fit, as one number. */
export function bestValidLoss(xTrain: SparseRows, xValid: SparseRows, yTrain: Int32Array, yValid: Int32Array, numClasses: number): number {
  let best = Infinity;
  alongPenaltyPath(xTrain, yTrain, xValid, yValid, numClasses, DEFAULT_LAMBDAS, ({ validLoss }) => {
    best = Math.min(best, validLoss);
  });
  return best;
}

/** Higher validation metric wins; a tie (common on small validation sets) goes to the lower validation loss. */
function better(a: Candidate, b: Candidate): boolean {
  const am = Number.isNaN(a.validMetric) ? -Infinity : a.validMetric;
  const bm = Number.isNaN(b.validMetric) ? -Infinity : b.validMetric;
  if (am !== bm) return am > bm;
  return a.validLoss < b.validLoss;
}

function maxLabel(labels: Int32Array): number {
  let max = -1;
  for (const label of labels) max = Math.max(max, label);
  return max;
}
