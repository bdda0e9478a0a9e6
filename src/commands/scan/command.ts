/** `rnnseq scan`: its flags, help and examples, and their parsing into ScanOptions (options.ts). */
import { type Command, Option } from '@commander-js/extra-typings';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { CALL_EXTENTS, type CallExtent } from '../../scan/scanner.js';
import { parseRegion, parseShard } from '../../seq/regions.js';
import { RC_COMBINES, type RcCombine, STRAND_MODES, type StrandMode } from '../../seq/strands.js';
import { collect, withRuntimeOptions } from '../shared/flags.js';
import { type RawRuntimeFlags, firstGiven, parseCommon, parseNumber } from '../shared/parse.js';
import { SCAN_FORMATS, type ScanFormat, type ScanOptions } from './options.js';

/** --rc, the spelling classify and embed use: average|max = both strands combined by mean|max, none = + only. */
const RC_SPELLINGS = ['average', 'max', 'none'] as const;

export function register(program: Command): void {
  const scanCommand = program
    .command('scan')
    .description(
      'slide a window model along a genome; merged calls as BED6 + max_prob, mean_prob, windows, p, q (a tagger: a per-base track)',
    )
    .argument(
      '[genome]',
      "genome: FASTA (.gz or '-' for stdin), .2bit, or FASTA / bgzip FASTA with a samtools .fai (read only where a --region or --shard needs)",
      '-',
    )
    .option(
      '-m, --model <path>',
      'scanner (trained with train --genome), tagger (train --task tag), or any fixed-length classifier with --class (required, except with --gather)',
    )
    .option('-o, --out <file>', 'write the calls (BED) here (atomically) instead of stdout')
    .addOption(
      new Option(
        '--format <format>',
        'calls as BED6 + max_prob, mean_prob, windows, p, q (bed), or ENCODE narrowPeak with the best window as summit (narrowpeak)',
      ).choices(SCAN_FORMATS),
    )
    .option(
      '--bedgraph <file>',
      "also write every window's probability as bedGraph (on its central stride-wide bin; a tagger: the per-base probability in --bin bins)",
    )
    .option(
      '--bigwig <file>',
      'also write the --bedgraph track as bigWig, with zoom levels (not with --shard: convert the joined bedGraphs with rnnseq bigwig)',
    )
    .option('--bin <bp>', 'taggers: bedGraph bin width; each bin holds the mean per-base probability, equal neighbours merge (default 10)')
    .option('--merge-gap <bp>', 'taggers: join called runs separated by at most this many uncalled bases (default 0)')
    .option('--min-run <bp>', 'taggers: write only runs at least this long, after joining (default 1)')
    .option('--summary <svg>', 'also draw the calls along each sequence (call density, to scale) as an SVG figure')
    .option('--stride <bp>', 'step between window starts (default: a quarter window; half a window for a tagger)')
    .addOption(
      new Option(
        '--strand <which>',
        "both: score the reverse complement too; + or -: one strand (default: the model's, else both)",
      ).choices(STRAND_MODES),
    )
    .addOption(
      new Option(
        '--rc-combine <how>',
        "with --strand both, combine the two strands by max or mean (default: the model's, else max)",
      ).choices(RC_COMBINES),
    )
    .addOption(
      new Option(
        '--rc <how>',
        'as in classify and embed: average or max = --strand both with --rc-combine mean or max; none = --strand +',
      ).choices(RC_SPELLINGS),
    )
    .addOption(
      new Option(
        '--extent <what>',
        "what a called window adds to a region: the whole window, or its core (central stride-wide part, as in --bedgraph) for tighter calls where elements are dense (default: the model's, else window)",
      ).choices(CALL_EXTENTS),
    )
    .option('--max-n <bp>', 'skip windows with more N bases than this (default: 10% of the window)')
    .option(
      '--threshold <p>',
      'call windows with probability >= p instead of at --fdr (default for models without a null: the calibrated threshold, else 0.5)',
    )
    .option(
      '--fdr <q>',
      'call windows at this false-discovery rate: Benjamini-Hochberg over every window scanned, p-values from the null stored in the model, and the class at probability >= 0.2 (default 0.05; with --shard/--region the parts write candidate windows for --gather)',
    )
    .option(
      '--gather <files...>',
      "make the --fdr calls of a sharded scan from its parts' candidate outputs, in order (no model or genome needed)",
    )
    .option('--class <name>', "the class whose probability is called (default: the scanner's positive class)")
    .option(
      '--region <region>',
      'scan only windows starting in CHROM or CHROM:START-END (1-based, inclusive; repeatable)',
      collect,
      [] as string[],
    )
    .option('--shard <K/N>', 'scan part K of N equal parts (needs a file, not stdin); cat of all N outputs = the whole run')
    .option('--batch-size <n>', 'windows per batch and strand (keep it equal across shards)', '256')
    .option(
      '--circular',
      'treat every sequence as circular (plasmids, bacterial and organelle genomes); without it, only records whose header has topology=circular, [topology=circular] or circular=true',
      false,
    );
  withRuntimeOptions(scanCommand)
    .addHelpText(
      'after',
      `
Output: BED6 + 5, no header, sorted by the genome's sequence order, then start: chrom, start, end (0-based,
half-open), name (the positive class), score (0-1000, from max_prob), strand ('.' when both strands are
combined), max_prob, mean_prob (over the region's called windows), windows (how many were merged), p (the
region's smallest window p-value under the model's stored null) and q (its Benjamini-Hochberg q-value); -1 where
not computed. Calls are made at --fdr (default 0.05; windows whose class probability is also >= 0.2) when the
model stores a null, else at the threshold.
Overlapping or touching called windows (or window cores, with --extent core) merge into one region.

--region and --shard split the work: a part owns the windows that start in it and writes each merged region
whose first window it owns; it reads up to a window beyond its edges to get merges right, so concatenating
the parts' outputs in order gives exactly the whole-genome output (same model, options and --batch-size).

Circular sequences (--circular, or a topology=circular header tag) have no ends: windows start every --stride
bp around the whole circle and those near the end continue at its first base, so a call may cross the origin;
it is written as two BED lines, one ending at the sequence length and one starting at 0, with the same name,
score and statistics. A circular sequence shorter than one window has no windows.

Taggers (train --task tag) give every base a probability: windows every --stride bp (default half a window) are
scored per base on both strands (combined per base by --rc-combine, default the model's: mean), and where windows
overlap, a base takes their average weighted by a tent peaking at each window's centre (edges see the least
context). Output: BED6 + 2, runs of consecutive bases with probability >= --threshold (default: calibrated on
validation bases in training), joined across gaps of up to --merge-gap bp, those shorter than --min-run left out:
chrom, start, end, name, score (round(1000 x max_prob)), strand, max_prob, mean_prob (both over the run's called
bases). --bedgraph: the per-base probability averaged over --bin bp bins (aligned to each sequence's start; bases
with no probability are left out), equal neighbouring values merged. --region writes only its bases (runs and
bins cut at its edges, values identical to a whole scan); --circular as above, a run across the origin written
as two lines; --shard and --extent are for window scanners.

Examples:
  $ rnnseq scan -m chloroplast-cds ../shared/data/genomes_annotated/ypestis_pPCP1_NC_005816.fa
  $ rnnseq scan -m runs/enh/best hg38.fa.gz -o enhancers.bed --bedgraph enhancers.bg
  $ rnnseq scan -m chloroplast-cds ../shared/data/genomes_annotated/ypestis_pPCP1_NC_005816.fa -o cds.bed --summary cds.svg
  $ rnnseq scan -m runs/enh/best hg38.fa.gz --shard 3/20 -o part3.bed      # then: cat part{1..20}.bed
  $ rnnseq scan -m chloroplast-cds --circular ../shared/data/genomes_annotated/ypestis_pPCP1_NC_005816.fa
  $ zcat genome.fa.gz | rnnseq scan -m runs/enh/best - --region chr2:1-5,000,000 | bedtools merge -i -
  $ rnnseq scan -m runs/cds-tag ../shared/data/genomes_annotated/arabidopsis_chloroplast_NC_000932.fa -o cds.bed --bedgraph cds.bg --bin 10
  $ rnnseq scan -m runs/cds-tag ../shared/data/genomes_annotated/ypestis_pPCP1_NC_005816.fa --merge-gap 20 --min-run 60 --circular`,
    )
    .action(async (genome, opts) => {
      const options = parseScanOptions(genome, opts);
      const { run } = await import('./run.js');
      await run(options);
    });
}

