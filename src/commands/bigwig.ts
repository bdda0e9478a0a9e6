/**
 * rnnseq bigwig: a bedGraph (scan's --bedgraph, or the shards' ones joined) as bigWig, chromosome lengths taken
 * from the genome or a chrom.sizes file. The conversion itself is src/io/bedgraph-to-bigwig.ts.
 */
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import { bedGraphToBigWig, readChromSizes } from '../io/bedgraph-to-bigwig.js';
import type { BigWigChrom } from '../io/bigwig.js';
import { openGenomeSource } from '../io/genome-source.js';
import { getAlphabet } from '../seq/alphabet.js';
import { detectGenomeAlphabet, sequenceLengths } from '../seq/genome.js';
import { createLogger } from './runtime.js';

export interface BigWigOptions {
  bedGraph: string;
  genome?: string;
  sizes?: string;
  out: string;
  quiet?: boolean;
  json?: boolean;
}

export function parseBigWigOptions(bedGraph: string, raw: { genome?: string; sizes?: string; out: string; quiet?: boolean; json?: boolean }): BigWigOptions {
  if ((raw.genome === undefined) === (raw.sizes === undefined)) throw new RnnseqError('give the chromosome lengths with --genome FILE or --sizes FILE (one of them)', EXIT_USAGE);
  if (bedGraph === '-') throw new RnnseqError('the bedGraph must be a file: it is read twice (to check it and pick zoom levels, then to write)', EXIT_USAGE);
  if (raw.out === '-') throw new RnnseqError('-o must name a file: bigWig is written with random access, not to stdout', EXIT_USAGE);
  return { bedGraph, out: raw.out, ...(raw.genome !== undefined ? { genome: raw.genome } : {}), ...(raw.sizes !== undefined ? { sizes: raw.sizes } : {}), quiet: raw.quiet ?? false, json: raw.json ?? false };
}

export async function genomeSizes(genome: string): Promise<BigWigChrom[]> {
  const source = await openGenomeSource(genome);
  if (source) {
    try {
      return source.names().map((name) => ({ name, length: source.length(name) }));
    } finally {
      await source.close();
    }
  }
  const lengths = await sequenceLengths(genome, getAlphabet(await detectGenomeAlphabet(genome)));
  return lengths.map(({ name, length }) => ({ name, length }));
}

export async function run(options: BigWigOptions): Promise<void> {
  const log = await createLogger(options);
  const started = performance.now();
  const sizes = options.sizes !== undefined ? await readChromSizes(options.sizes) : await genomeSizes(options.genome!);
  await bedGraphToBigWig(options.bedGraph, sizes, options.out, { sizesSource: options.sizes ?? options.genome! });
  const seconds = (performance.now() - started) / 1000;
  log.record('done', { seconds }, `rnnseq: wrote ${options.out} in ${seconds.toFixed(1)} s`);
}
