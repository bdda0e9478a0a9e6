/** `rnnseq bigwig`: its flags, help and examples, and their parsing into BigWigOptions (options.ts). */
import type { Command } from '@commander-js/extra-typings';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { logOptions } from '../shared/flags.js';
import type { BigWigOptions } from './options.js';

export function register(program: Command): void {
  program
    .command('bigwig')
    .description('convert a bedGraph (e.g. the joined --bedgraph of scan shards) into bigWig, with zoom levels; no UCSC tools needed')
    .argument('<bedgraph>', "bedGraph file (.gz or '-' for stdin is not accepted: it is read twice)")
    .option('-g, --genome <file>', 'chromosome lengths from this genome: FASTA (.gz), .2bit, or indexed FASTA')
    .option('--sizes <file>', 'chromosome lengths from a UCSC chrom.sizes file (or a samtools .fai)')
    .requiredOption('-o, --out <file>', 'the bigWig to write (atomically)')
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
Intervals must be sorted within each chromosome and not overlap, and each chromosome's lines must be together
(rnnseq scan writes them so; for other files: sort -k1,1 -k2,2n). Values are stored as 32-bit floats, as
UCSC's bedGraphToBigWig stores them.

Examples:
  $ cat part{1..40}.bedGraph > enhancers.bedGraph && rnnseq bigwig enhancers.bedGraph -g hg38.2bit -o enhancers.bw
  $ rnnseq bigwig track.bedGraph --sizes hg38.chrom.sizes -o track.bw`,
    )
    .action(async (bedGraph, opts) => {
      const options = parseBigWigOptions(bedGraph, opts);
      const { run } = await import('./run.js');
      await run(options);
    });
}

export function parseBigWigOptions(
  bedGraph: string,
  raw: { genome?: string; sizes?: string; out: string; quiet?: boolean; json?: boolean },
): BigWigOptions {
  if ((raw.genome === undefined) === (raw.sizes === undefined))
    throw new RnnseqError('give the chromosome lengths with --genome FILE or --sizes FILE (one of them)', EXIT_USAGE);
  if (bedGraph === '-')
    throw new RnnseqError('the bedGraph must be a file: it is read twice (to check it and pick zoom levels, then to write)', EXIT_USAGE);
  if (raw.out === '-') throw new RnnseqError('-o must name a file: bigWig is written with random access, not to stdout', EXIT_USAGE);
  return {
    bedGraph,
    out: raw.out,
    ...(raw.genome !== undefined ? { genome: raw.genome } : {}),
    ...(raw.sizes !== undefined ? { sizes: raw.sizes } : {}),
    quiet: raw.quiet ?? false,
    json: raw.json ?? false,
  };
}
