/**
 * Which windows a scan owns. `--region` and `--shard` split a genome into parts whose outputs, concatenated in
 * order, are exactly the output of one whole-genome run. The rule that makes this work:
 *
 * - A part owns the windows whose START lies in its intervals (a window crossing a part's edge belongs to the
 *   part holding its first base), and writes the bedGraph bins of those windows.
 * - A merged call belongs to the part that owns its first window. To tell whether the first called window of
 *   a part continues a call begun before it, the part also scores one window length before each interval
 *   (a called window further back ends before the interval starts, so it cannot touch); and to finish a call
 *   it owns, it keeps scoring past its end until the call closes.
 *
 * Intervals here are in the BED convention, [start, end) over window starts, per sequence, in genome order.
 */
import { EXIT_USAGE, RnnseqError } from '../errors.js';

export interface GenomeInterval {
  chrom: string;
  start: number;
  /** Infinity: to the end of the sequence */
  end: number;
}

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

/**
 * Parses CHROM, CHROM:START-END or CHROM:START- (to the end) in the samtools / genome-browser convention: 1-based
 * and inclusive, commas allowed, so chr1:1-1,000,000 is BED [0, 1000000). A name that itself contains ':' is
 * taken whole when no range follows.
 */
export function parseRegion(text: string, flag = '--region'): GenomeInterval {
  if (text === '' || /\s/.test(text)) throw new RnnseqError(`${flag} must look like CHROM or CHROM:START-END, got '${text}'`, EXIT_USAGE);
  const match = /^(.+):(\d[\d,]*)-(\d[\d,]*)?$/.exec(text);
  // Anything else is a whole sequence name (names like HLA-A*01:01 contain ':'); a typo surfaces as "no such sequence".
  if (!match) return { chrom: text, start: 0, end: Infinity };
  const first = Number(match[2]!.replaceAll(',', ''));
  const last = match[3] === undefined ? Infinity : Number(match[3].replaceAll(',', ''));
  if (first < 1 || last < first) {
    throw new RnnseqError(`${flag} ${text}: START must be >= 1 and END >= START (1-based, inclusive, like samtools)`, EXIT_USAGE);
  }
  return { chrom: match[1]!, start: first - 1, end: last };
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !(count >= 1) || !(index >= 1) || index > count || count > 1_000_000) {
    throw new RnnseqError(`--shard must look like K/N with 1 <= K <= N (e.g. 3/10), got '${text}'`, EXIT_USAGE);
  }
  return { index, count };
}

/** Per sequence, sorted disjoint [start, end) intervals of owned window starts. */
export type OwnedStarts = Map<string, Array<[number, number]>>;

/** Sorts intervals per sequence and joins those that overlap or touch. */
export function normaliseIntervals(intervals: readonly GenomeInterval[]): OwnedStarts {
  const owned: OwnedStarts = new Map();
  for (const { chrom, start, end } of intervals) {
    if (end <= start) continue;
    const list = owned.get(chrom);
    if (list) list.push([start, end]);
    else owned.set(chrom, [[start, end]]);
  }
  for (const [chrom, list] of owned) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const joined: Array<[number, number]> = [];
    for (const [start, end] of list) {
      const last = joined[joined.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else joined.push([start, end]);
    }
    owned.set(chrom, joined);
  }
  return owned;
}

export interface SequenceLength {
  name: string;
  length: number;
}

/**
 * The owned intervals of shard K of N: the selection (whole sequences when `selection` is undefined), clipped to
 * the sequences, laid end to end in genome order and cut into N runs of equal bp.
 */
export function shardIntervals(lengths: readonly SequenceLength[], selection: OwnedStarts | undefined, shard: Shard): OwnedStarts {
  const pieces: Array<{ chrom: string; start: number; end: number }> = [];
  for (const { name, length } of lengths) {
    const intervals = selection ? (selection.get(name) ?? []) : [[0, length] as [number, number]];
    for (const [start, end] of intervals) {
      const clipped = Math.min(end, length);
      if (clipped > start) pieces.push({ chrom: name, start, end: clipped });
    }
  }
  const total = pieces.reduce((sum, p) => sum + (p.end - p.start), 0);
  const from = Math.floor((total * (shard.index - 1)) / shard.count);
  const to = Math.floor((total * shard.index) / shard.count);
  const out: GenomeInterval[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const size = piece.end - piece.start;
    const lo = Math.max(from, offset);
    const hi = Math.min(to, offset + size);
    if (hi > lo) out.push({ chrom: piece.chrom, start: piece.start + (lo - offset), end: piece.start + (hi - offset) });
    offset += size;
  }
  // Keep the sequences a shard does not touch out of the map: the scan skips them without scoring.
  return normaliseIntervals(out);
}

/** Whether `position` lies in one of the sorted disjoint intervals. */
export function inIntervals(intervals: ReadonlyArray<readonly [number, number]>, position: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = intervals[mid]!;
    if (position < start) hi = mid - 1;
    else if (position >= end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Formats a BED interval as a 1-based inclusive region string, for messages. */
export function formatRegion(chrom: string, start: number, end: number): string {
  return Number.isFinite(end) ? `${chrom}:${start + 1}-${end}` : start === 0 ? chrom : `${chrom}:${start + 1}-`;
}
