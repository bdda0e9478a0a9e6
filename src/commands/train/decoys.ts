/**
 * Decoys (`train --decoys`): k-let shuffles of the smaller class's training sequences, labelled background, added
 * to a fixed-length DNA/RNA classifier of one small family of copies against a far larger background (~100 copies
 * of a repeat family against ~1,000 background windows, the shape of a `scan --class` scanner).
 *
 * Why: such a model learns whatever tells the family from its background most cheaply, and composition often
 * does (GC, CpG). Over a genome, every stretch of that composition then scores as the family: in human DNA, a
 * GC-rich family's model called CpG-island windows at 0.99, and the classifier's null, shuffles of background that
 * keep its composition, scored as high, so `scan --fdr` called no copy at all. A shuffle of a family copy keeps
 * its composition and loses its order, so with shuffles labelled background the model must learn the order, as a
 * profile HMM does. Measured on scripts/dev-repeat-calling.sh (README "Calling at a false-discovery rate").
 *
 * The null (null-scores.ts) is built from the real sequences only: the decoys are shuffles the model learned to
 * reject, and a null of them would score low and make every p-value too small.
 */
import type { ModelSpec } from '../../engine/checkpoint.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { PreparedData } from '../../seq/training-data.js';
import type { DecoyPrior } from './decoy-prior.js';
import type { TrainOptions } from './options.js';
import { BACKGROUND_RATIO, formatShare } from './null-check.js';
import { Random } from '../../seq/random.js';
import { sharedWordOffset, sharedWordPairShare } from '../../seq/shared-words.js';
import { drawShift, shiftedCopy } from '../../seq/shifted-copies.js';
import { nullShuffleOrder, shuffleEncoded } from '../../seq/shuffle.js';
import type { LabelledSet } from '../../seq/training-set.js';

/**
 * Shuffles per sequence of the smaller class under `--decoys auto`. Repeat-family cases (scripts/dev-repeat-calling.sh,
 * 3 cases x 3 seeds, README): copies found + false calls at FDR 0.05, summed: 1 each 113 + 8, 2 each 111 + 12,
 * 4 each 119 + 4 (none: 76 + 1).
 */
export const AUTO_DECOYS = 4;

/** `--decoys`: 'auto' or a count of shuffles per sequence of the smaller class (0: none). */
export type DecoyRequest = NonNullable<TrainOptions['decoys']>;

export function parseDecoys(raw: string): DecoyRequest {
  if (raw === 'auto') return 'auto';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new RnnseqError(`--decoys ${raw}: expected auto or a whole number 0-16`, EXIT_USAGE);
  return n;
}

export interface DecoyPlan {
  /** the class the decoys are labelled with */
  background: number;
  /** the class whose sequences are shuffled */
  source: number;
  perSequence: number;
}

/**
 * Two classes, one with BACKGROUND_RATIO times the other's sequences: shuffles of the smaller one (auto:
 * AUTO_DECOYS each, where familyCheck also says the smaller class is one family). A given count asks for decoys on
 * any two-class set (the larger class is the background). Undefined where none are added.
 */
export function decoyPlan(request: DecoyRequest, labels: Int32Array, classCount: number): DecoyPlan | undefined {
  if (request === 0 || classCount !== 2) return undefined;
  const counts = [0, 0];
  for (const l of labels) counts[l]!++;
  const background = counts[1]! > counts[0]! ? 1 : 0;
  const source = 1 - background;
  if (counts[source] === 0) return undefined;
  if (request === 'auto' && counts[background]! < BACKGROUND_RATIO * counts[source]!) return undefined;
  return { background, source, perSequence: request === 'auto' ? AUTO_DECOYS : request };
}

/**
 * Under `--decoys auto` the smaller class must also be copies of one family (seq/shared-words.ts): at least this
 * share of its sampled pairs share two 12-mers, and FAMILY_RATIO times the background's share. Decoys teach a model
 * to ignore composition, and where the classes differ by more than one family's sequence, composition is signal:
 * 150 Oct4 against 1,500 MafK ChIP-seq regions, test AUROC 0.994 / 0.986 without decoys, 0.943 / 0.957 with (seeds
 * 1-2); 150 PUM2 CLIP sites against 1,500 negatives, 0.877 / 0.899 and 0.833 / 0.866. Their pairs share 12-mers
 * 0.6% and 1.6% of the time; the repeat-family cases' 74-78%.
 */
export const FAMILY_SHARE = 0.1;
const FAMILY_RATIO = 5;

export interface FamilyCheck {
  /** share of the smaller class's sampled pairs with two 12-mers in common, and of the background's */
  source: number;
  background: number;
  family: boolean;
}

