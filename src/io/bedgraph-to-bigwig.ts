/**
 * bedGraph to bigWig, as UCSC's bedGraphToBigWig does it but without the binary: a first pass checks every line
 * (chromosome known, inside its length, value a number, intervals in order and not overlapping, each chromosome's
 * lines together) and measures the mean interval to pick zoom levels; a second pass writes (src/io/bigwig.ts).
 * The bigWig is written to a temp sibling and renamed into place, so no partial file is ever left.
 *
 * Chromosomes are listed in the sizes' (genome's) order when the bedGraph follows it, as rnnseq's tracks do; else
 * in the bedGraph's order (`sort -k1,1` for UCSC's), then the chromosomes without data.
 */
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dataError, EXIT_RUNTIME, RnnseqError } from '../errors.js';
import { prepareTempSibling } from './atomic.js';
import { readLines } from './bed.js';
import { BigWigWriter, type BigWigChrom, type BigWigWriterOptions, zoomReductions } from './bigwig.js';
import { guardOutput } from './interrupt.js';

export interface BedGraphToBigWigOptions {
  signal?: AbortSignal;
  /** names the sizes' source in messages, e.g. the genome file */
  sizesSource?: string;
  /** items per compressed block; default UCSC's 1024 */
  itemsPerSlot?: number;
}

interface BedGraphItem {
  chrom: string;
  start: number;
  end: number;
  value: number;
  line: number;
}

const INTEGER = /^\d{1,15}$/;

function parseBedGraphLine(text: string, file: string, line: number): BedGraphItem | undefined {
  if (text.trim() === '' || text.startsWith('#') || /^(track|browser)(\s|$)/.test(text)) return undefined;
  const fields = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
  if (fields.length < 4) throw dataError({ file, line }, `a bedGraph line has 4 columns (chrom, start, end, value), got ${fields.length}`);
  const [chrom, startText, endText, valueText] = fields as [string, string, string, string];
  if (!INTEGER.test(startText) || !INTEGER.test(endText))
    throw dataError({ file, line }, `start and end must be non-negative integers, got '${startText}' and '${endText}'`);
  const start = Number(startText);
  const end = Number(endText);
  if (start >= end) throw dataError({ file, line }, `start ${start} must be before end ${end} (0-based, half-open)`);
  const value = Number(valueText);
  if (valueText.trim() === '' || !Number.isFinite(value))
    throw dataError({ file, line }, `value must be a finite number, got '${valueText}'`);
  return { chrom, start, end, value, line };
}

/** Lines of a bedGraph, checked against the sizes and against each other. */
async function* checkedItems(
  file: string,
  sizes: ReadonlyMap<string, number>,
  sizesSource: string,
  signal?: AbortSignal,
): AsyncGenerator<BedGraphItem> {
  const done = new Set<string>();
  let chrom: string | undefined;
  let lastEnd = 0;
  for await (const { text, line } of readLines(file, signal ? { signal } : {})) {
    const item = parseBedGraphLine(text, file, line);
    if (!item) continue;
    const length = sizes.get(item.chrom);
    if (length === undefined) throw dataError({ file, line }, `chromosome '${item.chrom}' is not in ${sizesSource}`);
    if (item.end > length)
      throw dataError({ file, line }, `end ${item.end} is past the end of ${item.chrom} (${length} bp in ${sizesSource})`);
    if (item.chrom !== chrom) {
      if (done.has(item.chrom))
        throw dataError(
          { file, line },
          `${item.chrom} appears again after other chromosomes: a chromosome's lines must be together (sort -k1,1 -k2,2n)`,
        );
      if (chrom !== undefined) done.add(chrom);
      chrom = item.chrom;
      lastEnd = 0;
    } else if (item.start < lastEnd) {
      throw dataError(
        { file, line },
        `overlaps or comes before the previous line (start ${item.start} < previous end ${lastEnd}): bigWig needs sorted, non-overlapping intervals (sort -k1,1 -k2,2n)`,
      );
    }
    lastEnd = item.end;
    yield item;
  }
}

/**
 * Converts `bedGraph` into a bigWig at `out`. `sizes`: every chromosome the bedGraph may name, with its length,
 * in the order to list chromosomes without data.
 */
