/**
 * A fixed-length DNA/RNA classifier's background class, and shuffles of it added to it (`train --background`).
 *
 * A model that learns "family vs background" from real background can lean on what the background has and the
 * family lacks: real DNA's higher-order structure. Scanning a genome with it (`scan --class FAMILY`), any stretch
 * short of that structure then looks like the family, and the classifier's null, made of k-let shuffles
 * (null-scores.ts), scores as family far more often than real DNA does, so p-values are conservative and
 * `--fdr` calls little. With k-let shuffles of the background's own training sequences labelled background, the
 * model must tell the family by its order. Measured on the repeat-family case (scripts/dev-repeat-calling.sh,
 * README "Calling at a false-discovery rate"): in human DNA, copies called at FDR 0.05 went from none to all.
 * Shuffles of the family itself labelled background, the motif finders' usual negatives, made the model miss
 * most copies there.
 */
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { Random } from '../../seq/random.js';
import { nullShuffleOrder, shuffleEncoded } from '../../seq/shuffle.js';
import type { TrainingSet } from '../../seq/training-set.js';

/** Class names --background auto takes as background (any case). */
export const BACKGROUND_NAMES = ['background', 'bg', 'negative', 'negatives', 'neg', 'control', 'other', 'none', 'random'];

/** `requested`: 'auto', 'none' or a class name. Undefined: no background class. */
export function backgroundClass(requested: string, classes: readonly string[]): number | undefined {
  if (requested === 'none') return undefined;
  if (requested !== 'auto') {
    const index = classes.indexOf(requested);
    if (index < 0) throw new RnnseqError(`--background ${requested}: no class of that name (classes: ${classes.join(', ')})`, EXIT_USAGE);
    return index;
  }
  const named = classes.flatMap((name, index) => (BACKGROUND_NAMES.includes(name.toLowerCase()) ? [index] : []));
  return named.length === 1 ? named[0] : undefined;
}

export interface ShuffledBackground {
  set: TrainingSet;
  /** k-lets every shuffle keeps */
  k: number;
  added: number;
}

/**
 * The set with one k-let shuffle of each of its items of class `background` appended, labelled background; k as
 * the null chooses it for these sequences (nullShuffleOrder), so the model learns the shuffles the null is made of.
 */
export function withShuffledBackground(set: TrainingSet, background: number, channels: number, seed: number): ShuffledBackground {
  const labels = set.labels!;
  const sources = set.items.filter((_, i) => labels[i] === background);
  const random = new Random(seed * 7919 + 17);
  const k = nullShuffleOrder(
    sources.map((item) => item.encoded),
    channels,
    random,
  );
  const shuffled = sources.map((item) => ({ ...item, encoded: shuffleEncoded(item.encoded, channels, random, k) }));
  return {
    set: {
      ...set,
      items: [...set.items, ...shuffled],
      labels: Int32Array.from([...labels, ...shuffled.map(() => background)]),
    },
    k,
    added: shuffled.length,
  };
}
