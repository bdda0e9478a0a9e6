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
  countKmers,
  symbolCodesOf,
  symbolCodesOfEncoded,
} from '../seq/kmer-counts.js';
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
}

export type BaselineMetric = 'auroc' | 'accuracy';

export interface KmerBaseline {
  k: number;
  strands: KmerStrands;
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
  spec: KmerSpec;
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
  const specs =
    options.ks || options.strands
      ? (options.ks ?? [1, 2, 3, 4, 5, 6]).flatMap((k) =>
          (options.strands ?? (alphabet.size === 4 ? ['canonical', 'forward'] : ['forward'])).map((strands) => ({ k, strands })),
        )
      : defaultKmerSpecs(alphabet);
  const lambdas = options.lambdas ?? DEFAULT_LAMBDAS;

  let best: Candidate | undefined;
  let fitted = 0;
  for (const spec of specs) {
    const xTrain = kmerFeatures(train.codes, spec, alphabet.size);
    const xValid = kmerFeatures(valid.codes, spec, alphabet.size);
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
  const features = (codes: SymbolCodes[]) => kmerFeatures(codes, chosen.spec, alphabet.size);
  return {
    k: chosen.spec.k,
    strands: chosen.spec.strands,
    lambda: chosen.lambda,
    numClasses,
    metric,
    validMetric: chosen.validMetric,
    validLoss: chosen.validLoss,
    fitted,
    model: chosen.model,
    predict: (seqs) => predictSoftmax(chosen.model, features(seqs.map((s) => symbolCodesOf(s, alphabet)))),
    predictEncoded: (items) => predictSoftmax(chosen.model, features(items.map((item) => symbolCodesOfEncoded(item, alphabet.size)))),
    describe: () =>
      `${chosen.spec.strands === 'canonical' ? 'canonical ' : ''}${chosen.spec.k}-mers, lambda ${chosen.lambda.toExponential(0)}`,
  };
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
 * penalties overfit more, so the path stops there. Returns how many fits were made.
 */
export function alongPenaltyPath(
  xTrain: SparseRows,
  yTrain: Int32Array,
  xValid: SparseRows,
  yValid: Int32Array,
  numClasses: number,
  lambdas: readonly number[],
  visit: (fit: PenaltyFit) => void,
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
    if (worse >= 2) break;
  }
  return fitted;
}

/** Higher validation metric wins; a tie (common on small validation sets) goes to the lower validation loss. */
function better(a: Candidate, b: Candidate): boolean {
  const am = Number.isNaN(a.validMetric) ? -Infinity : a.validMetric;
  const bm = Number.isNaN(b.validMetric) ? -Infinity : b.validMetric;
  if (am !== bm) return am > bm;
  return a.validLoss < b.validLoss;
}

/** log1p counts, each row scaled to unit Euclidean length; an empty row (no valid k-mer) stays empty. */
export function kmerFeatures(codes: readonly SymbolCodes[], spec: KmerSpec, alphabetSize: number): SparseRows {
  const counts = countKmers(codes, spec, alphabetSize);
  const value = counts.value;
  for (let i = 0; i < counts.rows; i++) {
    let squares = 0;
    for (let p = counts.rowStart[i]!; p < counts.rowStart[i + 1]!; p++) {
      value[p] = Math.log1p(value[p]!);
      squares += value[p]! * value[p]!;
    }
    const norm = Math.sqrt(squares);
    if (norm > 0) for (let p = counts.rowStart[i]!; p < counts.rowStart[i + 1]!; p++) value[p] = value[p]! / norm;
  }
  return counts;
}

function maxLabel(labels: Int32Array): number {
  let max = -1;
  for (const label of labels) max = Math.max(max, label);
  return max;
}