/** Whether plan.source's training sequences are copies of one family (FAMILY_SHARE). */
export function familyCheck(set: LabelledSet, plan: DecoyPlan, channels: number, seed: number): FamilyCheck {
  const random = new Random(seed * 6007 + 5);
  const of = (label: number) => set.items.filter((_, i) => set.labels[i] === label).map((item) => item.encoded);
  const source = sharedWordPairShare(of(plan.source), channels, random);
  const background = sharedWordPairShare(of(plan.background), channels, random);
  return { source, background, family: source >= FAMILY_SHARE && source >= FAMILY_RATIO * background };
}

export interface Decoys {
  set: LabelledSet;
  /** k-lets every shuffle keeps */
  k: number;
  added: number;
}

/** The set with plan.perSequence k-let shuffles of each sequence of plan.source appended, labelled plan.background. */
export function withDecoys(set: LabelledSet, plan: DecoyPlan, channels: number, seed: number): Decoys {
  const sources = set.items.filter((_, i) => set.labels[i] === plan.source);
  const random = new Random(seed * 7919 + 17);
  const k = nullShuffleOrder(
    sources.map((item) => item.encoded),
    channels,
    random,
  );
  const decoys = sources.flatMap((item) =>
    Array.from({ length: plan.perSequence }, () => ({ ...item, encoded: shuffleEncoded(item.encoded, channels, random, k) })),
  );
  return {
    set: { ...set, items: [...set.items, ...decoys], labels: Int32Array.from([...set.labels, ...decoys.map(() => plan.background)]) },
    k,
    added: decoys.length,
  };
}

/**
 * Shifted copies per sequence of the smaller class, beside its decoys, where its copies are aligned (cut at one
 * place: ALIGNED_SHIFT): scan meets a family's copies off centre (seq/shifted-copies.ts), and a model of aligned
 * copies learns where a copy starts. Moves of up to an eighth of the sequence, the scan's worst offset at its
 * quarter-window step; the uncovered bases come from a random background sequence. Measured on
 * scripts/dev-repeat-calling.sh (copies found + false calls at FDR 0.05, seeds 1 / 2 / 3): with every training
 * copy aligned, lambda in human DNA, none 0+0 / 1+0 (seeds 1, 2), one 12+1 / 12+1 / 12+2. Where the copies sit up to
 * 30 bp apart (the script as it is) they cost specificity in human DNA: lambda 12+0 x 3 -> 12+2 / 11+1 / 12+10,
 * the host family 12+0 / 4+0 / 12+1 -> 12+11 / 0 / 12+13 (E. coli: 55+3 -> 60+1), hence only for aligned copies.
 * One, not more: four per sequence, lambda in human seed 1, 12+5 (one: 12+2).
 */
export const SHIFTED_COPIES = 1;

/**
 * Copies count as aligned when the median shift between their shared 12-mers is at most this many bases: exactly
 * cut copies measure 1-2 (indels move the rest), the script's copies, up to 30 bp apart, 6-12.
 */
export const ALIGNED_SHIFT = 3;

/** sharedWordOffset of the smaller class's sequences as given (no reverse complements), or undefined. */
function alignedOffset(original: PreparedData['train'], plan: DecoyPlan, channels: number, seed: number): number | undefined {
  if (!('items' in original) || !original.labels) return undefined;
  const labels = original.labels;
  const items = original.items.filter((_, i) => labels[i] === plan.source).map((item) => item.encoded);
  return sharedWordOffset(items, channels, new Random(seed * 6007 + 11));
}

export interface ShiftedCopies {
  set: LabelledSet;
  added: number;
  /** the largest move, in bases */
  most: number;
}

/**
 * The set with SHIFTED_COPIES moved copies of each of the first `real` items of plan.source appended, labelled
 * plan.source, filled from random plan.background items among the first `real` (never from a decoy).
 */
export function withShiftedCopies(set: LabelledSet, real: number, plan: DecoyPlan, channels: number, seed: number): ShiftedCopies {
  const of = (label: number) => set.items.slice(0, real).filter((_, i) => set.labels[i] === label);
  const sources = of(plan.source);
  const fillers = of(plan.background);
  const length = sources[0] ? sources[0].encoded.length / channels : 0;
  const most = Math.floor(length / 8);
  if (most < 1 || fillers.length === 0) return { set, added: 0, most: 0 };
  const random = new Random(seed * 7927 + 23);
  const copies = sources.flatMap((item) =>
    Array.from({ length: SHIFTED_COPIES }, () => {
      const filler = fillers[random.int(fillers.length)]!;
      return { ...item, encoded: shiftedCopy(item.encoded, filler.encoded, drawShift(most, random), channels) };
    }),
  );
  return {
    set: { ...set, items: [...set.items, ...copies], labels: Int32Array.from([...set.labels, ...copies.map(() => plan.source)]) },
    added: copies.length,
    most,
  };
}

