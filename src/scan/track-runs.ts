/**
 * Calls of a tagger: runs of bases whose probability is at least the threshold. Runs separated by at most
 * mergeGapBp bases below it (or without a probability) join into one, which spans the gap; its statistics are
 * over the called bases. A jump in the positions fed (the edge of a --region) always ends a run.
 */
export interface TrackRun {
  start: number;
  end: number;
  maxProb: number;
  /** sum of the called bases' probabilities, for the mean */
  sumProb: number;
  /** called bases (fewer than end - start when gaps were joined) */
  bases: number;
}

export class RunCaller {
  private open: TrackRun | undefined;
  private lastPosition = -Infinity;

  constructor(
    private readonly threshold: number,
    private readonly mergeGapBp = 0,
  ) {}

  /** Feeds the base at `position` (increasing); returns the run this closes, if any. */
  add(position: number, prob: number): TrackRun | undefined {
    let closed: TrackRun | undefined;
    const open = this.open;
    if (open && (position !== this.lastPosition + 1 || position - open.end > this.mergeGapBp)) {
      closed = open;
      this.open = undefined;
    }
    this.lastPosition = position;
    // NaN compares false: a base without a probability is never called.
    if (prob >= this.threshold) {
      if (this.open) {
        this.open.end = position + 1;
        this.open.maxProb = Math.max(this.open.maxProb, prob);
        this.open.sumProb += prob;
        this.open.bases++;
      } else {
        this.open = { start: position, end: position + 1, maxProb: prob, sumProb: prob, bases: 1 };
      }
    }
    return closed;
  }

  close(): TrackRun | undefined {
    const open = this.open;
    this.open = undefined;
    this.lastPosition = -Infinity;
    return open;
  }
}

/**
 * The runs of a circular sequence as BED lines: the last run and the first are one run across the origin when at
 * most mergeGapBp bases separate them there (0: when they reach the end and the start). It is written as its two
 * pieces ([0, end) first, [start, length) last), both carrying the joined run's statistics, as `scan` writes a
 * window call that crosses the origin. Runs shorter than minRunBp (a joined run: both pieces) are left out.
 */
export function circularRunLines(runs: readonly TrackRun[], lengthBp: number, mergeGapBp = 0, minRunBp = 1): TrackRun[] {
  const first = runs[0];
  const last = runs[runs.length - 1];
  const long = (run: TrackRun) => run.end - run.start >= minRunBp;
  if (runs.length < 2 || first!.start + (lengthBp - last!.end) > mergeGapBp) return runs.filter(long);
  const stats = {
    maxProb: Math.max(first!.maxProb, last!.maxProb),
    sumProb: first!.sumProb + last!.sumProb,
    bases: first!.bases + last!.bases,
  };
  const head = { ...first!, start: 0, ...stats };
  const tail = { ...last!, end: lengthBp, ...stats };
  const joinedLong = head.end + (lengthBp - tail.start) >= minRunBp;
  return [...(joinedLong ? [head] : []), ...runs.slice(1, -1).filter(long), ...(joinedLong ? [tail] : [])];
}