export async function bedGraphToBigWig(
  bedGraph: string,
  sizes: readonly BigWigChrom[],
  out: string,
  options: BedGraphToBigWigOptions = {},
): Promise<void> {
  const sizeMap = new Map(sizes.map((c) => [c.name, c.length]));
  const sizesSource = options.sizesSource ?? 'the chromosome sizes';
  const seen: string[] = [];
  let items = 0;
  let spanBp = 0;
  for await (const item of checkedItems(bedGraph, sizeMap, sizesSource, options.signal)) {
    if (seen[seen.length - 1] !== item.chrom) seen.push(item.chrom);
    items++;
    spanBp += item.end - item.start;
  }
  // Data must be in chromosome-ID order: the sizes' order when the bedGraph follows it (rnnseq's tracks), else the
  // bedGraph's own order followed by the chromosomes it does not name.
  const rank = new Map(sizes.map((c, i) => [c.name, i]));
  const followsSizes = seen.every((name, i) => i === 0 || rank.get(name)! > rank.get(seen[i - 1]!)!);
  const seenSet = new Set(seen);
  const order = followsSizes ? sizes.map((c) => c.name) : [...seen, ...sizes.map((c) => c.name).filter((name) => !seenSet.has(name))];
  const longest = Math.max(1, ...sizes.map((c) => c.length));
  const writerOptions = {
    reductions: zoomReductions(items > 0 ? spanBp / items : 1, longest),
    ...(options.itemsPerSlot ? { itemsPerSlot: options.itemsPerSlot } : {}),
  };
  await writeBigWigFile(
    out,
    order.map((name) => ({ name, length: sizeMap.get(name)! })),
    writerOptions,
    async (writer) => {
      for await (const item of checkedItems(bedGraph, sizeMap, sizesSource, options.signal))
        await writer.add(item.chrom, item.start, item.end, item.value);
    },
  );
}

/** Opens the temp sibling first (so an unwritable path fails before any work), writes, renames. */
export async function writeBigWigFile(
  out: string,
  chroms: readonly BigWigChrom[],
  writerOptions: BigWigWriterOptions,
  fill: (writer: BigWigWriter) => Promise<void>,
): Promise<void> {
  const temp = await prepareTempSibling(out);
  const release = guardOutput({ target: out, temp });
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'w');
  } catch (error) {
    release();
    throw writeError(out, error as NodeJS.ErrnoException);
  }
  try {
    const writer = new BigWigWriter(handle, writerOptions);
    for (const chrom of chroms) writer.addChrom(chrom);
    await fill(writer);
    await writer.finish();
    await handle.close();
    handle = undefined;
    await rename(temp, out).catch((error: NodeJS.ErrnoException) => Promise.reject(writeError(out, error)));
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error instanceof RnnseqError ? error : writeError(out, error as NodeJS.ErrnoException);
  } finally {
    release();
  }
}

function writeError(path: string, error: NodeJS.ErrnoException): RnnseqError {
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    EISDIR: 'is a directory',
    ENOENT: 'its directory does not exist',
  };
  return new RnnseqError(`cannot write ${path}: ${reasons[error.code ?? ''] ?? error.message}`, EXIT_RUNTIME);
}

/** UCSC chrom.sizes (name, length per line; a .fai has the same first two columns). */
export async function readChromSizes(file: string): Promise<BigWigChrom[]> {
  const chroms: BigWigChrom[] = [];
  const seen = new Set<string>();
  for await (const { text, line } of readLines(file)) {
    if (text.trim() === '' || text.startsWith('#')) continue;
    const [name, lengthText] = text.split(/\s+/);
    if (!name || lengthText === undefined || !INTEGER.test(lengthText))
      throw dataError({ file, line }, 'a chromosome sizes line is NAME<tab>LENGTH');
    if (seen.has(name)) throw dataError({ file, line }, `chromosome '${name}' is listed twice`);
    seen.add(name);
    chroms.push({ name, length: Number(lengthText) });
  }
  if (chroms.length === 0) throw dataError({ file }, 'no chromosome sizes');
  return chroms;
}
