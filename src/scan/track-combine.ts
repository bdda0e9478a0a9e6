/**
 * Per-base probabilities of a tagger from overlapping windows. Used by `rnnseq scan` on a tagger and by the
 * threshold calibration after training, so both see exactly the same track.
 *
 * Where windows overlap, a base gets the average of their probabilities weighted by a tent that peaks at each
 * window's centre (weight min(t + 1, W - t) at position t). A model that reads a window has the least context
 * near its edges (a bidirectional one sees nothing beyond them, in one direction), so each base should lean on
 * the window in which it lies most central; a tent does that without the seams a hard "central part only" rule
 * leaves where windows meet. At a stride of half a window (scan's default for taggers) the two windows over a
 * base have weights summing to a constant, so the track cross-fades linearly from one window to the next.
 */
import { type RcCombine, combineStrands } from '../seq/strands.js';

/** The tent weights of a window's positions. */
export function tentWeights(windowBp: number): Float32Array {
  return Float32Array.from({ length: windowBp }, (_, t) => Math.min(t + 1, windowBp - t));
}

/**
 * One window's per-base probability from its strands: `forward[t]` scores base t, and `reverse[t]` (the window's
 * reverse complement, as the model read it) scores base W - 1 - t.
 */
export function windowTrack(forward: Float32Array | undefined, reverse: Float32Array | undefined, how: RcCombine): Float32Array {
  if (forward && !reverse) return forward;
  const W = (forward ?? reverse)!.length;
  const out = new Float32Array(W);
  for (let t = 0; t < W; t++) {
    const back = reverse![W - 1 - t]!;
    out[t] = forward ? combineStrands(forward[t]!, back, how) : back;
  }
  return out;
}

/**
 * Weighted sums of window probabilities over a stretch of one sequence that slides forward: windows are added
 * in any order, and bases are read (and may be dropped) once no window still to come covers them.
 */
export class TrackAccumulator {
  // float32 (8 bytes per kept base): a circular sequence is kept whole, and a few windows' sums need no more
  private sums = new Float32Array(0);
  private weights = new Float32Array(0);
  /** sequence position of sums[0] */
  private origin = 0;
  private readonly tent: Float32Array;

  constructor(readonly windowBp: number) {
    this.tent = tentWeights(windowBp);
  }

  /** Adds the per-base probabilities of the window starting at `start` (never before what was dropped). */
  add(start: number, probs: Float32Array): void {
    const W = this.windowBp;
    this.reserve(start + W);
    const at = start - this.origin;
    if (at < 0) throw new Error(`track: window at ${start} lies before the kept stretch (${this.origin})`);
    for (let t = 0; t < W; t++) {
      const w = this.tent[t]!;
      this.sums[at + t]! += w * probs[t]!;
      this.weights[at + t]! += w;
    }
  }

  /** Per-base probabilities of [from, to); NaN where no window covered the base. */
  values(from: number, to: number): Float32Array {
    const out = new Float32Array(Math.max(0, to - from));
    for (let p = from; p < to; p++) {
      const i = p - this.origin;
      const weight = i >= 0 && i < this.weights.length ? this.weights[i]! : 0;
      out[p - from] = weight > 0 ? this.sums[i]! / weight : NaN;
    }
    return out;
  }

  /** Forgets bases before `position`: no window still to come reaches them. */
  dropBefore(position: number): void {
    const drop = position - this.origin;
    if (drop <= 0) return;
    if (drop >= this.sums.length) {
      this.sums.fill(0);
      this.weights.fill(0);
    } else {
      this.sums.copyWithin(0, drop);
      this.weights.copyWithin(0, drop);
      this.sums.fill(0, this.sums.length - drop);
      this.weights.fill(0, this.weights.length - drop);
    }
    this.origin = position;
  }

  /**
   * Circular sequences: what windows added past the end (on the unrolled line, position p >= lengthBp is base
   * p - lengthBp) moves onto the bases at the start. Needs everything from 0 kept.
   */
  foldAt(lengthBp: number): void {
    if (this.origin !== 0) throw new Error('track: folding a circular sequence needs its start kept');
    for (let p = lengthBp; p < this.sums.length; p++) {
      this.sums[p - lengthBp]! += this.sums[p]!;
      this.weights[p - lengthBp]! += this.weights[p]!;
      this.sums[p] = 0;
      this.weights[p] = 0;
    }
  }

  private reserve(end: number): void {
    const needed = end - this.origin;
    if (needed <= this.sums.length) return;
    const size = Math.max(needed, this.sums.length * 2, 1024);
    const sums = new Float32Array(size);
    const weights = new Float32Array(size);
    sums.set(this.sums);
    weights.set(this.weights);
    this.sums = sums;
    this.weights = weights;
  }
}
