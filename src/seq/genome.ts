/**
 * Whole-genome access without holding a chromosome as one string: sequence lengths in one streaming pass, and
 * the bases of chosen windows delivered as the FASTA streams by.
 */
import { readFastaChunks } from '../io/fasta.js';
import { type Alphabet, type AlphabetName, detectAlphabet } from './alphabet.js';
import type { SequenceLength } from './regions.js';

const CHUNK_BP = 1 << 20;

/** The alphabet of a genome, from its first 100 kbp: a genome is one kind of sequence throughout. */
export async function detectGenomeAlphabet(genome: string): Promise<AlphabetName> {
  for await (const chunk of readFastaChunks(genome, { chunkBp: 100_000 })) {
    if (chunk.sequence.length > 0) return detectAlphabet([chunk.sequence]);
  }
  return 'dna';
}

/** Names and lengths of every sequence, in file order. */
export async function sequenceLengths(file: string, alphabet: Alphabet, signal?: AbortSignal): Promise<SequenceLength[]> {
  const lengths: SequenceLength[] = [];
  for await (const chunk of readFastaChunks(file, { allowed: alphabet.allowed, alphabetLabel: alphabet.label, chunkBp: CHUNK_BP, ...(signal ? { signal } : {}) })) {
    if (chunk.last) lengths.push({ name: chunk.id, length: chunk.offset + chunk.sequence.length });
  }
  return lengths;
}

/**
 * Calls visit(chrom, start, bases) for every requested window [start, start + windowBp), per sequence in the
 * order of `starts` (which must be sorted). `bases` is a view valid only during the call. Windows that run past
 * a sequence's end are not visited.
 */
export async function visitWindows(
  file: string,
  alphabet: Alphabet,
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
  for await (const chunk of readFastaChunks(file, { allowed: alphabet.allowed, alphabetLabel: alphabet.label, chunkBp: CHUNK_BP })) {
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
