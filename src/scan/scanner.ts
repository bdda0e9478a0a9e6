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
 */
import { dataError } from '../errors.js';
import type { FastaChunk } from '../io/fasta.js';
import type { Batch } from '../seq/batch.js';
import { type WindowGrid, encodeBytes, nPrefixSums, regularWindowCount, windowBin, windowCount, windowStart } from '../seq/windows.js';
import { type CalledRegion, RegionMerger } from './merge.js';
import { type OwnedStarts, inIntervals } from '../seq/regions.js';

export type StrandMode = 'both' | '+' | '-';
export type RcCombine = 'max' | 'mean';

/** One probability from a window's two strands, as --rc-combine says. */
export function combineStrands(forward: number, reverse: number, how: RcCombine): number {
  return how === 'max' ? Math.max(forward, reverse) : (forward + reverse) / 2;
}
export type CallExtent = 'window' | 'core';

export interface ScanSettings {
  grid: WindowGrid;
  /** windows per batch (per strand) */
  batchWindows: number;
  /** windows with more N bases than this are skipped */
  maxN: number;
  strand: StrandMode;
  rcCombine: RcCombine;
  /** a window is called when its (combined) probability is >= threshold */
  threshold: number;
  /** what a called window adds to a region: the whole window, or its central stride-wide bin */
  extent: CallExtent;
  /** report per-window scores (for bedGraph) */
  windowScores: boolean;
  /** alphabet channels and the byte encoding table (src/seq/windows.ts byteEncodingTable) */
  channels: number;
  encoding: Float32Array;
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

export interface ScanStats {
  sequences: number;
  basesRead: number;
  windowsScored: number;
  windowsSkippedN: number;
  regions: number;
  /** sequences shorter than one window: no windows */
  shortSequences: string[];
  seen: Set<string>;
}

export function emptyStats(): ScanStats {
  return { sequences: 0, basesRead: 0, windowsScored: 0, windowsSkippedN: 0, regions: 0, shortSequences: [], seen: new Set() };
}

const WHOLE: Array<[number, number]> = [[0, Infinity]];

/**
 * Scans every sequence in `chunks` (from readFastaChunks). `owned`: the window starts this run owns per
 * sequence (src/seq/regions.ts); undefined means all of them. Reading stops early once every owned sequence is done.
 */
export async function* scanChunks(
  chunks: AsyncIterable<FastaChunk>,
  owned: OwnedStarts | undefined,
  settings: ScanSettings,
  score: WindowScorer,
  stats: ScanStats,
  source: string,
): AsyncGenerator<ScanEvent> {
  const remaining = owned ? new Set(owned.keys()) : undefined;
  let current: SequenceScan | undefined;
  for await (const chunk of chunks) {
    if (chunk.offset === 0) {
      if (stats.seen.has(chunk.id)) {
        throw dataError({ file: source, line: chunk.line, record: chunk.id }, 'duplicate sequence name; BED output needs unique names');
      }
      stats.seen.add(chunk.id);
      stats.sequences++;
      const intervals = owned ? owned.get(chunk.id) : WHOLE;
      current = intervals ? new SequenceScan(chunk.id, intervals, settings, score, stats, stats.basesRead) : undefined;
    }
    stats.basesRead += chunk.sequence.length;
    if (current && !current.done) {
      current.append(chunk.sequence);
      yield* current.processReady(chunk.last);
    }
    if (chunk.last) {
      if (current && current.lengthBp !== undefined && current.lengthBp < settings.grid.windowBp) stats.shortSequences.push(chunk.id);
      remaining?.delete(chunk.id);
      current = undefined;
      if (remaining && remaining.size === 0) return; // every owned sequence is done: stop reading
    } else if (current?.done && remaining) {
      remaining.delete(chunk.id);
      current = undefined;
      if (remaining.size === 0) return;
    }
  }
}

class SequenceScan {
  done = false;
  lengthBp: number | undefined;
  private bytes = Buffer.allocUnsafe(1 << 16);
  private bufStart = 0; // sequence coordinate of bytes[0]
  private bufLength = 0;
  private received = 0; // bases of the sequence seen so far
  private nextBatch = 0;
  private readonly merger = new RegionMerger();
  /** first interval whose lookback range may still reach the coming windows */
  private intervalCursor = 0;
  private readonly windowBp: number;
  private readonly strideBp: number;
  private readonly batchWindows: number;

  constructor(
    private readonly chrom: string,
    private readonly owned: ReadonlyArray<readonly [number, number]>,
    private readonly settings: ScanSettings,
    private readonly score: WindowScorer,
    private readonly stats: ScanStats,
    /** input bases before this sequence */
    private readonly basesBefore: number,
  ) {
    this.windowBp = settings.grid.windowBp;
    this.strideBp = settings.grid.strideBp;
    this.batchWindows = settings.batchWindows;
    // Batches before the first interval's lookback are never needed: start at the one that holds it.
    const firstNeeded = Math.max(0, owned[0]![0] - this.windowBp);
    this.nextBatch = Math.floor(Math.ceil(firstNeeded / this.strideBp) / this.batchWindows);
  }

  /**
   * Bases before this are never read again. One stride before the next batch's first regular window, because a
   * tail window (known only at the end) starts after the previous regular window, which may be that far back.
   */
  private get keepFrom(): number {
    return Math.max(0, (this.nextBatch * this.batchWindows - 1) * this.strideBp);
  }

