/**
 * A tagger's bedGraph: the per-base probability averaged over fixed bins of binBp (aligned to the sequence start,
 * so every run, whole or --region, cuts the same bins), with consecutive bins of equal value (as written, to 4
 * decimals) merged into one line. Bins hold only bases with a probability: a bin is cut short where bases lack
 * one (N stretches skipped by the scan) or where the bases fed stop (the edge of a --region), so the lines never
 * overlap and never claim a base the model did not score.
 */
export interface TrackBin {
  start: number;
  end: number;
  value: number;
}

export class BinWriter {
  // the bin being filled: a stretch of consecutive scored bases inside one bin
  private binIndex = -1;
  private binStart = 0;
  private binEnd = 0;
  private sum = 0;
  /** the line being merged, with its value as written */
  private pending: (TrackBin & { text: string }) | undefined;

  constructor(private readonly binBp: number) {}

  /** Feeds the base at `position` (increasing); returns the lines this completes. */
  add(position: number, prob: number): TrackBin[] {
    const out: TrackBin[] = [];
    const index = Math.floor(position / this.binBp);
    const continues = this.binEnd > this.binStart && index === this.binIndex && position === this.binEnd;
    if (!continues || Number.isNaN(prob)) this.finishBin(out);
    if (Number.isNaN(prob)) return out;
    if (this.binEnd === this.binStart) {
      this.binIndex = index;
      this.binStart = position;
      this.binEnd = position;
      this.sum = 0;
    }
    this.binEnd++;
    this.sum += prob;
    return out;
  }

  close(): TrackBin[] {
    const out: TrackBin[] = [];
    this.finishBin(out);
    if (this.pending) out.push(strip(this.pending));
    this.pending = undefined;
    return out;
  }

  private finishBin(out: TrackBin[]): void {
    if (this.binEnd === this.binStart) return;
    const value = this.sum / (this.binEnd - this.binStart);
    const text = value.toFixed(4);
    const pending = this.pending;
    if (pending && pending.end === this.binStart && pending.text === text) {
      pending.end = this.binEnd;
    } else {
      if (pending) out.push(strip(pending));
      this.pending = { start: this.binStart, end: this.binEnd, value, text };
    }
    this.binStart = this.binEnd = 0;
  }
}

function strip(line: TrackBin & { text: string }): TrackBin {
  return { start: line.start, end: line.end, value: line.value };
}
