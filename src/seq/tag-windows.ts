/**
 * Per-base targets for a tagger (`rnnseq train --task tag`): each base of a training window is class 1 inside a
 * labelled region, 0 outside it, and unlabelled (-1, not counted in the loss) where it is N: an unknown base says
 * nothing about the region it lies in.
 *
 * Windows are tiled on the scan grid (src/seq/windows.ts): one every strideBp from the sequence start, and one
 * more flush with the sequence end when the last regular window stops short of it, so every base is covered.
 */
import { type WindowGrid, windowCount, windowStart } from './windows.js';

export const UNLABELLED = -1;
export const BACKGROUND_TAG = 0;
export const LABELLED_TAG = 1;

/** Starts of the windows tiled over a sequence of lengthBp (none when it is shorter than a window). */
export function tileStarts(lengthBp: number, grid: WindowGrid): number[] {
  return Array.from({ length: windowCount(lengthBp, grid) }, (_, i) => windowStart(i, lengthBp, grid));
}

const IS_N = (() => {
  const table = new Uint8Array(256);
  table[0x4e] = table[0x6e] = 1; // N n
  return table;
})();

/**
 * Tags of the window [start, start + bases.length): `intervals` are the labelled regions of its sequence, sorted
 * and disjoint (src/seq/regions.ts normaliseIntervals), 0-based half-open.
 */
export function windowTags(start: number, bases: Uint8Array, intervals: ReadonlyArray<readonly [number, number]>): Int8Array {
  const length = bases.length;
  const tags = new Int8Array(length); // BACKGROUND_TAG
  const end = start + length;
  for (const [from, to] of intervals) {
    if (to <= start) continue;
    if (from >= end) break;
    tags.fill(LABELLED_TAG, Math.max(from, start) - start, Math.min(to, end) - start);
  }
  for (let t = 0; t < length; t++) if (IS_N[bases[t]!]) tags[t] = UNLABELLED;
  return tags;
}

/** The tags of a window's reverse complement: the same bases, read from the other end. */
export function reverseTags(tags: Int8Array): Int8Array {
  return tags.slice().reverse();
}

/** N bases in a window's bytes. */
export function countN(bases: Uint8Array): number {
  let n = 0;
  for (let t = 0; t < bases.length; t++) n += IS_N[bases[t]!]!;
  return n;
}

/** A tagger's default scan stride: half a window, so every base lies in two windows and the tent cross-fades. */
export function defaultTrackStride(windowBp: number): number {
  return Math.max(1, Math.floor(windowBp / 2));
}
