/**
 * What the window scanner (scanner.ts) and the per-base tagger (track.ts) share: sequences arrive as FASTA chunks
 * and are held only from the first base a coming window needs (a sliding byte buffer), plus, on a circular
 * sequence, its first windowBp - 1 bases, which the windows running past its end continue into. They differ only
 * in what they do with a scored batch.
 */
import { dataError } from '../errors.js';
import type { FastaChunk } from '../io/fasta.js';
import type { OwnedStarts } from '../seq/regions.js';
import type { RcCombine, StrandMode } from '../seq/strands.js';
import { isCircular } from '../seq/topology.js';
import { type WindowGrid, type WindowLayout, windowLayout } from '../seq/windows.js';
import type { BufferedSequence } from './window-batch.js';

/** How windows are laid along a sequence and batched, what is skipped, and which strands are read. */
export interface StreamSettings {
  grid: WindowGrid;
  /** windows per batch (per strand) */
  batchWindows: number;
  /** windows with more N bases than this are skipped */
  maxN: number;
  strand: StrandMode;
  rcCombine: RcCombine;
  /** alphabet channels and the byte encoding table (src/seq/windows.ts byteEncodingTable) */
  channels: number;
  encoding: Float32Array;
  /** every sequence is circular (scan --circular); else only those whose header says so */
  circular?: boolean;
}

/** A sequence as the stream meets it: its name, what this run owns of it, where it starts in the input. */
export interface SequencePlace {
  chrom: string;
  owned: ReadonlyArray<readonly [number, number]>;
  basesBefore: number;
  circular: boolean;
}

export interface StreamStats {
  sequences: number;
  /** every base of the input read, owned or not (a plain FASTA is read through to a --region; an indexed one is not) */
  basesRead: number;
  /** bases of the sequences, regions or shard this run owns: what `scanned` reports */
  basesScanned: number;
  /** sequences shorter than one window: no windows */
  shortSequences: string[];
  /** sequences scanned as circular */
  circularSequences: number;
  seen: Set<string>;
}

/** One sequence being scanned: its buffered bases, and the batches it scores as they become ready. */
export abstract class SlidingSequence<Event> {
  done = false;
  /** bases of the sequence seen so far */
  received = 0;
  private bytes = Buffer.allocUnsafe(1 << 16);
  private bufStart = 0; // sequence coordinate of bytes[0]
  private bufLength = 0;
  /** circular only: the first windowBp - 1 bases */
  private readonly head: Buffer;
  private headLength = 0;
  /** windows are scored in batches aligned to the window index; the next one to score */
  protected nextBatch = 0;
  protected readonly windowBp: number;
  protected readonly strideBp: number;
  protected readonly batchWindows: number;
  protected readonly layout: WindowLayout;

  protected readonly chrom: string;
  /** the positions this run owns (src/seq/regions.ts) */
  readonly owned: ReadonlyArray<readonly [number, number]>;
  /** input bases before this sequence */
  protected readonly basesBefore: number;
  protected readonly circular: boolean;

  constructor(place: SequencePlace, settings: StreamSettings) {
    ({ chrom: this.chrom, owned: this.owned, basesBefore: this.basesBefore, circular: this.circular } = place);
    const { circular } = place;
    this.windowBp = settings.grid.windowBp;
    this.strideBp = settings.grid.strideBp;
    this.batchWindows = settings.batchWindows;
    this.layout = windowLayout(settings.grid, circular);
    this.head = Buffer.alloc(circular ? this.windowBp - 1 : 0);
  }

  /**
   * Bases before this are never read again. One stride before the next batch's first regular window, because a
   * tail window (known only at the end) starts after the previous regular window, which may be that far back.
   */
  protected get keepFrom(): number {
    return Math.max(0, (this.nextBatch * this.batchWindows - 1) * this.strideBp);
  }

  /** Scores every batch whose windows have all arrived; `ended`: the sequence's last chunk has. */
  abstract processReady(ended: boolean): Generator<Event>;

  /**
   * The next batch's windows, first..last of total, or undefined when none is left. `lengthBp`: Infinity before
   * the sequence's end, when only its regular windows are known.
   */
  protected nextWindows(lengthBp: number): { first: number; last: number; total: number } | undefined {
    const total = this.layout.count(lengthBp);
    const first = this.nextBatch * this.batchWindows;
    if (first >= total) return undefined;
    return { first, last: Math.min(total, first + this.batchWindows) - 1, total };
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

  protected buffered(): BufferedSequence {
    return {
      chrom: this.chrom,
      bytes: this.bytes,
      bufStart: this.bufStart,
      bufLength: this.bufLength,
      received: this.received,
      head: this.head,
    };
  }
}

const WHOLE: Array<[number, number]> = [[0, Infinity]];

/**
 * Bases of a sequence (`received` of it read) that this run owns: the whole sequence, a --region's bases, a
 * shard's share. Shards and --region parts add up to the whole scan's count.
 */
function ownedBases(owned: ReadonlyArray<readonly [number, number]>, received: number): number {
  let bases = 0;
  for (const [start, end] of owned) bases += Math.max(0, Math.min(end, received) - start);
  return bases;
}

/**
 * Streams every sequence of `chunks` (from readFastaChunks) through a SlidingSequence made by `open` and yields
 * what it yields. `owned`: the positions this run owns per sequence (src/seq/regions.ts); undefined means all of
 * them. Reading stops early once every owned sequence is done.
 */
export async function* streamSequences<Event>(
  chunks: AsyncIterable<FastaChunk>,
  owned: OwnedStarts | undefined,
  stats: StreamStats,
  settings: StreamSettings,
  source: string,
  open: (place: SequencePlace) => SlidingSequence<Event>,
): AsyncGenerator<Event> {
  const remaining = owned ? new Set(owned.keys()) : undefined;
  let current: SlidingSequence<Event> | undefined;
  let position = 0; // in the input, for progress: bases a random-access reader skipped count too
  for await (const chunk of chunks) {
    if (chunk.offset === 0) {
      if (stats.seen.has(chunk.id))
        throw dataError({ file: source, line: chunk.line, record: chunk.id }, 'duplicate sequence name; BED output needs unique names');
      stats.seen.add(chunk.id);
      stats.sequences++;
      const circular = isCircular(chunk.description, settings.circular === true);
      if (circular) stats.circularSequences++;
      const intervals = owned ? owned.get(chunk.id) : WHOLE;
      current = intervals ? open({ chrom: chunk.id, owned: intervals, basesBefore: position, circular }) : undefined;
    }
    position += chunk.sequence.length;
    if (!chunk.placeholder) stats.basesRead += chunk.sequence.length;
    if (current && !current.done) {
      current.append(chunk.sequence);
      yield* current.processReady(chunk.last);
    }
    if (chunk.last || current?.done) {
      if (chunk.last && current && current.received < settings.grid.windowBp) stats.shortSequences.push(chunk.id);
      if (current) stats.basesScanned += ownedBases(current.owned, current.received);
      remaining?.delete(chunk.id);
      current = undefined;
      if (remaining && remaining.size === 0) return; // every owned sequence is done: stop reading
    }
  }
}