export interface RawScanFlags extends RawRuntimeFlags {
  model?: string;
  fdr?: string;
  gather?: string[];
  out?: string;
  bedgraph?: string;
  bigwig?: string;
  format?: ScanFormat;
  summary?: string;
  stride?: string;
  strand?: StrandMode;
  rcCombine?: RcCombine;
  /** the spelling classify and embed use: average|max = both strands combined by mean|max, none = + only */
  rc?: (typeof RC_SPELLINGS)[number];
  extent?: CallExtent;
  maxN?: string;
  threshold?: string;
  class?: string;
  region: string[];
  shard?: string;
  batchSize: string;
  circular?: boolean;
  bin?: string;
  mergeGap?: string;
  minRun?: string;
}

export function parseScanOptions(input: string, raw: RawScanFlags): ScanOptions {
  if (raw.gather !== undefined) return parseGatherOptions(input, raw);
  if (raw.model === undefined) throw new RnnseqError("required option '-m, --model <path>' not specified", EXIT_USAGE);
  if (raw.out !== undefined && raw.out !== '-' && raw.out === raw.bedgraph)
    throw new RnnseqError('-o and --bedgraph name the same file', EXIT_USAGE);
  if ((raw.out === undefined || raw.out === '-') && raw.bedgraph === '-')
    throw new RnnseqError('--bedgraph - needs -o FILE for the calls: both cannot go to stdout', EXIT_USAGE);
  if (raw.summary !== undefined && (raw.summary === '-' || raw.summary === raw.out || raw.summary === raw.bedgraph))
    throw new RnnseqError('--summary needs a file of its own (an SVG), not stdout or another output', EXIT_USAGE);
  if (raw.bigwig !== undefined && raw.shard !== undefined) {
    throw new RnnseqError(
      '--bigwig cannot be split with --shard: bigWig files do not concatenate. Write --bedgraph partK.bedGraph per shard, then: cat part*.bedGraph > track.bedGraph (in shard order) and rnnseq bigwig track.bedGraph --genome GENOME -o track.bw',
      EXIT_USAGE,
    );
  }
  if (raw.bigwig !== undefined && [raw.out, raw.bedgraph, raw.summary].includes(raw.bigwig))
    throw new RnnseqError('--bigwig needs a file of its own', EXIT_USAGE);
  if (raw.bigwig === '-') throw new RnnseqError('--bigwig needs a file: bigWig is written with random access, not to stdout', EXIT_USAGE);
  if (raw.rc !== undefined && (raw.strand !== undefined || raw.rcCombine !== undefined))
    throw new RnnseqError('give --rc, or --strand / --rc-combine, not both', EXIT_USAGE);
  const rc =
    raw.rc === undefined
      ? {}
      : raw.rc === 'none'
        ? { strand: '+' as const }
        : { strand: 'both' as const, rcCombine: raw.rc === 'average' ? ('mean' as const) : ('max' as const) };
  return {
    ...parseCommon(raw),
    model: raw.model,
    input,
    ...rc,
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    ...(raw.bedgraph !== undefined ? { bedgraph: raw.bedgraph } : {}),
    ...(raw.bigwig !== undefined ? { bigwig: raw.bigwig } : {}),
    ...(raw.format !== undefined ? { format: raw.format } : {}),
    ...(raw.summary !== undefined ? { summary: raw.summary } : {}),
    ...(raw.stride !== undefined ? { strideBp: parseNumber('--stride', raw.stride, { min: 1, integer: true }) } : {}),
    ...(raw.strand !== undefined ? { strand: raw.strand } : {}),
    ...(raw.rcCombine !== undefined ? { rcCombine: raw.rcCombine } : {}),
    ...(raw.extent !== undefined ? { extent: raw.extent } : {}),
    ...(raw.maxN !== undefined ? { maxN: parseNumber('--max-n', raw.maxN, { min: 0, integer: true }) } : {}),
    ...(raw.threshold !== undefined ? { threshold: parseNumber('--threshold', raw.threshold, { min: 0, max: 1 }) } : {}),
    ...(raw.fdr !== undefined ? { fdr: parseNumber('--fdr', raw.fdr, { min: 1e-12, max: 1 }) } : {}),
    ...(raw.class !== undefined ? { positiveClass: raw.class } : {}),
    regions: raw.region.map((r) => parseRegion(r)),
    ...(raw.shard !== undefined ? { shard: parseShard(raw.shard) } : {}),
    batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, max: 65536, integer: true }),
    ...(raw.circular ? { circular: true } : {}),
    ...(raw.bin !== undefined ? { binBp: parseNumber('--bin', raw.bin, { min: 1, integer: true }) } : {}),
    ...(raw.mergeGap !== undefined ? { mergeGapBp: parseNumber('--merge-gap', raw.mergeGap, { min: 0, integer: true }) } : {}),
    ...(raw.minRun !== undefined ? { minRunBp: parseNumber('--min-run', raw.minRun, { min: 1, integer: true }) } : {}),
  };
}

