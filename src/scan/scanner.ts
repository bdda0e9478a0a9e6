/**
 * The scan pipeline between FASTA chunks and output lines: slides the window grid (src/seq/windows.ts) along each
 * sequence as its chunks stream in, scores windows in batches, and merges called windows into regions.
 *
 * Memory stays flat: a sequence is held only from the first window of the next batch onwards (one chunk plus
 * one batch span), never whole.
 *
 * Reproducibility: windows are scored in batches aligned to the window index (batch j holds windows
 * [j * B, (j + 1) * B) of its sequence), and a needed batch is always scored whole. So every window is computed
 * in exactly the same batch, at the same row, in a whole-genome run and in any shard or region run, and its
 * probability is bit-identical however the work is split. See src/seq/regions.ts for which part writes what.
 *
 * Circular sequences (scan --circular, or a topology=circular header tag: src/seq/topology.ts) have no ends:
 * windows that run past the last base continue at base 0 (src/seq/windows.ts), so calls and bins may cross the
 * origin. Positions are kept on the unrolled line (p >= length is base p - length) until the sequence ends; then
 * the call open at the end joins the first call if they overlap or touch across the origin, anything past the
 * end is folded back, and a call crossing the origin is written as two BED lines, [start, length) and [0, end),
 * that share name, score and statistics (src/scan/origin.ts). Lines stay sorted by start, so a circular sequence's calls and bins
 * are held until its last window is scored (~50 bytes per window with --bedgraph).
 *
 * Split runs on a circular sequence stay exact with three extra rules, whose costs the README states:
 * - the lines at the start of the sequence that come from across the origin belong to the part that owns
 *   window 0; to know the call that crosses the origin whole, that part scores the whole sequence;
 * - every part scores from window 0 until the first call closes (if that call starts close enough to the origin
 *   to be joined), so the part owning the call that crosses the origin can finish it exactly;
 * - a part owning that first call also scores the windows within a window length of the end, to tell whether
 *   the call is joined (then the origin's owner writes it).
 */
import type { FastaChunk } from '../io/fasta.js';
import type { Batch } from '../seq/batch.js';
import { combineStrands } from '../seq/strands.js';
import { type WindowGrid, regularWindowCount, windowCount } from '../seq/windows.js';
import { strandBatch } from './window-batch.js';
import { type SequencePlace, SlidingSequence, type StreamSettings, type StreamStats, streamSequences } from './window-stream.js';
import { type CalledRegion, RegionMerger } from './merge.js';
import { cutAtOrigin, foldCalls } from './origin.js';
import { type OwnedStarts, inIntervals } from '../seq/regions.js';

/** What a called window adds to a region: the whole window, or its central stride-wide core. */
export const CALL_EXTENTS = ['window', 'core'] as const;
export type CallExtent = (typeof CALL_EXTENTS)[number];

export interface ScanSettings extends StreamSettings {
  /** a window is called when its (combined) probability is >= threshold */
  threshold: number;
  /** what a called window adds to a region: the whole window, or its central stride-wide bin */
  extent: CallExtent;
  /** report per-window scores (for bedGraph) */
  windowScores: boolean;
  /**
   * Sees every window this run owns, once, in order, with the extent it would call (unrolled past the origin
   * of a circular sequence): what scan --fdr keeps as candidates (src/scan/candidates.ts).
   */
  onWindow?: (chrom: string, extentStart: number, extentEnd: number, windowStart: number, prob: number) => void;
  /** A circular sequence this run scanned to its end, with its length. */
  onCircularEnd?: (chrom: string, lengthBp: number) => void;
}

/** One probability (of the positive class) per batch row. */
export type WindowScorer = (batch: Batch) => Float32Array;

export interface ScoredBin {
  start: number;
  end: number;
  prob: number;
}

/** What one scored batch adds to the outputs, already restricted to what this run owns. */
export interface ScanEvent {
  chrom: string;
  regions: CalledRegion[];
  bins: ScoredBin[];
  /** bases of the input, counted from its start, that are scanned or skipped for good: for progress */
  basesDone: number;
}

