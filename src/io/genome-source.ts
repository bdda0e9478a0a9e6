/**
 * Random access to the sequences of a genome, for code that cuts windows from it (training a scanner or a tagger,
 * explaining a region or a VCF's variants) without knowing where the bases are stored.
 *
 * Coordinates are BED's, here as everywhere in rnnseq: 0-based, half-open, so [start, end) holds end - start
 * bases and the first base of a sequence is 0.
 *
 * One implementation today: loadFastaGenome holds a FASTA genome in memory, one byte per base (a 3 Gbp genome
 * takes 3 GB). An indexed FASTA (.fai) or a .2bit file can implement the same interface and read only what is
 * fetched.
 */
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import { type FastaReadOptions, readFastaChunks } from './fasta.js';

export interface GenomeSource {
  /** the file the genome comes from, for messages */
  readonly source: string;
  /** sequence names, in file order */
  names(): readonly string[];
  /** a sequence's length in bp, undefined when the genome has no sequence of that name */
  length(chrom: string): number | undefined;
  /** the bases [start, end) of a sequence, one byte (latin1, as in the file) per base; 0 <= start <= end <= length */
  fetch(chrom: string, start: number, end: number): Promise<Uint8Array>;
}

const CHUNK_BP = 1 << 20;

/**
 * Reads a FASTA genome (a file, .gz allowed; not stdin) into memory, validating every character against the
 * options' alphabet with the usual file:line errors.
 */
export async function loadFastaGenome(file: string, options: FastaReadOptions = {}): Promise<GenomeSource> {
  const sequences = new Map<string, Buffer>();
  let parts: Buffer[] = [];
  for await (const chunk of readFastaChunks(file, { ...options, chunkBp: CHUNK_BP })) {
    parts.push(Buffer.from(chunk.sequence, 'latin1'));
    if (chunk.last) {
      sequences.set(chunk.id, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      parts = [];
    }
  }
  const names = [...sequences.keys()];
  return {
    source: file,
    names: () => names,
    length: (chrom) => sequences.get(chrom)?.length,
    fetch: async (chrom, start, end) => {
      const bases = sequences.get(chrom);
      if (!bases || start < 0 || end > bases.length || start > end) {
        throw new RnnseqError(
          `${file}: cannot fetch ${chrom}:${start}-${end} (${bases ? `${bases.length} bp` : 'no such sequence'})`,
          EXIT_USAGE,
        );
      }
      return bases.subarray(start, end);
    },
  };
}

/** Names and lengths of every sequence of a FASTA file, in file order, in one streaming pass. */
export async function fastaLengths(file: string, options: FastaReadOptions = {}): Promise<Array<{ name: string; length: number }>> {
  const lengths: Array<{ name: string; length: number }> = [];
  for await (const chunk of readFastaChunks(file, { ...options, chunkBp: CHUNK_BP })) {
    if (chunk.last) lengths.push({ name: chunk.id, length: chunk.offset + chunk.sequence.length });
  }
  return lengths;
}

/** The first bases (up to `bp`) of a FASTA file's first non-empty record, unvalidated: a sample to detect its alphabet. */
export async function firstBases(file: string, bp: number): Promise<string | undefined> {
  for await (const chunk of readFastaChunks(file, { chunkBp: bp })) {
    if (chunk.sequence.length > 0) return chunk.sequence;
  }
  return undefined;
}

/**
 * Calls visit(chrom, start, bases) for every requested window [start, start + windowBp) of a FASTA file, per
 * sequence in file order and in the order of `starts` (which must be sorted), in one streaming pass: no sequence
 * is held whole. `bases` is a view valid only during the call. Windows that run past a sequence's end are not visited.
 */
export async function streamFastaWindows(
  file: string,
  options: FastaReadOptions,
  requests: ReadonlyMap<string, readonly number[]>,
  windowBp: number,
  visit: (chrom: string, start: number, bases: Buffer) => void,
): Promise<void> {
  let starts: readonly number[] | undefined;
  let next = 0;
  let bytes = Buffer.allocUnsafe(1 << 16);
  let bufStart = 0;
  let bufLength = 0;
  let received = 0;
  for await (const chunk of readFastaChunks(file, { ...options, chunkBp: CHUNK_BP })) {
    if (chunk.offset === 0) {
      starts = requests.get(chunk.id);
      next = 0;
      bufStart = 0;
      bufLength = 0;
      received = 0;
    }
    const from = received;
    received += chunk.sequence.length;
    if (!starts || next >= starts.length) continue;
    // Keep bases from the next requested start on.
    const keep = starts[next]!;
    const drop = Math.min(Math.max(0, keep - bufStart), bufLength);
    if (drop > 0) {
      bytes.copyWithin(0, drop, bufLength);
      bufLength -= drop;
      bufStart += drop;
    }
    const skip = Math.max(0, keep - from);
    if (skip < chunk.sequence.length) {
      if (bufLength === 0) bufStart = from + skip;
      const needed = bufLength + chunk.sequence.length - skip;
      if (needed > bytes.length) {
        const bigger = Buffer.allocUnsafe(Math.max(needed, bytes.length * 2));
        bytes.copy(bigger, 0, 0, bufLength);
        bytes = bigger;
      }
      bufLength += bytes.write(skip > 0 ? chunk.sequence.slice(skip) : chunk.sequence, bufLength, 'latin1');
    }
    while (next < starts.length && starts[next]! + windowBp <= received) {
      const at = starts[next]! - bufStart;
      visit(chunk.id, starts[next]!, bytes.subarray(at, at + windowBp));
      next++;
    }
  }
}
