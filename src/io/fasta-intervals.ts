/**
 * A plain FASTA genome (no .fai; gzip allowed) read once as a stream, keeping only the bases of the intervals
 * asked for: a GenomeSource for `--regions` that holds the regions' bases, not the genome's. Every base is still
 * checked against the alphabet as the stream passes (readFastaChunks' file:line errors), and every sequence's
 * name, length and description are kept, so regions can be checked against the whole genome afterwards.
 *
 * Fetching outside the kept intervals is a programming error (a RangeError), not a user's.
 */
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import { type FastaReadOptions, readFastaChunks } from './fasta.js';
import { type GenomeSource, unknownSequence } from './genome-source.js';

export interface WantedInterval {
  chrom: string;
  start: number;
  end: number;
}

interface Kept {
  start: number;
  end: number;
  /** pieces in order as the stream passes (so a bogus end past the sequence allocates nothing), joined at its end */
  parts: Buffer[];
  bases: Buffer;
}

const CHUNK_BP = 1 << 20;

export async function loadFastaIntervals(
  file: string,
  options: FastaReadOptions,
  wanted: readonly WantedInterval[],
): Promise<GenomeSource> {
  if (file === '-') throw new RnnseqError('--genome must be a file, not stdin', EXIT_USAGE);
  const kept = mergedByChrom(wanted);
  const lengths = new Map<string, number>();
  const descriptions = new Map<string, string>();
  let bytesRead = 0;
  for await (const chunk of readFastaChunks(file, { ...options, chunkBp: CHUNK_BP })) {
    const from = chunk.offset;
    const to = from + chunk.sequence.length;
    bytesRead += chunk.sequence.length;
    for (const interval of kept.get(chunk.id) ?? []) {
      const a = Math.max(from, interval.start);
      const b = Math.min(to, interval.end);
      if (a < b) interval.parts.push(Buffer.from(chunk.sequence.slice(a - from, b - from), 'latin1'));
    }
    if (chunk.last) {
      for (const interval of kept.get(chunk.id) ?? []) {
        interval.bases = Buffer.concat(interval.parts);
        interval.parts = [];
      }
      lengths.set(chunk.id, to);
      descriptions.set(chunk.id, chunk.description);
    }
  }
  const names = [...lengths.keys()];
  const source: GenomeSource = {
    path: file,
    names: () => names,
    has: (name) => lengths.has(name),
    length: (name) => {
      const length = lengths.get(name);
      if (length === undefined) throw unknownSequence(source, name);
      return length;
    },
    fetchBytes: async (name, start, end) => {
      const length = source.length(name);
      const interval = (kept.get(name) ?? []).find((k) => k.start <= start && end <= k.end);
      if (!interval || end > length || start > end || end - interval.start > interval.bases.length)
        throw new RangeError(`${file}: ${name}:[${start}, ${end}) was not kept (only the requested intervals are)`);
      return interval.bases.subarray(start - interval.start, end - interval.start);
    },
    fetch: async (name, start, end) => (await source.fetchBytes(name, start, end)).toString('latin1'),
    description: async (name) => {
      source.length(name);
      return descriptions.get(name) ?? '';
    },
    get bytesRead() {
      return bytesRead;
    },
    close: async () => {},
  };
  return source;
}

/** Sorted, merged intervals per sequence, each with a buffer for its bases. */
function mergedByChrom(wanted: readonly WantedInterval[]): Map<string, Kept[]> {
  const byChrom = new Map<string, WantedInterval[]>();
  for (const w of wanted) {
    if (w.end <= w.start) continue;
    const list = byChrom.get(w.chrom);
    if (list) list.push(w);
    else byChrom.set(w.chrom, [w]);
  }
  const merged = new Map<string, Kept[]>();
  for (const [chrom, list] of byChrom) {
    list.sort((a, b) => a.start - b.start);
    const spans: Array<{ start: number; end: number }> = [];
    for (const { start, end } of list) {
      const last = spans[spans.length - 1];
      if (last && start <= last.end) last.end = Math.max(last.end, end);
      else spans.push({ start, end });
    }
    merged.set(
      chrom,
      spans.map((s) => ({ ...s, parts: [], bases: Buffer.alloc(0) })),
    );
  }
  return merged;
}
