/**
 * Where classify, embed and explain get their records: FASTA files (or stdin), or with --genome G --regions
 * R.bed one record per BED line (src/seq/region-records.ts). The genome is opened by what it is
 * (src/io/open-genome.ts): a .2bit or .fai-indexed genome is read region by region, a plain FASTA once as a stream
 * keeping only the regions' bases (src/io/fasta-intervals.ts). The BED is checked against the genome when the
 * input is opened, so an unknown chromosome or a region past a chromosome's end stops the run before any output
 * is opened.
 */
import { type RegionRecord, checkRegions, parseRegions, readRegions } from '../../io/bed-regions.js';
import { type FastaRecord, readFasta } from '../../io/fasta.js';
import { loadFastaIntervals } from '../../io/fasta-intervals.js';
import type { GenomeSource } from '../../io/genome-source.js';
import { openGenomeSource } from '../../io/open-genome.js';
import type { Alphabet } from '../../seq/alphabet.js';
import { REGION_COLUMNS, regionKey, regionSequences } from '../../seq/region-records.js';
import type { GenomeRegions } from './genome-regions.js';

export interface InputRecord {
  record: FastaRecord;
  /** the file the record came from, for messages (the BED for a region: its line is the record's line) */
  file: string;
  /** the columns naming the record in an output row: its ID, or a region's chrom, start, end and name */
  key: string;
}

export interface RecordInput {
  /** header names of `key`'s columns */
  readonly keyColumns: readonly string[];
  /** how many records there are, when known without reading them (regions) */
  readonly count?: number;
  /** the records in input order; a genome opened for them is closed when they end, however they end */
  records(): AsyncGenerator<InputRecord>;
}

export async function openRecordInput(
  options: { inputs: readonly string[]; regions?: GenomeRegions },
  alphabet: Alphabet,
): Promise<RecordInput> {
  const readOptions = { allowed: alphabet.allowed, alphabetLabel: alphabet.label };
  if (!options.regions) {
    const inputs = options.inputs;
    return {
      keyColumns: ['id'],
      async *records() {
        for (const file of inputs) {
          for await (const record of readFasta(file, readOptions)) yield { record, file, key: record.id };
        }
      },
    };
  }
  const { genome: genomePath, regions: bed } = options.regions;
  let genome: GenomeSource | undefined = await openGenomeSource(genomePath);
  let regions: RegionRecord[];
  try {
    if (genome) regions = await readRegions(bed, genome);
    else {
      regions = await parseRegions(bed);
      genome = await loadFastaIntervals(genomePath, readOptions, regions);
      checkRegions(regions, bed, genome);
    }
  } catch (error) {
    await genome?.close();
    throw error;
  }
  const source = genome;
  const list = regions;
  return {
    keyColumns: REGION_COLUMNS,
    count: list.length,
    async *records() {
      try {
        for await (const record of regionSequences(source, list, alphabet, bed)) yield { record, file: bed, key: regionKey(record.region) };
      } finally {
        await source.close();
      }
    },
  };
}
