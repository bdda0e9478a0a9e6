/**
 * Background windows for a scanner's null distribution: uniform random windows of the genome, in proportion to
 * sequence length, that overlap no positive region and no excluded (test) region and have no more N than scan
 * would score. Not GC-matched, unlike training negatives: the null has to describe the genome scan will meet.
 */
import type { GenomeSource } from '../io/genome-source.js';
import type { Random } from './random.js';
import { visitWindows } from './genome.js';
import { type GenomeInterval, type SequenceLength, normaliseIntervals } from './regions.js';
import { baseComposition } from './windows.js';

export interface BackgroundPlan {
  genome: GenomeSource;
  lengths: readonly SequenceLength[];
  windowBp: number;
  /** regions no background window may touch: the positives and any test hold-out */
  avoid: readonly GenomeInterval[];
  /** windows with more N than this are not used (scan's --max-n default: 10% of the window) */
  maxN: number;
  count: number;
}

/** Calls visit with each chosen window's bases, in genome order; returns how many were visited. */
export async function visitBackgroundWindows(plan: BackgroundPlan, random: Random, visit: (bases: Uint8Array) => void): Promise<number> {
  const W = plan.windowBp;
  const blocked = normaliseIntervals(plan.avoid.map((r) => ({ chrom: r.chrom, start: Math.max(0, r.start - W + 1), end: r.end })));
  const startsOn = plan.lengths.map((l) => Math.max(0, l.length - W + 1));
  const total = startsOn.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const requests = new Map<string, number[]>();
  plan.lengths.forEach(({ name }, i) => {
    const wanted = Math.round((plan.count * startsOn[i]!) / total);
    const list = blocked.get(name) ?? [];
    const starts = new Set<number>();
    // Draws that land on a blocked start are redrawn, up to a limit for sequences that are mostly positive.
    for (let tries = 0; starts.size < wanted && tries < wanted * 20; tries++) {
      const start = random.int(startsOn[i]!);
      if (!inSorted(list, start)) starts.add(start);
    }
    if (starts.size > 0)
      requests.set(
        name,
        [...starts].sort((a, b) => a - b),
      );
  });
  let kept = 0;
  await visitWindows(plan.genome, requests, W, (_chrom, _start, bases) => {
    if (baseComposition(bases).n > plan.maxN) return;
    kept++;
    visit(bases);
  });
  return kept;
}

/** Whether position lies in one of the sorted, disjoint [start, end) intervals. */
function inSorted(intervals: ReadonlyArray<readonly [number, number]>, position: number): boolean {
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (intervals[mid]![0] <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && intervals[lo - 1]![1] > position;
}
