/**
 * rnnseq bigwig: a bedGraph (scan's --bedgraph, or the shards' ones joined) as bigWig, chromosome lengths taken
 * from the genome or a chrom.sizes file. The conversion itself is src/io/bedgraph-to-bigwig.ts.
 */
import { bedGraphToBigWig, readChromSizes } from '../../io/bedgraph-to-bigwig.js';
import type { BigWigChrom } from '../../io/bigwig.js';
import { fastaLengths, firstBases } from '../../io/genome-source.js';
import { openGenomeSource } from '../../io/open-genome.js';
import { checkWritablePath } from '../../io/writable.js';
import { getAlphabet } from '../../seq/alphabet.js';
import { detectGenomeAlphabet } from '../../seq/genome.js';
import { createLogger } from '../shared/runtime.js';
import type { BigWigOptions } from './options.js';

/** First bases looked at to detect a plain FASTA genome's alphabet, as train --genome does. */
const DETECTION_BP = 100_000;

export async function genomeSizes(genome: string): Promise<BigWigChrom[]> {
  const source = await openGenomeSource(genome);
  if (source) {
    try {
      return source.names().map((name) => ({ name, length: source.length(name) }));
    } finally {
      await source.close();
    }
  }
  const alphabet = getAlphabet(detectGenomeAlphabet(await firstBases(genome, DETECTION_BP)));
  const lengths = await fastaLengths(genome, { allowed: alphabet.allowed, alphabetLabel: alphabet.label });
  return lengths.map(({ name, length }) => ({ name, length }));
}

export async function run(options: BigWigOptions): Promise<void> {
  const log = await createLogger(options);
  await checkWritablePath(options.out, '-o');
  const started = performance.now();
  const sizes = options.sizes !== undefined ? await readChromSizes(options.sizes) : await genomeSizes(options.genome!);
  await bedGraphToBigWig(options.bedGraph, sizes, options.out, { sizesSource: options.sizes ?? options.genome! });
  const seconds = (performance.now() - started) / 1000;
  log.record('done', { seconds }, `rnnseq: wrote ${options.out} in ${seconds.toFixed(1)} s`);
}
