/**
 * The scan of a tagger (a model trained with `train --task tag`): slides windows along each sequence as its chunks
 * stream in, scores every base of every window (both strands, combined per base), averages overlapping windows
 * into one probability per base (src/scan/track-combine.ts), and turns that track into runs of called bases
 * (track-runs.ts) and bedGraph bins (track-bins.ts).
 *
 * Windows lie on the scanner's grid (src/seq/windows.ts) and are scored in batches aligned to the window index,
 * as scanner.ts does, so a base's probability is bit-identical in a whole-genome run and in a --region run.
 * `owned` says which bases to write (a --region); only batches with a window over them are scored, and runs and
 * bins are cut at its edges.
 *
 * Memory stays flat on linear sequences: bases are held from the next batch's first window on, and per-base sums
 * from the first base not yet final. A circular sequence (windows past the end continue at base 0) is scored
 * whole and its sums (8 bytes per base) are kept until its last window, as the bases at the start are final only
 * then; a run that reaches both ends is one run across the origin, written as two lines.
 */
import { dataError } from '../errors.js';
import type { FastaChunk } from '../io/fasta.js';
import type { Batch } from '../seq/batch.js';
import { type OwnedStarts } from '../seq/regions.js';
import { isCircular } from '../seq/topology.js';
import { type WindowGrid, type WindowLayout, windowLayout } from '../seq/windows.js';
import { type BufferedSequence, strandBatch } from './window-batch.js';
import type { RcCombine, StrandMode } from '../seq/strands.js';
import { BinWriter, type TrackBin } from './track-bins.js';
import { TrackAccumulator, windowTrack } from './track-combine.js';
import { RunCaller, type TrackRun, circularRunLines } from './track-runs.js';

export interface TrackSettings {
  grid: WindowGrid;
  /** windows per batch (per strand) */
  batchWindows: number;
  /** windows with more N bases than this are skipped */
  maxN: number;
  strand: StrandMode;
  rcCombine: RcCombine;
  /** a base is called when its probability is >= threshold */
  threshold: number;
  /** runs separated by at most this many uncalled bases join */
  mergeGapBp: number;
  /** shorter runs (after joining) are not written */
  minRunBp: number;
  /** bedGraph bin width in bp; 0 writes no bins */
  binBp: number;
  /** alphabet channels and the byte encoding table (src/seq/windows.ts byteEncodingTable) */
  channels: number;
  encoding: Float32Array;
  /** every sequence is circular; else only those whose header says so */
  circular?: boolean;
}

/** The tagged class's probability at every position of every batch row: [batch × steps]. */
export type PositionScorer = (batch: Batch) => Float32Array;

export interface TrackEvent {
  chrom: string;
  runs: TrackRun[];
  bins: TrackBin[];
  /** bases of the input, counted from its start, that are done with: for progress */
  basesDone: number;
}

export interface TrackStats {
  sequences: number;
  basesRead: number;
  windowsScored: number;
  windowsSkippedN: number;
  runs: number;
  /** bases given a probability */
  basesScored: number;
  shortSequences: string[];
  circularSequences: number;
  seen: Set<string>;
}

export function emptyTrackStats(): TrackStats {
  return { sequences: 0, basesRead: 0, windowsScored: 0, windowsSkippedN: 0, runs: 0, basesScored: 0, shortSequences: [], circularSequences: 0, seen: new Set() };
}

const WHOLE: Array<[number, number]> = [[0, Infinity]];

