/**
 * Windows cut from a genome (src/io/genome-source.ts: BED coordinates, random access), and the genome's alphabet.
 */
import type { GenomeSource } from '../io/genome-source.js';
import { type AlphabetName, detectAlphabet } from './alphabet.js';
import type { SequenceLength } from './regions.js';

/** The alphabet of a genome from a sample of its first bases: a genome is one kind of sequence throughout. */
export function detectGenomeAlphabet(sample: string | undefined): AlphabetName {
  return sample ? detectAlphabet([sample]) : 'dna';
}

/** Names and lengths of every sequence, in genome order. */
export function sequenceLengths(genome: GenomeSource): SequenceLength[] {
  return genome.names().map((name) => ({ name, length: genome.length(name) }));
}

/**
 * Calls visit(chrom, start, bases) for every requested window [start, start + windowBp), sequence by sequence in
 * genome order, in the order of `starts` (which must be sorted). `bases` is valid only during the call. Windows
 * that run past a sequence's end are not visited.
 */
export async function visitWindows(
  genome: GenomeSource,
  requests: ReadonlyMap<string, readonly number[]>,
  windowBp: number,
  visit: (chrom: string, start: number, bases: Uint8Array) => void,
): Promise<void> {
  for (const chrom of genome.names()) {
    const starts = requests.get(chrom);
    if (!starts) continue;
    const length = genome.length(chrom);
    for (const start of starts) {
      if (start + windowBp > length) break;
      visit(chrom, start, await genome.fetchBytes(chrom, start, start + windowBp));
    }
  }
}
