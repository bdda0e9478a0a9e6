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
import type { FastaChunk } from '../io/fasta.js';
import type { Batch } from '../seq/batch.js';
import type { OwnedStarts } from '../seq/regions.js';
import { strandBatch } from './window-batch.js';
import { type SequencePlace, SlidingSequence, type StreamSettings, type StreamStats, streamSequences } from './window-stream.js';
import { BinWriter, type TrackBin } from './track-bins.js';
import { TrackAccumulator, windowTrack } from './track-combine.js';
import { RunCaller, type TrackRun, circularRunLines } from './track-runs.js';

export interface TrackSettings extends StreamSettings {
  /** a base is called when its probability is >= threshold */
  threshold: number;
  /** runs separated by at most this many uncalled bases join */
  mergeGapBp: number;
  /** shorter runs (after joining) are not written */
  minRunBp: number;
  /** bedGraph bin width in bp; 0 writes no bins */
  binBp: number;
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

export interface TrackStats extends StreamStats {
  windowsScored: number;
  windowsSkippedN: number;
  runs: number;
  /** bases given a probability */
  basesScored: number;
}

export function emptyTrackStats(): TrackStats {
  return {
    sequences: 0,
    basesRead: 0,
    basesScanned: 0,
    windowsScored: 0,
    windowsSkippedN: 0,
    runs: 0,
    basesScored: 0,
    shortSequences: [],
    circularSequences: 0,
    seen: new Set(),
  };
}

/** Scans every sequence in `chunks`; `owned` (undefined: everything) limits the bases written, per sequence. */
export function scanTrack(
  chunks: AsyncIterable<FastaChunk>,
  owned: OwnedStarts | undefined,
  settings: TrackSettings,
  score: PositionScorer,
  stats: TrackStats,
  source: string,
): AsyncGenerator<TrackEvent> {
  return streamSequences(chunks, owned, stats, settings, source, (place) => new SequenceTrack(place, settings, score, stats));
}

class SequenceTrack extends SlidingSequence<TrackEvent> {
  /** bases before this have been written (or were not owned) */
  private finalized: number;
  private readonly accumulator: TrackAccumulator;
  private readonly runs: RunCaller;
  private readonly bins: BinWriter | undefined;
  /** circular only: runs held until the end, when the origin is known */
  private readonly heldRuns: TrackRun[] = [];

  constructor(
    place: SequencePlace,
    private readonly settings: TrackSettings,
    private readonly score: PositionScorer,
    private readonly stats: TrackStats,
  ) {
    super(place, settings);
    const { owned, circular } = place;
    this.accumulator = new TrackAccumulator(this.windowBp);
    this.runs = new RunCaller(settings.threshold, settings.mergeGapBp);
    this.bins = settings.binBp > 0 ? new BinWriter(settings.binBp) : undefined;
    // Start at the batch holding the first window over an owned base (a circular sequence is scored whole).
    const firstOwned = circular ? 0 : owned[0]![0];
    const firstWindow = Math.max(0, Math.ceil((firstOwned - this.windowBp + 1) / this.strideBp));
    this.nextBatch = Math.floor(firstWindow / this.batchWindows);
    this.finalized = this.keepFrom;
    this.accumulator.dropBefore(this.finalized);
  }

  /** Scores every batch whose windows have all arrived; `ended`: the sequence's last chunk has. */
  *processReady(ended: boolean): Generator<TrackEvent> {
    const { windowBp: W, strideBp: S, layout } = this;
    const lengthBp = ended ? this.received : Infinity; // Infinity: only regular windows are known so far
    for (let next = this.nextWindows(lengthBp); next && !this.done; next = this.nextWindows(lengthBp)) {
      const { first, last, total } = next;
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
      this.stats.runs += event.runs.length;
      yield event;
    }
    if (ended && !this.done) {
      const event = this.event(this.received);
      if (this.circular) this.finishCircular(event);
      else {
        this.emit(this.received, event);
        this.finish(event);
      }
      this.stats.runs += event.runs.length;
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

  private scoreBatch(first: number, last: number, lengthBp: number): void {
    const { windowBp: W, layout } = this;
    const { strand, rcCombine } = this.settings;
    const prepared = strandBatch(
      this.buffered(),
      layout,
      W,
      first,
      last,
      lengthBp,
      this.settings,
      'track',
      () => this.stats.windowsSkippedN++,
    );
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
