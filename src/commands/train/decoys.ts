/**
 * Decoys (`train --decoys`): k-let shuffles of the smaller class's training sequences, labelled background, added
 * to a fixed-length DNA/RNA classifier of one small class against a far larger background (~100 copies of a repeat
 * family against ~1,000 background windows, the shape of a `scan --class` scanner).
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
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { Random } from '../../seq/random.js';
import { nullShuffleOrder, shuffleEncoded } from '../../seq/shuffle.js';
import type { LabelledSet } from '../../seq/training-set.js';

/** The background class has at least this many times the other class's training sequences (as null-check.ts reads it). */
export const DECOY_BACKGROUND_RATIO = 3;

/** `--decoys`: 'auto' or a count of shuffles per sequence of the smaller class (0: none). */
export type DecoyRequest = 'auto' | number;

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
 * Two classes, one with DECOY_BACKGROUND_RATIO times the other's sequences: shuffles of the smaller one (auto: one
 * each). A given count asks for decoys on any two-class set (the larger class is the background); undefined where
 * none are added.
 */
export function decoyPlan(request: DecoyRequest, labels: Int32Array, classCount: number): DecoyPlan | undefined {
  if (request === 0 || classCount !== 2) return undefined;
  const counts = [0, 0];
  for (const l of labels) counts[l]!++;
  const background = counts[1]! > counts[0]! ? 1 : 0;
  const source = 1 - background;
  if (counts[source] === 0) return undefined;
  if (request === 'auto' && counts[background]! < DECOY_BACKGROUND_RATIO * counts[source]!) return undefined;
  return { background, source, perSequence: request === 'auto' ? 1 : request };
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
