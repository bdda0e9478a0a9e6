import type { Batch } from '../seq/batch.js';
import { type WindowLayout, encodeBytes, nPrefixSums } from '../seq/windows.js';

/** A scanner's rolling view of one sequence: the buffered bases and, for a circular one, its first bases. */
export interface BufferedSequence {
  chrom: string;
  bytes: Buffer;
  /** sequence coordinate of bytes[0] */
  bufStart: number;
  bufLength: number;
  /** bases of the sequence seen so far */
  received: number;
  /** the first windowBp − 1 bases of a circular sequence (empty for a linear one) */
  head: Buffer;
}

export interface StrandBatchSettings {
  channels: number;
  strand: 'both' | '+' | '-';
  maxN: number;
  encoding: Float32Array;
}

/** Windows first..last ready for the engine: forward rows, then (strand both) reverse-complement rows. */
export interface StrandBatch {
  /** window indices kept (N content within --max-n), in order; row r of each strand is rows[r] */
  rows: number[];
  batch: Batch;
  /** batch row of the first reverse-complement window */
  reverseBase: number;
}

/**
 * Encodes the span of windows first..last once and slices every window (and, reversed once, every window's
 * reverse complement) out of it. Windows with more than maxN N bases are left out and reported to onSkippedN.
 * Returns undefined when no window is left. `who` names the caller in the internal buffering check.
 */
export function strandBatch(
  source: BufferedSequence,
  layout: WindowLayout,
  windowBp: number,
  first: number,
  last: number,
  lengthBp: number,
  settings: StrandBatchSettings,
  who: string,
  onSkippedN: (start: number) => void,
): StrandBatch | undefined {
  const W = windowBp;
  const { channels: C, strand, maxN } = settings;
  const spanStart = layout.start(first, lengthBp);
  const spanEnd = layout.start(last, lengthBp) + W;
  const spanLength = spanEnd - spanStart;
  let bytes: Buffer = source.bytes;
  let offset = spanStart - source.bufStart;
  const bufferedEnd = Math.min(spanEnd, source.received); // windows of a circular sequence may run past its end
  if (offset < 0 || bufferedEnd - source.bufStart > source.bufLength) {
    throw new Error(
      `${who}: window bases ${spanStart}-${spanEnd} of ${source.chrom} are not buffered (${source.bufStart}+${source.bufLength})`,
    );
  }
  if (spanEnd > bufferedEnd) {
    // Past the end of a circular sequence the windows continue with its first bases.
    const joined = Buffer.allocUnsafe(spanLength);
    source.bytes.copy(joined, 0, offset, offset + bufferedEnd - spanStart);
    source.head.copy(joined, bufferedEnd - spanStart, 0, spanEnd - bufferedEnd);
    bytes = joined;
    offset = 0;
  }
  const nPrefix = nPrefixSums(bytes, offset, offset + spanLength);
  const rows: number[] = [];
  for (let i = first; i <= last; i++) {
    const at = layout.start(i, lengthBp) - spanStart;
    if (nPrefix[at + W]! - nPrefix[at]! > maxN) onSkippedN(at + spanStart);
    else rows.push(i);
  }
  if (rows.length === 0) return undefined;

  const encoded = new Float32Array(spanLength * C);
  encodeBytes(bytes, offset, offset + spanLength, settings.encoding, C, encoded);
  const strands = strand === 'both' ? 2 : 1;
  const windowFloats = W * C;
  const x = new Float32Array(strands * rows.length * windowFloats);
  if (strand !== '-') {
    rows.forEach((i, r) => {
      const at = layout.start(i, lengthBp) - spanStart;
      x.set(encoded.subarray(at * C, (at + W) * C), r * windowFloats);
    });
  }
  const reverseBase = strand === 'both' ? rows.length : 0;
  if (strand !== '+') {
    // The reverse complement of the whole span, once; each window's is then a slice of it (windows.ts).
    encoded.reverse();
    rows.forEach((i, r) => {
      const at = spanLength - (layout.start(i, lengthBp) - spanStart) - W;
      x.set(encoded.subarray(at * C, (at + W) * C), (reverseBase + r) * windowFloats);
    });
  }
  return { rows, batch: { x, batch: strands * rows.length, steps: W, channels: C }, reverseBase };
}
