/**
 * The recipe's data decisions on small data, by k-fold cross-validation of the k-mer model over every labelled
 * sequence instead of one validation split. Two decisions rest on the k-mer model: reverse-complement
 * augmentation (when strand-merged k-mers fit best) and the bias per position (when k-mers counted per third of the
 * sequence fit better than over the whole). On 100 labelled sequences the validation split holds ~10 of them, and
 * those two answers become coin flips: splice junctions, strand-specific and aligned, got reverse complements and no
 * positional bias on seed 3 (0.54 accuracy where a one-hot MLP reaches 0.82). Out-of-fold log loss over all
 * sequences is a far steadier guide, and the k-mer fits are cheap beside the ensemble that small data trains.
 * The same folds give the run's baseline its features and penalty (commands/train/run.ts), and so the fit a k-mer
 * branch starts from: chosen on 9 validation sequences, splice at 100 (seed 1) got 2-mers at each position with
 * almost no penalty, and the recipe 0.807-0.826 accuracy; from the cross-validation, 1-mers at each position at
 * 1e-4 and 0.834 (3 seeds: 0.844 -> 0.853, the positional linear model 0.858). The baseline's features are those
 * that classify best out of fold, not those of the lowest loss: on 12 protein families log loss chose 2-mers
 * where 3-mers classify far better (their probabilities stay cautious across 8,000 columns).
 */
import type { Alphabet } from '../seq/alphabet.js';
import { type SparseRows, symbolCodesOfEncoded } from '../seq/kmer-counts.js';
import { Random } from '../seq/random.js';
import { DEFAULT_LAMBDAS, type LabelledEncoded, alongPenaltyPath, defaultKmerSpecs, positionalSpecs } from './kmer-baseline.js';
import { type FeatureSpec, baselineFeatures, binnedFeatures } from './kmer-features.js';
import { POSITION_BINS } from './positional-kmers.js';
import { accuracy, multiclassAuroc } from './metrics.js';

export const CV_FOLDS = 5;

/** One feature set's out-of-fold scores. */
export interface FoldedFit {
  spec: FeatureSpec;
  /** the lowest mean out-of-fold log loss along the penalty path (one penalty for every fold) */
  loss: number;
  /** the penalty at which it is reached */
  lambda: number;
  /** the best out-of-fold metric along the path: AUROC (mean over folds) for two classes, accuracy for more */
  metric: number;
}

export interface CrossValidatedChoices {
  folds: number;
  /** the features with the lowest out-of-fold log loss (positional ones only when positions was given) */
  spec: FeatureSpec;
  /** the penalty at which they reach it (one penalty for every fold) */
  lambda: number;
  loss: number;
  /**
   * The run's baseline: the features that classify best out of fold (the run's metric; a tie goes to the lower
   * loss), at the penalty of their lowest loss. Log loss and the metric part ways where many features each carry a
   * little: on protein-remote 3-mers classify 98% of held-out folds right against 2-mers' 90%, yet their
   * probabilities stay cautious (loss 0.61 against 0.41), so loss alone chose the weaker classifier.
   */
  baseline: FoldedFit;
  /** the best loss of the other strand handling (nucleotides only) */
  otherStrandsLoss?: number;
  /**
   * With positionTest: the best whole-sequence k-mers counted per third of the sequence, or the best positional
   * features where they do better, against those k-mers over the whole.
   */
  position?: { bins: number; binnedLoss: number; wholeLoss: number; positional: boolean };
}

/**
 * Scores every default k-mer feature set (k, strands), and with `positions` the positional ones
 * (kmer-baseline.ts positionalSpecs), by out-of-fold log loss, each fold at its own best penalty; with
 * `positionTest`, also the best whole-sequence set counted per third. Folds are stratified by label and drawn from
 * `seed`. Undefined when some class has fewer members than folds (nothing stable to learn from).
 */
export function crossValidatedChoices(
  set: LabelledEncoded,
  alphabet: Alphabet,
  numClasses: number,
  options: CrossValidationOptions,
): CrossValidatedChoices | undefined {
  // Every ensemble member and the k-mer branch candidate of a run ask again, in the same process, on the same
  // sequences with the same seed (up to 6 times; ~10 s each on 360 proteins): the answer is computed once.
  const key = cacheKey(set, alphabet, numClasses, options);
  if (!answers.has(key)) {
    if (answers.size >= CACHED_ANSWERS) answers.delete(answers.keys().next().value!);
    answers.set(key, computeChoices(set, alphabet, numClasses, options));
    computed++;
  }
  const answer = answers.get(key);
  return answer === undefined ? undefined : structuredClone(answer);
}

export interface CrossValidationOptions {
  seed: number;
  positionTest: boolean;
  positions?: number;
  folds?: number;
}

const CACHED_ANSWERS = 4;
const answers = new Map<string, CrossValidatedChoices | undefined>();
let computed = 0;

/** How many cross-validations this process has run (the rest were answered from the cache). */
export function crossValidationsComputed(): number {
  return computed;
}

/** The question in full: every option, and an FNV-1a hash over the labels and every sequence's encoding. */
function cacheKey(set: LabelledEncoded, alphabet: Alphabet, numClasses: number, options: CrossValidationOptions): string {
  let hash = 0x811c9dc5;
  const mix = (value: number) => {
    hash = Math.imul(hash ^ value, 0x01000193) >>> 0;
  };
  for (const label of set.labels) mix(label);
  for (const item of set.items) {
    mix(item.length);
    const bits = new Uint32Array(item.encoded.buffer, item.encoded.byteOffset, item.encoded.length);
    for (const word of bits) mix(word);
  }
  const { seed, positionTest, positions, folds } = options;
  return JSON.stringify([hash, set.items.length, alphabet.name, numClasses, seed, positionTest, positions ?? null, folds ?? CV_FOLDS]);
}

