import type { Random } from './random.js';

/**
 * Windows cut from a group's (gap-stripped) sequences, the units a featurizer turns into vectors. A sequence
 * shorter than a window is one whole-sequence window, so short genes still count.
 */

/**
 * `count` windows drawn with replacement, uniformly over all window positions of the group: a sequence is
 * chosen in proportion to how many windows it holds, so long sequences are not under-sampled.
 */
export function sampleWindows(sequences: readonly string[], windowBp: number, count: number, random: Random): string[] {
  const positions = windowPositions(sequences, windowBp);
  const windows: string[] = [];
  for (let w = 0; w < count; w++) windows.push(positions.windowAt(random.int(positions.total)));
  return windows;
}

/**
 * A group's window positions numbered 0..total-1 across its sequences (a short sequence has one), so one number
 * picks a window, and the window at a number.
 */
function windowPositions(sequences: readonly string[], windowBp: number): { total: number; windowAt(position: number): string } {
  const cumulative: number[] = [];
  let total = 0;
  for (const sequence of sequences) {
    total += Math.max(1, sequence.length - windowBp + 1);
    cumulative.push(total);
  }
  return {
    total,
    windowAt(position) {
      const s = firstAbove(cumulative, position);
      const start = position - (s === 0 ? 0 : cumulative[s - 1]!);
      return sequences[s]!.slice(start, start + windowBp);
    },
  };
}

/**
 * `count` windows spread over all window positions of the group (stratified sampling: the positions cut into
 * `count` equal strata, one window drawn uniformly within each), in position order. Every position is as likely to
 * be drawn as with `sampleWindows`, but each stretch is covered nearly the same number of times: with 100 random
 * windows of a 2-kb gene some stretches are covered three times as often as others, and a profile built from them
 * moves with the sample more than with the taxa (README, Trees). Not one offset and equal steps: two groups' windows
 * would then start at the same phase of every step, and the divergence would depend on how each pair's phases
 * happen to line up (a model that memorised windows starting at A's starts prices B's windows by how close their
 * starts fall). A sequence shorter than a window is one whole-sequence window, as above.
 */
export function spreadWindows(sequences: readonly string[], windowBp: number, count: number, random: Random): string[] {
  const positions = windowPositions(sequences, windowBp);
  const step = positions.total / count;
  const windows: string[] = [];
  for (let w = 0; w < count; w++) windows.push(positions.windowAt(Math.min(positions.total - 1, Math.floor((w + random.next()) * step))));
  return windows;
}

/** How `coveringCount` sizes a group's sample. */
export interface Coverage {
  /** times the sample's windows add up to the group's length */
  times: number;
  min: number;
  max: number;
}

/**
 * Windows enough for `coverage.times` the group's length (so most positions fall in a few windows), within
 * [min, max]. Phylo's divergence needs it: an adapted model prices another group's window from what it memorised,
 * so a window whose homologous stretch no window of its own group covers tells it only composition.
 */
export function coveringCount(sequences: readonly string[], windowBp: number, coverage: Coverage): number {
  const bp = sequences.reduce((n, s) => n + s.length, 0);
  return Math.min(coverage.max, Math.max(coverage.min, Math.ceil((coverage.times * bp) / windowBp)));
}

/** Every non-overlapping window from each sequence's start; a remainder shorter than a window is left out. */
export function tileWindows(sequences: readonly string[], windowBp: number): string[] {
  const windows: string[] = [];
  for (const sequence of sequences) {
    if (sequence.length <= windowBp) {
      windows.push(sequence);
      continue;
    }
    for (let start = 0; start + windowBp <= sequence.length; start += windowBp) windows.push(sequence.slice(start, start + windowBp));
  }
  return windows;
}

/** Index of the first entry greater than value (entries ascending). */
function firstAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