/** Scans every sequence in `chunks`; `owned` (undefined: everything) limits the bases written, per sequence. */
export async function* scanTrack(
  chunks: AsyncIterable<FastaChunk>,
  owned: OwnedStarts | undefined,
  settings: TrackSettings,
  score: PositionScorer,
  stats: TrackStats,
  source: string,
): AsyncGenerator<TrackEvent> {
  const remaining = owned ? new Set(owned.keys()) : undefined;
  let current: SequenceTrack | undefined;
  for await (const chunk of chunks) {
    if (chunk.offset === 0) {
      if (stats.seen.has(chunk.id)) throw dataError({ file: source, line: chunk.line, record: chunk.id }, 'duplicate sequence name; BED output needs unique names');
      stats.seen.add(chunk.id);
      stats.sequences++;
      const circular = isCircular(chunk.description, settings.circular === true);
      if (circular) stats.circularSequences++;
      const intervals = owned ? owned.get(chunk.id) : WHOLE;
      current = intervals ? new SequenceTrack(chunk.id, intervals, settings, score, stats, stats.basesRead, circular) : undefined;
    }
    stats.basesRead += chunk.sequence.length;
    if (current && !current.done) {
      current.append(chunk.sequence);
      for (const event of current.processReady(chunk.last)) {
        stats.runs += event.runs.length;
        yield event;
      }
    }
    if (chunk.last || current?.done) {
      if (chunk.last && current && current.received < settings.grid.windowBp) stats.shortSequences.push(chunk.id);
      remaining?.delete(chunk.id);
      current = undefined;
      if (remaining && remaining.size === 0) return; // every owned sequence is done: stop reading
    }
  }
}

class SequenceTrack {
  done = false;
  received = 0;
  private bytes = Buffer.allocUnsafe(1 << 16);
  private bufStart = 0;
  private bufLength = 0;
  private nextBatch: number;
  /** bases before this have been written (or were not owned) */
  private finalized: number;
  private readonly accumulator: TrackAccumulator;
  private readonly runs: RunCaller;
  private readonly bins: BinWriter | undefined;
  private readonly layout: WindowLayout;
  private readonly windowBp: number;
  private readonly strideBp: number;
  /** circular only: the first windowBp - 1 bases, which windows running past the end continue into */
  private readonly head: Buffer;
  private headLength = 0;
  /** circular only: runs held until the end, when the origin is known */
  private readonly heldRuns: TrackRun[] = [];

  constructor(
    private readonly chrom: string,
    private readonly owned: ReadonlyArray<readonly [number, number]>,
    private readonly settings: TrackSettings,
    private readonly score: PositionScorer,
    private readonly stats: TrackStats,
    private readonly basesBefore: number,
    private readonly circular: boolean,
  ) {
    this.windowBp = settings.grid.windowBp;
    this.strideBp = settings.grid.strideBp;
    this.layout = windowLayout(settings.grid, circular);
    this.accumulator = new TrackAccumulator(this.windowBp);
    this.runs = new RunCaller(settings.threshold, settings.mergeGapBp);
    this.bins = settings.binBp > 0 ? new BinWriter(settings.binBp) : undefined;
    this.head = Buffer.alloc(circular ? this.windowBp - 1 : 0);
    // Start at the batch holding the first window over an owned base (a circular sequence is scored whole).
    const firstOwned = circular ? 0 : owned[0]![0];
    const firstWindow = Math.max(0, Math.ceil((firstOwned - this.windowBp + 1) / this.strideBp));
    this.nextBatch = Math.floor(firstWindow / settings.batchWindows);
    this.finalized = this.keepFrom;
    this.accumulator.dropBefore(this.finalized);
  }

  /** Bases before this are never read again (see scanner.ts: a tail window may start one stride back). */
  private get keepFrom(): number {
    return Math.max(0, (this.nextBatch * this.settings.batchWindows - 1) * this.strideBp);
  }