  append(sequence: string): void {
    const from = this.received;
    this.received += sequence.length;
    const keep = this.keepFrom;
    this.discardBefore(keep);
    const skip = Math.max(0, keep - from);
    if (skip >= sequence.length) {
      this.bufStart = this.received;
      this.bufLength = 0;
      return;
    }
    if (this.bufLength === 0) this.bufStart = from + skip;
    const needed = this.bufLength + sequence.length - skip;
    if (needed > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(bigger, 0, 0, this.bufLength);
      this.bytes = bigger;
    }
    this.bufLength += this.bytes.write(skip > 0 ? sequence.slice(skip) : sequence, this.bufLength, 'latin1');
  }

  private discardBefore(position: number): void {
    const drop = Math.min(Math.max(0, position - this.bufStart), this.bufLength);
    if (drop === 0) return;
    this.bytes.copyWithin(0, drop, this.bufLength);
    this.bufLength -= drop;
    this.bufStart += drop;
  }

  /** Scores every batch whose windows are all available; `ended`: the sequence's last chunk has arrived. */
  *processReady(ended: boolean): Generator<ScanEvent> {
    const { windowBp: W, batchWindows: B } = this;
    const grid = this.settings.grid;
    if (ended) this.lengthBp = this.received;
    const lengthBp = ended ? this.received : Infinity; // Infinity: only regular windows are known so far
    const total = ended ? windowCount(lengthBp, grid) : Infinity;
    while (!this.done) {
      const first = this.nextBatch * B;
      if (first >= total) break;
      const last = Math.min(total, first + B) - 1;
      if (!ended && last * this.strideBp + W > this.received) break; // not all of its windows have arrived
      const firstStart = windowStart(first, lengthBp, grid);
      const lastStart = windowStart(last, lengthBp, grid);
      // Before the end, the next window may turn out to be the tail, which starts just after this batch's last.
      const nextStart = last + 1 >= total ? Infinity : ended ? windowStart(last + 1, lengthBp, grid) : last * this.strideBp + 1;
      const event: ScanEvent = { chrom: this.chrom, regions: [], bins: [], basesDone: this.basesBefore + lastStart + W };
      if (this.batchNeeded(firstStart, lastStart)) {
        this.scoreBatch(first, last, lengthBp, event);
      } else {
        this.merger.close(); // a region open here started outside what this run owns: not ours to write
      }
      this.emitClosed(this.merger.closeBefore(nextStart + this.extentOffset), event);
      this.nextBatch++;
      if (nextStart === Infinity) this.emitClosed(this.merger.close(), event);
      if (this.openOwned() === undefined && this.noIntervalsFrom(nextStart)) this.done = true;
      yield event; // even when empty: progress
    }
    if (ended) {
      // Windows are all scored: anything still open closes at the sequence end.
      const event: ScanEvent = { chrom: this.chrom, regions: [], bins: [], basesDone: this.basesBefore + this.received };
      this.emitClosed(this.merger.close(), event);
      yield event;
      this.done = true;
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

  /** A batch is needed when it holds an owned window, a lookback window, or may extend an owned open region. */
  private batchNeeded(firstStart: number, lastStart: number): boolean {
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
    if (region && inIntervals(this.owned, region.anchor)) {
      event.regions.push(region);
      this.stats.regions++;
    }
  }

  private scoreBatch(first: number, last: number, lengthBp: number, event: ScanEvent): void {
    const { windowBp: W } = this;
    const { grid, channels: C, strand, maxN, threshold } = this.settings;
    const spanStart = windowStart(first, lengthBp, grid);
    const spanEnd = windowStart(last, lengthBp, grid) + W;
    const spanLength = spanEnd - spanStart;
    const offset = spanStart - this.bufStart;
    if (offset < 0 || spanEnd - this.bufStart > this.bufLength) {
      throw new Error(`scan: window bases ${spanStart}-${spanEnd} of ${this.chrom} are not buffered (${this.bufStart}+${this.bufLength})`);
    }
    const nPrefix = nPrefixSums(this.bytes, offset, offset + spanLength);
    const rows: number[] = [];
    for (let i = first; i <= last; i++) {
      const at = windowStart(i, lengthBp, grid) - spanStart;
      if (nPrefix[at + W]! - nPrefix[at]! > maxN) {
        if (inIntervals(this.owned, at + spanStart)) this.stats.windowsSkippedN++;
      } else {
        rows.push(i);
      }
    }
    if (rows.length === 0) return;

    const encoded = new Float32Array(spanLength * C);
    encodeBytes(this.bytes, offset, offset + spanLength, this.settings.encoding, C, encoded);
    const strands = strand === 'both' ? 2 : 1;
    const windowFloats = W * C;
    const x = new Float32Array(strands * rows.length * windowFloats);
    if (strand !== '-') {
      rows.forEach((i, r) => {
        const at = windowStart(i, lengthBp, grid) - spanStart;
        x.set(encoded.subarray(at * C, (at + W) * C), r * windowFloats);
      });
    }
    if (strand !== '+') {
      // The reverse complement of the whole span, once; each window's is then a slice of it (windows.ts).
      encoded.reverse();
      const base = strand === 'both' ? rows.length : 0;
      rows.forEach((i, r) => {
        const at = spanLength - (windowStart(i, lengthBp, grid) - spanStart) - W;
        x.set(encoded.subarray(at * C, (at + W) * C), (base + r) * windowFloats);
      });
    }
    const probs = this.score({ x, batch: strands * rows.length, steps: W, channels: C });
    const combine = this.settings.rcCombine;
    rows.forEach((i, r) => {
      const prob = strands === 1 ? probs[r]! : combineStrands(probs[r]!, probs[rows.length + r]!, combine);
      const start = windowStart(i, lengthBp, grid);
      const [binStart, binEnd] = windowBin(i, lengthBp, grid);
      if (inIntervals(this.owned, start)) {
        this.stats.windowsScored++;
        if (this.settings.windowScores && binEnd > binStart) event.bins.push({ start: binStart, end: binEnd, prob });
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
