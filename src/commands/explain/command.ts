/** `rnnseq explain`: its flags, help and examples, and their parsing into ExplainOptions (options.ts). */
import type { Command } from '@commander-js/extra-typings';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { parseRegion } from '../../seq/regions.js';
import { collect, modelOverRecords, withRuntimeOptions } from '../shared/flags.js';
import { GENOME_REGIONS_HELP, REGIONS_FLAG_HELP, parseGenomeRegions } from '../shared/genome-regions.js';
import { type RawRuntimeFlags, firstGiven, parseCommon, parseNumber } from '../shared/parse.js';
import type { ExplainOptions } from './options.js';

export function register(program: Command): void {
  const explainCommand = modelOverRecords(
    program,
    'explain',
    'in-silico mutagenesis: the change in a class probability for every single-base substitution; TSV, optional motifs',
  )
    .option('-o, --out <file>', 'write the TSV (or with --vcf, the VCF) here (atomically) instead of stdout')
    .option('--target <class>', "the class whose probability is explained (default: the scanner's positive class)")
    .option('--batch-size <n>', 'variants per engine call', '512')
    .option(
      '--motifs <k>',
      'also cluster high-effect segments and write the top k motifs (PFMs) in MEME and JASPAR format, and a sequence logo SVG of each',
    )
    .option(
      '--motif-out <prefix>',
      'with --motifs: write PREFIX.meme and PREFIX.jaspar (default: the -o name with .tsv replaced by .motifs)',
    )
    .option('--motif-width <bp>', 'with --motifs: segment width before trimming uninformative flanks', '10')
    .option('--compare <jaspar>', 'with --motifs: name the closest known motif (JASPAR text file) for each, in PREFIX.matches.tsv')
    .option(
      '--vcf <file>',
      'score the SNVs of this VCF (.gz or - allowed) against --genome instead: writes the VCF with an RNNSEQ_DELTA INFO field',
    )
    .option(
      '--genome <genome>',
      'with --vcf or --region: the reference genome (FASTA, .gz allowed); with --regions also .2bit, or FASTA / bgzip FASTA with a .fai',
    )
    .option('--regions <bed>', REGIONS_FLAG_HELP)
    .option(
      '--region <region>',
      'mutate every base of CHROM:START-END of --genome (1-based, inclusive; repeatable) instead of FASTA records',
      collect,
      [] as string[],
    )
    .option('--bedgraph <file>', 'with --region: also write the per-base strongest effect (signed delta) as bedGraph')
    .option('--window <bp>', "with --vcf or --region: window centred on each variant or base (default: the model's input length)")
    .option(
      '--saliency',
      'instead of mutagenesis: gradient x input of the target probability per position (one backward pass per batch)',
      false,
    );
  withRuntimeOptions(explainCommand)
    .addHelpText(
      'after',
      `
Output: TSV with a header, one row per sequence, position and alternative symbol, in input order:
id, position (0-based in the record; a fixed-length model sees only the record's centre), ref, alt,
p_ref (target probability of the sequence as given), p_alt (with the substitution), delta (p_alt - p_ref).
Each sequence costs length x 3 model evaluations (x 19 for protein), batched --batch-size at a time.

--motifs K takes, per sequence, up to 3 non-overlapping windows whose mutation most lowers the target
probability, clusters them (forward strand), trims flanks under 0.5 bits and writes each motif's site
counts (JASPAR) and frequencies with nsites (MEME), ranked by the importance they carry. --compare adds
PREFIX.matches.tsv: the best-correlated known motif for each (either strand).

--vcf scores each SNV allele as p(target | ALT window) - p(target | REF window), the window centred on the
variant (a scanner on its calibrated strand(s)); the VCF is written back (-o or stdout) with RNNSEQ_DELTA
(one value per ALT, '.' for indels). Records it cannot score pass through without it.

--saliency writes id, position, ref, saliency: the gradient of the target probability with respect to the
one-hot input, times the input, per position. Cheaper than mutagenesis (no length x 3 evaluations), but a
first-order estimate.

--region mutates each base of a genome region in the window centred on it (as --vcf would score a variant
there); rows use the chromosome as id and genome positions. --bedgraph adds the strongest effect per base.

${GENOME_REGIONS_HELP}
Each region is then explained as a FASTA record would be (mutagenesis, --saliency, --motifs): position counts
from the region's first base as read on its strand (from END - 1 down for a '-' region), within the centre a
fixed-length model sees.

Examples:
  $ rnnseq explain -m splice-primate --target EI fixtures/splice-sample.fa -o effects.tsv
  $ rnnseq explain -m splice-primate --target EI --saliency fixtures/splice-sample.fa -o saliency.tsv
  $ rnnseq explain -m runs/motif/best --target motif positives.fa -o effects.tsv --motifs 3   # effects.motifs.meme/.jaspar/.rnnseq_1.svg
  $ rnnseq explain -m runs/enh/best --genome hg38.fa.gz --region chr8:128,748,000-128,749,000 -o e.tsv --bedgraph e.bg
  $ rnnseq explain -m runs/enh/best --vcf variants.vcf.gz --genome hg38.fa.gz -o scored.vcf
  $ rnnseq explain -m runs/enh/best --genome hg38.2bit --regions peaks.bed -o effects.tsv   # chrom, start, end, name, position, ...
  $ rnnseq explain -m runs/hnf4/best --target site sites.fa -o e.tsv --motifs 1 --compare ../shared/data/regulatory/pfm_vertebrates.txt`,
    )
    .action(async (inputs, opts) => {
      const options = parseExplainOptions(inputs, opts);
      const { run } = await import('./run.js');
      await run(options);
    });
}

