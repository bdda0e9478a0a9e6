/**
 * Merges called windows into regions. Windows arrive in start order on one sequence; a called window that
 * overlaps or touches the open region (its start <= the region's end) joins it, else the open region closes and
 * a new one opens. A window enters as the extent it calls: the whole window, or its central bin (scan --extent
 * core); either way extents arrive in start order and the last one joined has the largest end.
 */
export interface CalledRegion {
  start: number;
  end: number;
  /** start of the region's first window: decides which scan part writes the region (src/seq/regions.ts) */
  anchor: number;
  /** highest window probability in the region */
  maxProb: number;
  /** sum of the called windows' probabilities, for the mean */
  sumProb: number;
  windows: number;
  /** centre of the first window (its called extent) with the highest probability: narrowPeak's summit */
  summit?: number;
}

export class RegionMerger {
  private open: CalledRegion | undefined;

  /** Adds a called window; returns the region it closed, if it did not join the open one. */
  add(start: number, end: number, prob: number, anchor = start): CalledRegion | undefined {
    const open = this.open;
    if (open && start <= open.end) {
      open.end = Math.max(open.end, end);
      if (prob > open.maxProb) {
        open.maxProb = prob;
        open.summit = Math.floor((start + end) / 2);
      }
      open.sumProb += prob;
      open.windows++;
      return undefined;
    }
    this.open = { start, end, anchor, maxProb: prob, sumProb: prob, windows: 1, summit: Math.floor((start + end) / 2) };
    return open;
  }

  /** Closes the open region when no window starting at `nextStart` or later can join it. */
  closeBefore(nextStart: number): CalledRegion | undefined {
    if (this.open && nextStart > this.open.end) return this.close();
    return undefined;
  }

  close(): CalledRegion | undefined {
    const open = this.open;
    this.open = undefined;
    return open;
  }

  /** The open region's anchor (its first window's start), if a region is open. */
  get openAnchor(): number | undefined {
    return this.open?.anchor;
  }

  /** The open region's start, if a region is open. */
  get openStart(): number | undefined {
    return this.open?.start;
  }
}