/** What a checkpoint records of its decoys, so that a resumed run adds the same ones. */
interface DecoyRecord {
  background: string;
  source: string;
  perSequence: number;
  k: number;
  added: number;
  /** moved copies of the smaller class, and the largest move (absent in runs before 2026-12-07: none) */
  shifted?: number;
  maxShift?: number;
  /** best/ only, once decoy-prior.ts took the added priors off each class's logit: the shift per class */
  priorShift?: Record<string, number>;
}

/**
 * `--decoys`: shuffles of the smaller class labelled background, added to a fixed-length DNA/RNA
 * classifier's training set; undefined where none are. A resumed run repeats what its checkpoint says it did.
 */
export function addDecoys(
  options: TrainOptions,
  resumed: ModelSpec | undefined,
  prepared: PreparedData,
  fixedLength: number | null,
  train: PreparedData['train'],
  log: Logger,
): (Decoys & { record: DecoyRecord; prior: DecoyPrior }) | undefined {
  const applies =
    options.task === 'classify' &&
    !options.genome &&
    !options.tag &&
    fixedLength !== null &&
    prepared.alphabet.name !== 'protein' &&
    !prepared.architecture.conditions &&
    !prepared.architecture.covariates;
  const request = options.decoys ?? 0;
  if (!applies || !('items' in train) || !train.labels) {
    if (typeof request === 'number' && request > 0 && !resumed)
      log.warn(`--decoys ${request}: only fixed-length DNA/RNA classifiers (no --condition-tag, --covariates) take them; ignored`);
    return undefined;
  }
  const classes = prepared.classes;
  let plan: DecoyPlan | undefined;
  let family: FamilyCheck | undefined;
  // A resumed run does what its checkpoint says it did.
  const recorded = resumed && (resumed.training as { decoys?: DecoyRecord } | undefined)?.decoys;
  if (resumed) {
    plan = recorded && {
      background: classes.indexOf(recorded.background),
      source: classes.indexOf(recorded.source),
      perSequence: recorded.perSequence,
    };
  } else {
    plan = decoyPlan(request, train.labels, classes.length);
    if (typeof request === 'number' && request > 0 && !plan) log.warn(`--decoys ${request}: only two-class sets take them; ignored`);
    // Measured on the sequences as given (reverse complements added would pair every sequence with itself).
    const original = prepared.train;
    if (plan && request === 'auto' && 'items' in original && original.labels) {
      family = familyCheck({ ...original, labels: original.labels }, plan, prepared.alphabet.size, options.config.seed);
      if (!family.family) plan = undefined;
    }
  }
  if (!plan) return undefined;
  const decoyed = withDecoys({ ...train, labels: train.labels }, plan, prepared.alphabet.size, options.config.seed);
  // Moved copies where the copies are aligned.
  const offset = resumed ? undefined : alignedOffset(prepared.train, plan, prepared.alphabet.size, options.config.seed);
  const move = recorded ? recorded.shifted !== undefined : offset !== undefined && offset <= ALIGNED_SHIFT;
  const shifted = move
    ? withShiftedCopies(decoyed.set, train.items.length, plan, prepared.alphabet.size, options.config.seed)
    : { set: decoyed.set, added: 0, most: 0 };
  const added = { ...decoyed, set: shifted.set };
  const record: DecoyRecord = {
    background: classes[plan.background]!,
    source: classes[plan.source]!,
    perSequence: plan.perSequence,
    k: added.k,
    added: added.added,
    ...(shifted.added > 0 ? { shifted: shifted.added, maxShift: shifted.most } : {}),
  };
  const why = family
    ? `${decoyReason(request)}, and ${record.source} is copies of one family: ${formatShare(family.source)} of its pairs share 12-mers, ${formatShare(family.background)} of ${record.background}'s`
    : decoyReason(request);
  if (!resumed)
    log.info(
      `recipe: ${record.background} is the background (${why}): ${added.added} shuffles of ${record.source}'s training sequences keeping every ${added.k}-let join it as decoys, so ${record.source} is learned by its order, not its composition` +
        (shifted.added > 0
          ? `; ${record.source}'s copies sit at one place in their sequences (shared 12-mers ${offset} base${offset === 1 ? '' : 's'} apart, median), so ${shifted.added} copies of them moved by up to ${shifted.most} bases join ${record.source}, as scan meets copies off centre`
          : '') +
        ' (--decoys 0: without)',
    );
  const labels = train.labels;
  const count = (label: number) => labels.filter((l) => l === label).length;
  return {
    ...added,
    record,
    prior: {
      added: [
        { label: plan.background, items: count(plan.background), added: added.added },
        { label: plan.source, items: count(plan.source), added: shifted.added },
      ],
    },
  };
}

function decoyReason(request: DecoyRequest): string {
  return request === 'auto' ? `at least ${BACKGROUND_RATIO}x the other class's sequences` : `--decoys ${request}`;
}