/** The flags as commander hands them over. */
export interface RawExplainFlags extends RawRuntimeFlags {
  model: string;
  out?: string;
  target?: string;
  batchSize: string;
  motifs?: string;
  motifOut?: string;
  motifWidth: string;
  compare?: string;
  vcf?: string;
  genome?: string;
  regions?: string;
  window?: string;
  region: string[];
  bedgraph?: string;
  saliency: boolean;
}

export function parseExplainOptions(inputs: string[], raw: RawExplainFlags): ExplainOptions {
  const options: ExplainOptions = {
    ...parseCommon(raw),
    model: raw.model,
    inputs,
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    ...(raw.target !== undefined ? { target: raw.target } : {}),
    batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, integer: true }),
  };
  if (raw.motifs !== undefined) {
    const prefix =
      raw.motifOut ?? (raw.out !== undefined && raw.out !== '-' ? `${raw.out.replace(/\.tsv(\.gz)?$/, '')}.motifs` : undefined);
    if (prefix === undefined)
      throw new RnnseqError('--motifs needs --motif-out PREFIX (or -o FILE, whose name it then borrows)', EXIT_USAGE);
    options.motifs = {
      count: parseNumber('--motifs', raw.motifs, { min: 1, integer: true }),
      prefix,
      width: parseNumber('--motif-width', raw.motifWidth, { min: 2, max: 64, integer: true }),
      ...(raw.compare !== undefined ? { compare: raw.compare } : {}),
    };
  } else if (raw.motifOut !== undefined || raw.compare !== undefined) {
    throw new RnnseqError(`${raw.compare !== undefined ? '--compare' : '--motif-out'} only makes sense with --motifs K`, EXIT_USAGE);
  }
  const fastaInput = inputs.length === 1 && inputs[0] === '-';
  if (raw.regions !== undefined) {
    const other = firstGiven([
      ['--vcf', raw.vcf !== undefined],
      ['--region', raw.region.length > 0],
      ['--bedgraph', raw.bedgraph !== undefined],
      ['--window', raw.window !== undefined],
    ]);
    if (other)
      throw new RnnseqError(
        `--regions reads each BED line as a record, as FASTA input is read; it does not combine with ${other}`,
        EXIT_USAGE,
      );
    options.genomeRegions = parseGenomeRegions(inputs, raw)!;
    if (raw.saliency) options.saliency = true;
    return options;
  }
  if (raw.saliency) {
    const other = raw.motifs !== undefined ? '--motifs' : raw.vcf !== undefined ? '--vcf' : raw.region.length > 0 ? '--region' : undefined;
    if (other) throw new RnnseqError(`--saliency scores FASTA records by gradient x input; it does not combine with ${other}`, EXIT_USAGE);
    options.saliency = true;
  }
  if (raw.vcf !== undefined && raw.region.length > 0)
    throw new RnnseqError('--vcf and --region are two different questions; give one', EXIT_USAGE);
  if (raw.bedgraph !== undefined && raw.region.length === 0)
    throw new RnnseqError('--bedgraph needs --genome and --region: it is the per-base effect along a genome', EXIT_USAGE);
  if (raw.region.length > 0) {
    if (raw.genome === undefined) throw new RnnseqError('--region needs --genome FASTA', EXIT_USAGE);
    if (!fastaInput) throw new RnnseqError('--region mutates windows of --genome; give no FASTA inputs with it', EXIT_USAGE);
    if (options.motifs) throw new RnnseqError('--motifs works on FASTA input, not with --region', EXIT_USAGE);
    options.regions = {
      genome: raw.genome,
      regions: raw.region.map((text) => parseRegion(text)),
      ...(raw.bedgraph !== undefined ? { bedgraph: raw.bedgraph } : {}),
      ...(raw.window !== undefined ? { windowBp: parseNumber('--window', raw.window, { min: 1, integer: true }) } : {}),
    };
  } else if (raw.vcf !== undefined) {
    if (raw.genome === undefined)
      throw new RnnseqError('--vcf needs --genome FASTA: the reference the variants are called against', EXIT_USAGE);
    if (!fastaInput) throw new RnnseqError('--vcf scores windows of --genome; give no FASTA inputs with it', EXIT_USAGE);
    if (options.motifs) throw new RnnseqError('--motifs works on FASTA input, not with --vcf', EXIT_USAGE);
    options.vcf = {
      file: raw.vcf,
      genome: raw.genome,
      ...(raw.window !== undefined ? { windowBp: parseNumber('--window', raw.window, { min: 1, integer: true }) } : {}),
    };
  } else if (raw.genome !== undefined || raw.window !== undefined) {
    throw new RnnseqError(
      `${raw.genome !== undefined ? '--genome' : '--window'} only makes sense with --vcf, --region or --regions`,
      EXIT_USAGE,
    );
  }
  return options;
}
