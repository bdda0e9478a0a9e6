/**
 * BED intervals as input regions (`--regions R.bed`, `--exclude BED`), checked against a genome's sequences:
 * an unknown chromosome or an interval past a chromosome's end is a one-line error naming file and line, before
 * any work starts. Columns beyond BED6 are ignored except a narrowPeak summit (10 columns), kept for training.
 *
 * Reading and checking are two steps (parseRegions, checkRegions) because a plain FASTA genome is read after
 * the BED: only the bases the regions need are kept (src/io/fasta-intervals.ts), and its lengths are known only
 * then. readRegions does both against a genome already open.
 */
import { dataError } from '../errors.js';
import { type BedInput, type BedRecord, parseBedLine, readLines } from './bed.js';
import { narrowPeakSummit } from './narrowpeak.js';

export interface RegionRecord extends BedRecord {
  /** narrowPeak's summit (absolute, 0-based) when the file is narrowPeak */
  summit?: number;
}

export interface SequenceSizes {
  path: string;
  has(name: string): boolean;
  length(name: string): number;
  names(): string[];
}

export interface RegionReadOptions {
  signal?: AbortSignal;
  /** accept [start, start) intervals (an exclusion list may hold them; a region to read may not) */
  allowEmpty?: boolean;
  /** accept a file without intervals */
  allowNone?: boolean;
}

export async function readRegions(file: string, genome: SequenceSizes, options: RegionReadOptions = {}): Promise<RegionRecord[]> {
  const records = await parseRegions(file, options);
  checkRegions(records, file, genome);
  return records;
}

/** Every interval of a BED (or narrowPeak) file, in file order, parsed but not yet checked against a genome. */
export async function parseRegions(file: string, options: RegionReadOptions = {}): Promise<RegionRecord[]> {
  const records: RegionRecord[] = [];
  for await (const { text, line } of readLines(file, options.signal ? { signal: options.signal } : {})) {
    const record: RegionRecord | undefined = parseBedLine(text, file, line);
    if (!record) continue;
    if (record.end === record.start && !options.allowEmpty)
      throw dataError({ file, line }, `empty interval [${record.start}, ${record.end}): nothing to read`);
    const fields = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
    const summit = narrowPeakSummit(fields, record.start, record.end);
    if (summit !== undefined) record.summit = summit;
    records.push(record);
  }
  if (records.length === 0 && !options.allowNone) throw dataError({ file }, 'no intervals');
  return records;
}

/** Each interval must lie on a sequence of the genome, inside it: the first that does not is the error. */
export function checkRegions(records: readonly RegionRecord[], file: string, genome: SequenceSizes): void {
  for (const record of records) {
    if (!genome.has(record.chrom)) {
      const names = genome.names();
      throw dataError(
        { file, line: record.line },
        `chromosome '${record.chrom}' is not in ${genome.path} (it has ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`,
      );
    }
    const length = genome.length(record.chrom);
    if (record.end > length)
      throw dataError({ file, line: record.line }, `end ${record.end} is past the end of ${record.chrom} (${length} bp in ${genome.path})`);
  }
}

/**
 * A BED or narrowPeak file to read whole later, each record with its summit when the file is narrowPeak (train
 * --genome's --positives and --negatives). Empty files and empty intervals are the caller's to judge.
 */
export function regionInput(file: string): BedInput<RegionRecord> {
  return { name: file, read: () => parseRegions(file, { allowEmpty: true, allowNone: true }) };
}