  append(sequence: string): void {
    const from = this.received;
    if (this.headLength < this.head.length) {
      this.headLength += this.head.write(sequence.slice(0, this.head.length - this.headLength), this.headLength, 'latin1');
    }
    this.received += sequence.length;
    const keep = this.keepFrom;
    const drop = Math.min(Math.max(0, keep - this.bufStart), this.bufLength);
    if (drop > 0) {
      this.bytes.copyWithin(0, drop, this.bufLength);
      this.bufLength -= drop;
      this.bufStart += drop;
    }
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

  /** Scores every batch whose windows have all arrived; `ended`: the sequence's last chunk has. */
  *processReady(ended: boolean): Generator<TrackEvent> {
    const { windowBp: W, strideBp: S, layout } = this;
    const B = this.settings.batchWindows;
    const lengthBp = ended ? this.received : Infinity; // Infinity: only regular windows are known so far
    const total = layout.count(lengthBp);
    while (!this.done) {
      const first = this.nextBatch * B;
      if (first >= total) break;
      const last = Math.min(total, first + B) - 1;
      if (!ended && last * S + W > this.received) break;
      const event = this.event(layout.start(last, lengthBp) + W);
      const spanStart = layout.start(first, lengthBp);
      const spanEnd = layout.start(last, lengthBp) + W;
      if (this.circular || this.ownsAny(spanStart, spanEnd)) this.scoreBatch(first, last, lengthBp);
      this.nextBatch++;
      if (!this.circular) {
        // No window still to come reaches before its start; before the end, the next may be the tail window,
        // which starts after this batch's last.
        const nextStart = last + 1 >= total ? lengthBp : ended ? layout.start(last + 1, lengthBp) : last * S + 1;
        this.emit(nextStart, event);
        if (this.finalized >= this.owned[this.owned.length - 1]![1]) this.finish(event);
      }
      yield event;
    }
    if (ended && !this.done) {
      const event = this.event(this.received);
      if (this.circular) this.finishCircular(event);
      else {
        this.emit(this.received, event);
        this.finish(event);
      }
      yield event;
    }
  }

  private event(upTo: number): TrackEvent {
    return { chrom: this.chrom, runs: [], bins: [], basesDone: this.basesBefore + Math.min(upTo, this.received) };
  }

  private ownsAny(start: number, end: number): boolean {
    return this.owned.some(([a, b]) => a < end && b > start);
  }

  /** Writes the owned bases in [finalized, upTo) to runs and bins, then forgets them. */
  private emit(upTo: number, event: TrackEvent, runs: TrackRun[] = event.runs): void {
    if (upTo <= this.finalized) return;
    const values = this.accumulator.values(this.finalized, upTo);
    for (const [a, b] of this.owned) {
      const from = Math.max(a, this.finalized);
      const to = Math.min(b, upTo);
      for (let p = from; p < to; p++) {
        const prob = values[p - this.finalized]!;
        if (!Number.isNaN(prob)) this.stats.basesScored++;
        this.keep(this.runs.add(p, prob), runs);
        if (this.bins) for (const bin of this.bins.add(p, prob)) event.bins.push(bin);
      }
    }
    this.finalized = upTo;
    if (!this.circular) this.accumulator.dropBefore(upTo);
  }

  private finish(event: TrackEvent, runs: TrackRun[] = event.runs): void {
    this.keep(this.runs.close(), runs);
    if (this.bins) event.bins.push(...this.bins.close());
    this.done = true;
  }

  private finishCircular(event: TrackEvent): void {
    this.accumulator.foldAt(this.received);
    this.emit(this.received, event, this.heldRuns);
    this.finish(event, this.heldRuns);
    // Runs join across the origin only when this run writes the bases on both sides of it.
    const ownsOrigin = this.owned[0]![0] === 0 && this.owned[this.owned.length - 1]![1] >= this.received;
    event.runs.push(...circularRunLines(this.heldRuns, this.received, ownsOrigin ? this.settings.mergeGapBp : -1, this.settings.minRunBp));
  }

  /** A closed run goes out if long enough; on a circular sequence, it is held whole until the origin is known. */
  private keep(run: TrackRun | undefined, runs: TrackRun[]): void {
    if (run && (this.circular || run.end - run.start >= this.settings.minRunBp)) runs.push(run);
  }

  private buffered(): BufferedSequence {
    return { chrom: this.chrom, bytes: this.bytes, bufStart: this.bufStart, bufLength: this.bufLength, received: this.received, head: this.head };
  }

  private scoreBatch(first: number, last: number, lengthBp: number): void {
    const { windowBp: W, layout } = this;
    const { strand, rcCombine } = this.settings;
    const prepared = strandBatch(this.buffered(), layout, W, first, last, lengthBp, this.settings, 'track', () => this.stats.windowsSkippedN++);
    if (!prepared) return;
    const { rows, batch, reverseBase } = prepared;
    const probs = this.score(batch);
    rows.forEach((i, r) => {
      const forward = strand !== '-' ? probs.subarray(r * W, (r + 1) * W) : undefined;
      const reverse = strand !== '+' ? probs.subarray((reverseBase + r) * W, (reverseBase + r + 1) * W) : undefined;
      this.accumulator.add(layout.start(i, lengthBp), windowTrack(forward, reverse, rcCombine));
      this.stats.windowsScored++;
    });
  }
}