export interface ScanStats extends StreamStats {
  windowsScored: number;
  windowsSkippedN: number;
  regions: number;
}

export function emptyStats(): ScanStats {
  return {
    sequences: 0,
    basesRead: 0,
    basesScanned: 0,
    windowsScored: 0,
    windowsSkippedN: 0,
    regions: 0,
    shortSequences: [],
    circularSequences: 0,
    seen: new Set(),
  };
}

/**
 * Scans every sequence in `chunks` (from readFastaChunks). `owned`: the window starts this run owns per
 * sequence (src/seq/regions.ts); undefined means all of them. Reading stops early once every owned sequence is done.
 */
export function scanChunks(
  chunks: AsyncIterable<FastaChunk>,
  owned: OwnedStarts | undefined,
  settings: ScanSettings,
  score: WindowScorer,
  stats: ScanStats,
  source: string,
): AsyncGenerator<ScanEvent> {
  return streamSequences(chunks, owned, stats, settings, source, (place) => new SequenceScan(place, settings, score, stats));
}

class SequenceScan extends SlidingSequence<ScanEvent> {
  lengthBp: number | undefined;
  private readonly merger = new RegionMerger();
  /** first interval whose lookback range may still reach the coming windows */
  private intervalCursor = 0;
  // Circular sequences only (see the top of this file):
  /** this part owns window 0, so it writes what lands at the start from across the origin */
  private readonly ownsOrigin: boolean;
  /** still scoring from window 0 to find the first call */
  private headScan: boolean;
  /** the first call, when it starts close enough to the origin for a call crossing the origin to join it */
  private headRegion: CalledRegion | undefined;
  /** the furthest past the origin a call can reach: a first call starting after this is never joined */
  private readonly reachBp: number;
  /** owned calls and bins, held until the sequence ends */
  private readonly heldRegions: CalledRegion[] = [];
  private readonly heldBins: ScoredBin[] = [];

  constructor(
    place: SequencePlace,
    private readonly settings: ScanSettings,
    private readonly score: WindowScorer,
    private readonly stats: ScanStats,
  ) {
    super(place, settings);
    const { owned, circular } = place;
    this.ownsOrigin = circular && inIntervals(owned, 0);
    this.headScan = circular;
    this.reachBp = settings.extent === 'core' ? this.extentOffset : this.windowBp - 1;
    // Batches before the first interval's lookback are never needed: start at the one that holds it. (A circular
    // sequence is scanned from window 0 on, for its first call.)
    const firstNeeded = circular ? 0 : Math.max(0, owned[0]![0] - this.windowBp);
    this.nextBatch = Math.floor(Math.ceil(firstNeeded / this.strideBp) / this.batchWindows);
  }

