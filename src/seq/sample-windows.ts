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
  const cumulative: number[] = [];
  let total = 0;
  for (const sequence of sequences) {
    total += Math.max(1, sequence.length - windowBp + 1);
    cumulative.push(total);
  }
  const windows: string[] = [];
  for (let w = 0; w < count; w++) {
    const position = random.int(total);
    const s = firstAbove(cumulative, position);
    const start = position - (s === 0 ? 0 : cumulative[s - 1]!);
    windows.push(sequences[s]!.slice(start, start + windowBp));
  }
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