function computeChoices(
  set: LabelledEncoded,
  alphabet: Alphabet,
  numClasses: number,
  options: CrossValidationOptions,
): CrossValidatedChoices | undefined {
  const folds = options.folds ?? CV_FOLDS;
  const assignment = stratifiedFolds(set.labels, numClasses, folds, new Random(options.seed));
  if (!assignment) return undefined;
  const codes = set.items.map((item) => symbolCodesOfEncoded(item, alphabet.size));
  const score = (features: SparseRows) => outOfFold(features, set.labels, assignment, folds, numClasses);

  const scoreSpec = (spec: FeatureSpec): FoldedFit => ({ spec, ...score(baselineFeatures(codes, spec, alphabet.size)) });
  const lowest = <T extends { loss: number }>(list: T[]) => list.reduce((a, b) => (b.loss < a.loss ? b : a));
  const whole = defaultKmerSpecs(alphabet).map(scoreSpec);
  const positional = options.positions === undefined ? [] : positionalSpecs(options.positions, alphabet.size).map(scoreSpec);
  const all = [...whole, ...positional];
  const bestWhole = lowest(whole);
  const best = lowest(all);
  const others = all.filter((s) => s.spec.strands !== best.spec.strands);
  const baseline = all.reduce((a, b) => (b.metric > a.metric || (b.metric === a.metric && b.loss < a.loss) ? b : a));
  const result: CrossValidatedChoices = { folds, spec: best.spec, lambda: best.lambda, loss: best.loss, baseline };
  if (others.length > 0) result.otherStrandsLoss = lowest(others).loss;
  if (options.positionTest) {
    const thirds = score(binnedFeatures(codes, bestWhole.spec, alphabet.size, POSITION_BINS)).loss;
    const binnedLoss = Math.min(thirds, ...positional.map((s) => s.loss));
    result.position = { bins: POSITION_BINS, binnedLoss, wholeLoss: bestWhole.loss, positional: binnedLoss < bestWhole.loss };
  }
  return result;
}

/** Fold of each sequence: each class's members shuffled and dealt round the folds in turn. */
export function stratifiedFolds(labels: Int32Array, numClasses: number, folds: number, random: Random): Int32Array | undefined {
  const fold = new Int32Array(labels.length);
  for (let c = 0; c < numClasses; c++) {
    const members = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) members.push(i);
    if (members.length > 0 && members.length < folds) return undefined;
    random.shuffle(members).forEach((i, n) => {
      fold[i] = n % folds;
    });
  }
  return fold;
}

/**
 * Mean log loss over all sequences, each predicted by the fit without its fold, at the penalty whose mean is lowest
 * (one penalty for all folds: a penalty chosen per fold would grade each fold on its own held-out answers); and the
 * metric at the penalty where it is best, the same way.
 */
function outOfFold(
  features: SparseRows,
  labels: Int32Array,
  fold: Int32Array,
  folds: number,
  numClasses: number,
): { loss: number; lambda: number; metric: number } {
  const total = new Float64Array(DEFAULT_LAMBDAS.length);
  const metric = new Float64Array(DEFAULT_LAMBDAS.length);
  for (let f = 0; f < folds; f++) {
    const held: number[] = [];
    const kept: number[] = [];
    for (let i = 0; i < labels.length; i++) (fold[i] === f ? held : kept).push(i);
    const heldLabels = Int32Array.from(held, (i) => labels[i]!);
    alongPenaltyPath(
      selectRows(features, kept),
      Int32Array.from(kept, (i) => labels[i]!),
      selectRows(features, held),
      heldLabels,
      numClasses,
      DEFAULT_LAMBDAS,
      ({ lambda, probs, validLoss }) => {
        const j = DEFAULT_LAMBDAS.indexOf(lambda);
        total[j]! += validLoss * held.length;
        // Accuracy counts right answers over all sequences; AUROC ranks within a fold, where one model scored them all.
        metric[j]! +=
          numClasses === 2
            ? multiclassAuroc(probs, numClasses, heldLabels) / folds
            : (accuracy(probs, numClasses, heldLabels) * held.length) / labels.length;
      },
      true,
    );
  }
  let best = 0;
  for (let j = 1; j < total.length; j++) if (total[j]! < total[best]!) best = j;
  return { loss: total[best]! / labels.length, lambda: DEFAULT_LAMBDAS[best]!, metric: Math.max(...metric) };
}

export function selectRows(rows: SparseRows, indices: readonly number[]): SparseRows {
  const rowStart = new Int32Array(indices.length + 1);
  indices.forEach((i, n) => {
    rowStart[n + 1] = rowStart[n]! + rows.rowStart[i + 1]! - rows.rowStart[i]!;
  });
  const column = new Int32Array(rowStart[indices.length]!);
  const value = new Float32Array(rowStart[indices.length]!);
  indices.forEach((i, n) => {
    column.set(rows.column.subarray(rows.rowStart[i]!, rows.rowStart[i + 1]!), rowStart[n]!);
    value.set(rows.value.subarray(rows.rowStart[i]!, rows.rowStart[i + 1]!), rowStart[n]!);
  });
  return { rows: indices.length, columns: rows.columns, rowStart, column, value };
}
