/**
 * Copies of fixed-length items moved along by a few bases, the bases they leave filled from another item: what a
 * scan's sliding windows show a model. A scan steps a quarter window at a time, so its best window meets an
 * element up to an eighth of a window off centre, with the genome's own DNA filling the rest. A classifier trained
 * only on exactly centred copies of a 300 bp repeat family (300 bp windows, against human DNA) called 0 and 1 of
 * 12 copies at FDR 0.05 (seeds 1, 2) where the same family placed up to 30 bp off centre called 12 and 12
 * (scripts/dev-repeat-calling.sh).
 */
import type { Random } from './random.js';

/**
 * The item moved by `shift` bases (positive: towards its end), the bases it uncovers taken from `filler` as if the
 * filler were the DNA beside it: its last bases before the item, its first bases after it. Both one-hot
 * [length x channels] of the same length.
 */
export function shiftedCopy(item: Float32Array, filler: Float32Array, shift: number, channels: number): Float32Array {
  const length = item.length / channels;
  const s = Math.min(Math.abs(shift), length);
  const out = new Float32Array(item.length);
  if (shift >= 0) {
    out.set(filler.subarray((length - s) * channels), 0);
    out.set(item.subarray(0, (length - s) * channels), s * channels);
  } else {
    out.set(item.subarray(s * channels), 0);
    out.set(filler.subarray(0, s * channels), (length - s) * channels);
  }
  return out;
}

/** A shift of 1..most bases either way, uniform. */
export function drawShift(most: number, random: Random): number {
  const size = 1 + random.int(most);
  return random.int(2) === 0 ? size : -size;
}
