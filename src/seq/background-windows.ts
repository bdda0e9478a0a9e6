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

/** Window starts whose window would touch an avoided region, per sequence, as sorted disjoint intervals. */
function blockedStarts(avoid: readonly GenomeInterval[], W: number) {
  return normaliseIntervals(avoid.map((r) => ({ chrom: r.chrom, start: Math.max(0, r.start - W + 1), end: r.end })));
}

/** Each sequence's window starts whose window touches no avoided region, in the order of lengths. */
function freeStarts(lengths: readonly SequenceLength[], W: number, blocked: ReturnType<typeof blockedStarts>): number[] {
  return lengths.map(({ name, length }) => {
    const starts = Math.max(0, length - W + 1);
    let free = starts;
    for (const [start, end] of blocked.get(name) ?? []) free -= Math.max(0, Math.min(end, starts) - Math.min(start, starts));
    return free;
  });
}

/** The share of the genome's window starts whose window touches none of the avoided regions. */
export function freeStartShare(lengths: readonly SequenceLength[], W: number, avoid: readonly GenomeInterval[]): number {
  const total = lengths.reduce((sum, l) => sum + Math.max(0, l.length - W + 1), 0);
  const free = freeStarts(lengths, W, blockedStarts(avoid, W)).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : free / total;
}

/**
 * Calls visit with each chosen window's bases, in genome order; returns how many were visited. Each sequence
 * gets a share of the count in proportion to its free starts: a sequence the avoided regions cover (a training
 * chromosome full of sampled negatives) gives its share to the others.
 */
export async function visitBackgroundWindows(plan: BackgroundPlan, random: Random, visit: (bases: Uint8Array) => void): Promise<number> {
  const W = plan.windowBp;
  const blocked = blockedStarts(plan.avoid, W);
  const startsOn = plan.lengths.map((l) => Math.max(0, l.length - W + 1));
  const freeOn = freeStarts(plan.lengths, W, blocked);
  const total = freeOn.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const requests = new Map<string, number[]>();
  plan.lengths.forEach(({ name }, i) => {
    const wanted = Math.min(freeOn[i]!, Math.round((plan.count * freeOn[i]!) / total));
    const pick = freePicker(startsOn[i]!, blocked.get(name) ?? []);
    const starts = new Set<number>();
    // Uniform over the free starts; a repeat is drawn again, up to a limit when nearly every free start is wanted.
    for (let tries = 0; starts.size < wanted && tries < wanted * 20; tries++) starts.add(pick(random.int(freeOn[i]!)));
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

/** Maps 0 .. (free starts - 1) to the free starts of a sequence with `starts` starts, in order. */
function freePicker(starts: number, blocked: ReadonlyArray<readonly [number, number]>): (index: number) => number {
  const runs: Array<{ from: number; offset: number }> = []; // each free run's first start and its first index
  let at = 0;
  let offset = 0;
  for (const [start, end] of [...blocked, [starts, starts] as const]) {
    const stop = Math.min(start, starts);
    if (stop > at) {
      runs.push({ from: at, offset });
      offset += stop - at;
    }
    at = Math.max(at, Math.min(end, starts));
  }
  return (index) => {
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid]!.offset <= index) lo = mid;
      else hi = mid - 1;
    }
    return runs[lo]!.from + index - runs[lo]!.offset;
  };
}
