/**
 * A random-access genome (src/io/genome-source.ts) read as the FASTA chunks the scanners take, fetching only the
 * bases a run needs: sequences it owns no window of are never read, and a sequence is read from where the first
 * batch holding an owned window's lookback starts (src/scan/scanner.ts: one window length before an interval,
 * rounded down to the batch). Bases before that are handed over as placeholders of the right length, which the
 * scanners drop unread, so window indices, batches and outputs are those of a streamed FASTA, byte for byte.
 * Circular sequences are read whole: a part needs the bases across the origin.
 */
import { dataError } from '../errors.js';
import type { FastaChunk } from '../io/fasta.js';
import type { GenomeSource } from '../io/genome-source.js';
import type { Alphabet } from './alphabet.js';
import type { OwnedStarts } from './regions.js';
import { isCircular } from './topology.js';
import type { WindowGrid } from './windows.js';

const CHUNK_BP = 1 << 20;
const PLACEHOLDER = 'N'.repeat(CHUNK_BP);

export interface GenomeChunkOptions {
  grid: WindowGrid;
  batchWindows: number;
  alphabet: Alphabet;
  /** every sequence circular (scan --circular) */
  circular?: boolean;
  signal?: AbortSignal;
}

/** The first base a scan of `owned` (sorted intervals of window starts) can read: see SequenceScan.keepFrom. */
export function firstBaseNeeded(owned: ReadonlyArray<readonly [number, number]>, grid: WindowGrid, batchWindows: number): number {
  const firstNeeded = Math.max(0, owned[0]![0] - grid.windowBp);
  const firstBatch = Math.floor(Math.ceil(firstNeeded / grid.strideBp) / batchWindows);
  return Math.max(0, (firstBatch * batchWindows - 1) * grid.strideBp);
}

export async function* genomeChunks(
  source: GenomeSource,
  owned: OwnedStarts | undefined,
  options: GenomeChunkOptions,
): AsyncGenerator<FastaChunk> {
  const { alphabet, signal } = options;
  for (const id of source.names()) {
    const intervals = owned ? owned.get(id) : undefined;
    if (owned && !intervals) continue;
    const length = source.length(id);
    const description = await source.description(id);
    const circular = isCircular(description, options.circular === true);
    const from = intervals && !circular ? Math.min(length, firstBaseNeeded(intervals, options.grid, options.batchWindows)) : 0;
    const chunk = (offset: number, sequence: string, last: boolean): FastaChunk => ({ id, description, line: 0, offset, sequence, last });
    for (let at = 0; at < from; at += CHUNK_BP) {
      const end = Math.min(from, at + CHUNK_BP);
      yield { ...chunk(at, end - at === CHUNK_BP ? PLACEHOLDER : PLACEHOLDER.slice(0, end - at), end === length), placeholder: true };
    }
    if (from === length && from > 0) continue;
    for (let at = from; at < length || at === 0; at += CHUNK_BP) {
      signal?.throwIfAborted();
      const end = Math.min(length, at + CHUNK_BP);
      const bytes = await source.fetchBytes(id, at, end);
      checkAlphabet(bytes, alphabet, source.path, id, at);
      yield chunk(at, bytes.toString('latin1'), end === length);
      if (length === 0) break;
    }
  }
}

/** The streaming reader's check, for bases that never pass through it. */
function checkAlphabet(bytes: Buffer, alphabet: Alphabet, file: string, id: string, offset: number): void {
  const allowed = alphabet.allowed;
  for (let i = 0; i < bytes.length; i++) {
    if (allowed[bytes[i]!] !== 1) {
      const b = bytes[i]!;
      const what = b > 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
      throw dataError({ file, record: id }, `invalid character ${what} at base ${offset + i + 1}; allowed: ${alphabet.label}`);
    }
  }
}