  /** Scores every batch whose windows are all available; `ended`: the sequence's last chunk has arrived. */
  *processReady(ended: boolean): Generator<ScanEvent> {
    const { windowBp: W, layout } = this;
    if (ended) this.lengthBp = this.received;
    const lengthBp = ended ? this.received : Infinity; // Infinity: only regular windows are known so far
    for (let next = this.nextWindows(lengthBp); next && !this.done; next = this.nextWindows(lengthBp)) {
      const { first, last, total } = next;
      // Not all of its windows have arrived. On a circular sequence, also wait while a window may lie within a
      // window length of the end: such windows may run past it, or be needed to look across the origin.
      if (!ended && last * this.strideBp + W >= this.received + (this.circular ? 0 : 1)) break;
      const firstStart = layout.start(first, lengthBp);
      const lastStart = layout.start(last, lengthBp);
      // Before the end, the next window may turn out to be the tail, which starts just after this batch's last.
      const nextStart = last + 1 >= total ? Infinity : ended || this.circular ? layout.start(last + 1, lengthBp) : last * this.strideBp + 1;
      const event: ScanEvent = {
        chrom: this.chrom,
        regions: [],
        bins: [],
        basesDone: this.basesBefore + Math.min(lastStart + W, this.received),
      };
      if (this.batchNeeded(firstStart, lastStart, lengthBp)) {
        this.scoreBatch(first, last, lengthBp, event);
      } else {
        this.merger.close(); // a region open here started outside what this run owns: not ours to write
      }
      // On a circular sequence the call open at the end may continue across the origin: finishCircular decides.
      if (!(this.circular && nextStart === Infinity)) this.emitClosed(this.merger.closeBefore(nextStart + this.extentOffset), event);
      this.nextBatch++;
      if (this.circular) {
        this.followHeadScan(nextStart);
        if (this.circularPartDone(nextStart)) {
          this.releaseHeld(event);
          this.done = true;
        }
      } else {
        if (nextStart === Infinity) this.emitClosed(this.merger.close(), event);
        if (this.openOwned() === undefined && this.noIntervalsFrom(nextStart)) this.done = true;
      }
      yield event; // even when empty: progress
    }
    if (ended) {
      // Windows are all scored: anything still open closes at the sequence end.
      const event: ScanEvent = { chrom: this.chrom, regions: [], bins: [], basesDone: this.basesBefore + this.received };
      if (!this.circular) this.emitClosed(this.merger.close(), event);
      else if (!this.done) this.finishCircular(event);
      yield event;
      this.done = true;
      if (this.circular) this.settings.onCircularEnd?.(this.chrom, this.received);
    }
  }

  /** Where a window's called extent starts, relative to the window (a core bin never starts earlier). */
  private get extentOffset(): number {
    const { windowBp, strideBp } = this.settings.grid;
    return this.settings.extent === 'core' ? Math.floor((windowBp - Math.min(strideBp, windowBp)) / 2) : 0;
  }

  private openOwned(): number | undefined {
    const start = this.merger.openAnchor;
    return start !== undefined && inIntervals(this.owned, start) ? start : undefined;
  }

  /**
   * A batch is needed when it holds an owned window, a lookback window, or may extend an owned open region; on a
   * circular sequence also when the rules at the top of this file say so.
   */
  private batchNeeded(firstStart: number, lastStart: number, lengthBp: number): boolean {
    if (this.ownsOrigin || this.headScan) return true;
    if (this.circular && lastStart + this.windowBp >= lengthBp && this.ownsHeadRegion()) return true;
    if (this.openOwned() !== undefined) return true;
    while (this.intervalCursor < this.owned.length && this.owned[this.intervalCursor]![1] <= firstStart) this.intervalCursor++;
    for (let k = this.intervalCursor; k < this.owned.length; k++) {
      const [start, end] = this.owned[k]!;
      if (start - this.windowBp > lastStart) break;
      if (end > firstStart) return true;
    }
    return false;
  }

  private noIntervalsFrom(position: number): boolean {
    const lastInterval = this.owned[this.owned.length - 1]!;
    return position >= lastInterval[1];
  }

  private emitClosed(region: CalledRegion | undefined, event: ScanEvent): void {
    if (!region) return;
    if (this.circular) {
      if (this.headScan) {
        // The first call of the sequence (scanned from window 0 without a gap).
        if (region.start <= this.reachBp) this.headRegion = region;
        this.headScan = false;
      }
      if (inIntervals(this.owned, region.anchor)) this.heldRegions.push(region);
    } else if (inIntervals(this.owned, region.anchor)) {
      event.regions.push(region);
      this.stats.regions++;
    }
  }

  /** After a batch: stop scanning for the first call once it is found or can no longer be joined across the origin. */
  private followHeadScan(nextStart: number): void {
    if (!this.headScan) return;
    const openStart = this.merger.openStart;
    if (openStart !== undefined ? openStart > this.reachBp : nextStart + this.extentOffset > this.reachBp) this.headScan = false;
  }

  private ownsHeadRegion(): boolean {
    return this.headRegion !== undefined && inIntervals(this.owned, this.headRegion.anchor);
  }