/** scan --gather FILES: no model or genome; only what the parts left undecided may be given. */
function parseGatherOptions(input: string, raw: RawScanFlags): ScanOptions {
  if (input !== '-')
    throw new RnnseqError(
      `--gather takes the candidate files as its arguments; '${input}' is left over (give it after --gather)`,
      EXIT_USAGE,
    );
  const files = raw.gather!;
  if (files.length === 0 || files.includes('-'))
    throw new RnnseqError(
      '--gather needs candidate files (the --fdr outputs of scan --shard / --region parts, in order); stdin cannot be read twice',
      EXIT_USAGE,
    );
  const scanOnly = firstGiven([
    ['-m', raw.model !== undefined],
    ['--threshold', raw.threshold !== undefined],
    ['--fdr', raw.fdr !== undefined],
    ['--shard', raw.shard !== undefined],
    ['--region', raw.region.length > 0],
    ['--bedgraph', raw.bedgraph !== undefined],
    ['--bigwig', raw.bigwig !== undefined],
  ]);
  if (scanOnly)
    throw new RnnseqError(`--gather reads what the parts decided (model, --fdr, windows); ${scanOnly} is for the scan itself`, EXIT_USAGE);
  return {
    ...parseCommon(raw),
    model: '',
    input,
    gather: files,
    regions: [],
    batchSize: 1,
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    ...(raw.format !== undefined ? { format: raw.format } : {}),
  };
}
