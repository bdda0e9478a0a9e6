/**
 * BED intervals: 0-based, half-open, one per line: chrom, start, end, then optionally name, score, strand and
 * anything else (ignored). This is the one coordinate convention rnnseq uses inside; `--region` strings, which
 * people type in the samtools / genome-browser convention, are converted at the edge (src/seq/regions.ts).
 *
 * Reading accepts tab-separated columns (whitespace-separated when a line has no tab, as UCSC tools do), blank
 * lines, and '#', 'track' and 'browser' lines, which are skipped. Every problem is reported with file and line.
 */
import { dataError } from '../errors.js';
import { openInput } from './open-input.js';

export type Strand = '+' | '-' | '.';

export interface BedRecord {
  chrom: string;
  start: number;
  end: number;
  name?: string;
  strand?: Strand;
  /** 1-based line in the file, for messages */
  line: number;
}

export interface TextLine {
  text: string;
  /** 1-based */
  line: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** Far beyond any BED line; stops a binary file with no line feeds from filling memory. */
const MAX_LINE_BYTES = 1 << 24;

/** Lines of a text file ('-' = stdin, gzip detected), decoded as UTF-8 once each, without the line ending. */
export async function* readLines(file: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<TextLine> {
  // The unfinished line's pieces, joined once its end arrives: joining per chunk would copy a long line again and
  // again, quadratic in its length.
  let rest: Buffer[] = [];
  let restBytes = 0;
  let line = 0;
  const decode = (bytes: Buffer): string => {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return bytes.toString('utf8', 0, end);
  };
  const position = () => (line > 0 ? { line } : {}); // the last line that arrived whole, if the input breaks off
  for await (const chunk of openInput(file, { ...(options.signal ? { signal: options.signal } : {}), position })) {
    let from = 0;
    for (let newline = chunk.indexOf(LF, from); newline !== -1; newline = chunk.indexOf(LF, from)) {
      const bytes = chunk.subarray(from, newline);
      yield { text: decode(restBytes > 0 ? Buffer.concat([...rest, bytes]) : bytes), line: ++line };
      rest = [];
      restBytes = 0;
      from = newline + 1;
    }
    if (from < chunk.length) {
      restBytes += chunk.length - from;
      if (restBytes > MAX_LINE_BYTES)
        throw dataError({ file, line: line + 1 }, `line longer than ${MAX_LINE_BYTES} bytes (binary data, not a text file?)`);
      // Copied: the input chunk is not ours to keep across reads.
      rest.push(Buffer.from(chunk.subarray(from)));
    }
  }
  if (restBytes > 0) yield { text: decode(Buffer.concat(rest)), line: ++line };
}

const INTEGER = /^\d{1,15}$/;

/** Parses one BED line; undefined for lines that carry no interval (blank, comment, track, browser). */
export function parseBedLine(text: string, file: string, line: number): BedRecord | undefined {
  if (text.trim() === '' || text.startsWith('#') || /^(track|browser)(\s|$)/.test(text)) return undefined;
  const fields = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
  if (fields.length < 3) {
    throw dataError({ file, line }, `a BED line needs at least 3 tab-separated columns (chrom, start, end), got ${fields.length}`);
  }
  const [chrom, startText, endText, name, , strandText] = fields as [string, string, string, string?, string?, string?];
  if (chrom === '') throw dataError({ file, line }, 'empty chromosome name in column 1');
  for (const [column, value] of [
    ['start', startText],
    ['end', endText],
  ] as const) {
    if (!INTEGER.test(value)) {
      const hint = line === 1 ? " (a header line? start it with '#')" : '';
      throw dataError({ file, line }, `BED ${column} must be a non-negative integer, got '${value}'${hint}`);
    }
  }
  const start = Number(startText);
  const end = Number(endText);
  if (start > end) throw dataError({ file, line }, `start ${start} is after end ${end} (BED is 0-based, half-open: start <= end)`);
  const record: BedRecord = { chrom, start, end, line };
  if (name !== undefined && name !== '' && name !== '.') record.name = name;
  if (strandText !== undefined && strandText !== '') {
    if (strandText !== '+' && strandText !== '-' && strandText !== '.') {
      throw dataError({ file, line }, `strand (column 6) must be +, - or ., got '${strandText}'`);
    }
    record.strand = strandText;
  }
  return record;
}

export async function* readBed(file: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<BedRecord> {
  for await (const { text, line } of readLines(file, options)) {
    const record = parseBedLine(text, file, line);
    if (record) yield record;
  }
}

export async function readBedFile(file: string): Promise<BedRecord[]> {
  const records: BedRecord[] = [];
  for await (const record of readBed(file)) records.push(record);
  return records;
}

/** One BED line: the first six columns, then any extra columns, tab-separated, with a newline. */
export function formatBedLine(
  fields: { chrom: string; start: number; end: number; name: string; score: number; strand: Strand },
  extra: readonly string[] = [],
): string {
  return `${[fields.chrom, fields.start, fields.end, fields.name, fields.score, fields.strand, ...extra].join('\t')}\n`;
}

/** A BED file not yet read: `name` is its path for messages; `read` parses it whole. */
export interface BedInput<T extends BedRecord = BedRecord> {
  name: string;
  read(): Promise<T[]>;
}

export function bedInput(file: string): BedInput {
  return { name: file, read: () => readBedFile(file) };
}