  /** A part of a circular sequence is done early only when nothing it writes depends on the sequence's end. */
  private circularPartDone(nextStart: number): boolean {
    return (
      !this.ownsOrigin && !this.headScan && !this.ownsHeadRegion() && this.openOwned() === undefined && this.noIntervalsFrom(nextStart)
    );
  }

  /** Writes the held lines of a circular sequence, sorted by start (those folded back from past the end first). */
  private releaseHeld(event: ScanEvent, regions: CalledRegion[] = this.heldRegions): void {
    event.regions.push(...regions.slice().sort((a, b) => a.start - b.start));
    event.bins.push(...this.heldBins.slice().sort((a, b) => a.start - b.start));
    this.stats.regions += regions.length;
    this.heldRegions.length = 0;
    this.heldBins.length = 0;
  }

  /** The end of a circular sequence: folds its calls back onto the circle and writes the lines this part owns. */
  private finishCircular(event: ScanEvent): void {
    const lengthBp = this.received;
    const open = this.merger.close();
    const first = this.headScan ? (open && open.start <= this.reachBp ? open : undefined) : this.headRegion;
    const lines = foldCalls(this.heldRegions, open, first, lengthBp)
      .filter(({ piece, folded }) => (folded ? this.ownsOrigin : inIntervals(this.owned, piece.anchor)))
      .map(({ piece }) => piece);
    this.releaseHeld(event, lines);
  }

  /** A circular sequence's bin, cut at the origin like a call; each piece goes to the part that writes it. */
  private holdBin(windowAt: number, start: number, end: number, prob: number, lengthBp: number): void {
    for (const [pieceStart, pieceEnd, folded] of cutAtOrigin(start, end, lengthBp)) {
      if (folded ? this.ownsOrigin : inIntervals(this.owned, windowAt)) this.heldBins.push({ start: pieceStart, end: pieceEnd, prob });
    }
  }

  private scoreBatch(first: number, last: number, lengthBp: number, event: ScanEvent): void {
    const { windowBp: W, layout } = this;
    const { threshold } = this.settings;
    const prepared = strandBatch(this.buffered(), layout, W, first, last, lengthBp, this.settings, 'scan', (start) => {
      if (inIntervals(this.owned, start)) this.stats.windowsSkippedN++;
    });
    if (!prepared) return;
    const { rows, batch } = prepared;
    const both = this.settings.strand === 'both';
    const probs = this.score(batch);
    const combine = this.settings.rcCombine;
    rows.forEach((i, r) => {
      const prob = !both ? probs[r]! : combineStrands(probs[r]!, probs[rows.length + r]!, combine);
      const start = layout.start(i, lengthBp);
      const [binStart, binEnd] = layout.bin(i, lengthBp);
      const owned = inIntervals(this.owned, start);
      if (owned) this.stats.windowsScored++;
      if (owned && this.settings.onWindow) {
        if (this.settings.extent === 'window') this.settings.onWindow(this.chrom, start, start + W, start, prob);
        else if (binEnd > binStart) this.settings.onWindow(this.chrom, binStart, binEnd, start, prob);
      }
      if (this.settings.windowScores && binEnd > binStart) {
        if (this.circular) this.holdBin(start, binStart, binEnd, prob, lengthBp);
        else if (inIntervals(this.owned, start)) event.bins.push({ start: binStart, end: binEnd, prob });
      }
      if (prob < threshold) return;
      if (this.settings.extent === 'window') this.emitClosed(this.merger.add(start, start + W, prob), event);
      else if (binEnd > binStart) this.emitClosed(this.merger.add(binStart, binEnd, prob, start), event); // an empty tail bin adds nothing
    });
  }
}

/** For tests and messages: how many windows a sequence of this length has. */
export function describeGrid(lengthBp: number, grid: WindowGrid): { regular: number; total: number } {
  return { regular: regularWindowCount(lengthBp, grid), total: windowCount(lengthBp, grid) };
}
