/**
 * BED regions of a genome as sequence records (`classify`, `embed` and `explain` with --genome G --regions R.bed):
 * each BED line becomes one record, in file order, so a command reads them exactly as it reads FASTA records.
 *
 * - Bases are [start, end) of the chromosome, fetched one region at a time (an indexed genome is never read
 *   whole); a minus-strand region (column 6 '-') is reverse-complemented, so the record reads 5' to 3' on its
 *   strand, as `bedtools getfasta -s` gives it. '+' and '.' read the reference strand.
 * - The record's ID is the BED name (column 4); a line without one (3 columns, or '.') is named as `bedtools
 *   getfasta` names it: CHROM:START-END in BED coordinates, with (+) or (-) appended when column 6 gives a strand.
 * - Each base is checked against the model's alphabet, naming the BED line: a genome read through an index has
 *   not been validated as a stream would be.
 */
import { dataError } from '../errors.js';
import type { RegionRecord } from '../io/bed-regions.js';
import type { Strand } from '../io/bed.js';
import type { FastaRecord } from '../io/fasta.js';
import type { GenomeSource } from '../io/genome-source.js';
import type { Alphabet } from './alphabet.js';

/** The BED columns a region's output rows start with. */
export const REGION_COLUMNS = ['chrom', 'start', 'end', 'name'] as const;

export interface RegionSequence extends FastaRecord {
  region: { chrom: string; start: number; end: number; name: string; strand: Strand };
}

/** The name a region's rows carry: its BED name, else CHROM:START-END (bedtools getfasta's), with the strand. */
export function regionName(region: Pick<RegionRecord, 'chrom' | 'start' | 'end' | 'name' | 'strand'>): string {
  if (region.name !== undefined) return region.name;
  const strand = region.strand === '+' || region.strand === '-' ? `(${region.strand})` : '';
  return `${region.chrom}:${region.start}-${region.end}${strand}`;
}

/** A region's BED columns for an output row: chrom, start, end, name (tab-separated). */
export function regionKey(region: RegionSequence['region']): string {
  return `${region.chrom}\t${region.start}\t${region.end}\t${region.name}`;
}

/**
 * The regions' sequences in BED order. `bedName` names the BED file in messages; `regions` must already be
 * checked against the genome (src/io/bed-regions.ts: checkRegions).
 */
export async function* regionSequences(
  genome: GenomeSource,
  regions: readonly RegionRecord[],
  alphabet: Alphabet,
  bedName: string,
): AsyncGenerator<RegionSequence> {
  for (const region of regions) {
    const where = { file: bedName, line: region.line };
    const strand = region.strand ?? '.';
    if (strand === '-' && alphabet.name === 'protein')
      throw dataError(where, 'a minus-strand region needs a DNA or RNA model to reverse-complement it; this one reads protein');
    const bytes = await genome.fetchBytes(region.chrom, region.start, region.end);
    for (let i = 0; i < bytes.length; i++) {
      if (alphabet.allowed[bytes[i]!] !== 1) {
        throw dataError(
          where,
          `base ${region.start + i} of ${region.chrom} in ${genome.path} is '${String.fromCharCode(bytes[i]!)}', not allowed: ${alphabet.label}`,
        );
      }
    }
    const name = regionName(region);
    yield {
      id: name,
      description: '',
      sequence: strand === '-' ? reverseComplementBases(bytes) : bytes.toString('latin1'),
      line: region.line,
      region: { chrom: region.chrom, start: region.start, end: region.end, name, strand },
    };
  }
}

/** IUPAC complements, case kept (soft-masking survives): an ambiguity code stands for the complements of its bases. */
const COMPLEMENT: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) table[b] = b;
  const pairs = ['AT', 'UA', 'CG', 'GC', 'TA', 'RY', 'YR', 'SS', 'WW', 'KM', 'MK', 'BV', 'VB', 'DH', 'HD', 'NN'];
  for (const [from, to] of pairs) {
    table[from!.charCodeAt(0)] = to!.charCodeAt(0);
    table[from!.toLowerCase().charCodeAt(0)] = to!.toLowerCase().charCodeAt(0);
  }
  return table;
})();

/** The reverse complement of latin1 bases, as a string. */
export function reverseComplementBases(bytes: Uint8Array): string {
  const out = Buffer.allocUnsafe(bytes.length);
  for (let i = 0, j = bytes.length - 1; i < bytes.length; i++, j--) out[i] = COMPLEMENT[bytes[j]!]!;
  return out.toString('latin1');
}
