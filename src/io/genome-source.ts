/**
 * Random access to the sequences of a genome, for code that cuts windows from it (training a scanner or a tagger,
 * scanning only where a --region or --shard needs, explaining a region or a VCF's variants) without knowing where
 * the bases are stored.
 *
 * Coordinates are BED's, here as everywhere in rnnseq: 0-based, half-open, so [start, end) holds end - start
 * bases and the first base of a sequence is 0. Bases come back as stored: soft-masked (lower-case) bases stay
 * lower case, N stays N.
 *
 * Implementations: .2bit (src/io/twobit.ts) and FASTA with a samtools .fai index, or bgzip FASTA with .fai + .gzi
 * (src/io/indexed-fasta.ts), which read only what is fetched; and loadFastaGenome below, which holds a plain FASTA
 * genome in memory, one byte per base (a 3 Gbp genome takes 3 GB).
 */
import { EXIT_USAGE, RnnseqError, dataError } from '../errors.js';
import { type FastaReadOptions, readFastaChunks } from './fasta.js';

export interface GenomeSource {
  /** the file named by the user, for messages */
  readonly path: string;
  /** sequence names in file order */
  names(): string[];
  /** length in bp; throws a one-line error for an unknown name */
  length(name: string): number;
  has(name: string): boolean;
  /** bases [start, end) as latin1 bytes (one byte per base) */
  fetchBytes(name: string, start: number, end: number): Promise<Buffer>;
  /** bases [start, end) as a string */
  fetch(name: string, start: number, end: number): Promise<string>;
  /** the header text after the ID (FASTA), '' where the format keeps none (.2bit) */
  description(name: string): Promise<string>;
  /** bytes read from disk so far (for benches and tests) */
  readonly bytesRead: number;
  close(): Promise<void>;
}

export const TWOBIT_SIGNATURE = 0x1a412743;

/** The one message for a sequence name a genome lacks. */
export function unknownSequence(source: { path: string; names(): string[] }, name: string, where?: { file: string; line: number }): Error {
  const names = source.names();
  const some = names.slice(0, 5).join(', ') + (names.length > 5 ? ', ...' : '');
  return dataError(
    where ?? { file: source.path },
    `${where ? `chromosome '${name}' is not in ${source.path}` : `no sequence named '${name}'`} (it has ${some || 'none'})`,
  );
}

export function checkRange(source: GenomeSource, name: string, start: number, end: number): void {
  const length = source.length(name);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= length)) {
    throw new RangeError(`${source.path}: ${name}:[${start}, ${end}) is outside [0, ${length})`);
  }
}

const CHUNK_BP = 1 << 20;

/**
 * Reads a FASTA genome (a file, .gz allowed; not stdin) into memory, validating every character against the
 * options' alphabet with the usual file:line errors.
 */
export async function loadFastaGenome(file: string, options: FastaReadOptions = {}): Promise<GenomeSource> {
  const sequences = new Map<string, Buffer>();
  const descriptions = new Map<string, string>();
  let parts: Buffer[] = [];
  for await (const chunk of readFastaChunks(file, { ...options, chunkBp: CHUNK_BP })) {
    parts.push(Buffer.from(chunk.sequence, 'latin1'));
    if (chunk.last) {
      sequences.set(chunk.id, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      descriptions.set(chunk.id, chunk.description);
      parts = [];
    }
  }
  const names = [...sequences.keys()];
  const bases = (chrom: string): Buffer => {
    const found = sequences.get(chrom);
    if (!found) throw unknownSequence(source, chrom);
    return found;
  };
  const fetchBytes = async (chrom: string, start: number, end: number): Promise<Buffer> => {
    const found = sequences.get(chrom);
    if (!found || start < 0 || end > found.length || start > end) {
      throw new RnnseqError(
        `${file}: cannot fetch ${chrom}:${start}-${end} (${found ? `${found.length} bp` : 'no such sequence'})`,
        EXIT_USAGE,
      );
    }
    return found.subarray(start, end);
  };
  const source: GenomeSource = {
    path: file,
    names: () => names,
    has: (chrom) => sequences.has(chrom),
    length: (chrom) => bases(chrom).length,
    fetchBytes,
    fetch: async (chrom, start, end) => (await fetchBytes(chrom, start, end)).toString('latin1'),
    description: async (chrom) => {
      bases(chrom);
      return descriptions.get(chrom) ?? '';
    },
    bytesRead: 0,
    close: async () => {},
  };
  return source;
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
