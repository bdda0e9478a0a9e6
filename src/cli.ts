import os from 'node:os';
import { Command, Option, CommanderError } from '@commander-js/extra-typings';
import { EXIT_RUNTIME, EXIT_USAGE, RnnseqError } from './errors.js';
import { rnnseqVersion } from './version.js';

/**
 * The entry point: command definitions only. Each action imports its command module when it runs, so
 * `rnnseq --help` never loads TensorFlow.js.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name('rnnseq')
    .description('Recurrent neural networks for biological sequences: train and run LSTM/GRU models on FASTA.')
    .version(rnnseqVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'rnnseq: ')) })
    .exitOverride();

  program.addHelpText(
    'after',
    `
Examples:
  $ rnnseq classify -m splice-primate fixtures/splice-sample.fa
  $ rnnseq train -o runs/splice --alphabet dna ../shared/data/splice_statlog_mlbench/splice_statlog.fa
  $ rnnseq doctor`,
  );

  program
    .command('train')
    .description('train a sequence classifier on labelled FASTA (labels from a header tag or one file per class)')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin) whose headers carry label=CLASS")
    .requiredOption('-o, --out <dir>', 'run directory: best/ and last/ checkpoints, metrics.tsv')
    .option('--class <name=file>', 'one FASTA file per class (repeatable) instead of header labels', collect, [] as string[])
    .option('--label-tag <key>', 'header tag that holds the class', 'label')
    .addOption(new Option('--alphabet <name>', 'sequence alphabet').choices(['auto', 'dna', 'rna', 'protein'] as const).default('auto' as const))
    .option('--length <bp>', 'fixed input length: longer sequences keep their centre, shorter are padded and masked')
    .addOption(new Option('--cell <type>', 'recurrent cell').choices(['lstm', 'gru', 'rnn', 'cifg'] as const).default('lstm' as const))
    .option('--hidden <n>', 'hidden units per direction', '64')
    .option('--layers <n>', 'stacked recurrent layers', '1')
    .option('--bidirectional', 'read both directions and concatenate', false)
    .option('--dropout <rate>', 'dropout between layers and before the head', '0')
    .addOption(new Option('--pool <how>', 'how per-position states become one vector').choices(['last', 'mean', 'max'] as const).default('mean' as const))
    .option('--epochs <n>', 'maximum epochs', '20')
    .option('--batch-size <n>', 'sequences per batch', '64')
    .option('--lr <rate>', 'Adam learning rate', '0.003')
    .option('--clip-norm <x>', 'clip gradients to this global norm (0: off)', '5')
    .option('--patience <n>', 'stop after n epochs without a better validation loss (0: never)', '10')
    .option('--lr-patience <n>', 'halve the learning rate after n epochs without improvement (0: constant rate)', '4')
    .option('--max-memory <GB>', 'memory budget for backpropagation; larger batches are split into accumulated micro-batches', defaultMaxMemoryGb())
    .option('--seed <n>', 'random seed: same seed, same data, same thread count -> same weights', '1')
    .option('--valid <file>', 'validation FASTA (labels from the same header tag)')
    .option('--valid-fraction <f>', 'hold out this stratified fraction for validation when --valid is not given', '0.1')
    .option('--resume', 'continue the run in --out from its last/ checkpoint', false)
    .option('--genome <fasta>', 'train a scanner: cut labelled windows from this genome (a file, .gz allowed) with --positives')
    .option('--positives <bed>', 'with --genome: BED of the regions to find (peaks, CDS, ...)')
    .option('--negatives <bed>', 'with --genome: BED of negative regions (default: sample them, see below)')
    .option('--window <bp>', 'with --genome: window length, the model\'s input length (default 200)')
    .addOption(new Option('--positive-windows <how>', 'with --genome: one window centred on each positive region, or windows tiled across long ones').choices(['centre', 'tile'] as const).default('centre' as const))
    .option('--tile-stride <bp>', 'with --positive-windows tile: step between tiled windows (default: half a window)')
    .option('--negatives-per-positive <x>', 'with --genome and no --negatives: sampled negative windows per positive window', '1')
    .option('--valid-chroms <list>', 'with --genome: comma-separated sequences whose windows validate (and calibrate the threshold)')
    .option('--valid-region <region>', 'with --genome: windows inside CHROM:START-END (1-based, inclusive) validate (repeatable)', collect, [] as string[])
    .option('--exclude-region <region>', 'with --genome: use no window touching CHROM:START-END, e.g. a test hold-out (repeatable)', collect, [] as string[])
    .option('--no-rc', 'with --genome: no reverse-complement augmentation (on by default: elements work on either strand)')
    .option('--positive-class <name>', 'with --genome: name of the positive class (the negative class is background)', 'positive')
    .addOption(new Option('--extent <what>', "with --genome: the scanner's default scan --extent (core for elements packed densely, like genes)").choices(['window', 'core'] as const).default('window' as const))
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq train -o runs/splice --cell cifg --bidirectional --pool max --dropout 0.3 ../shared/data/splice_statlog_mlbench/splice_statlog.fa
  $ rnnseq train -o runs/enh --class enhancer=enh.fa --class background=bg.fa --length 200
  $ rnnseq train -o runs/enh --genome hg38.fa.gz --positives peaks.bed --window 200 --valid-chroms chr8,chr9 --positive-class enhancer

Scanners (--genome): positives are windows centred on (or tiled across) the --positives regions. Without
--negatives, negatives are random genome windows that overlap no positive region, sampled so their GC content
(5% bins) and N fraction (0, <=1%, <=10%, <=50%) match the positives' in each split; windows over half N are
never used. Every window is also shown reverse-complemented unless --no-rc. Windows on --valid-chroms or inside
a --valid-region validate; windows straddling a validation edge or touching an --exclude-region are dropped.
best/ records the window and a threshold chosen for the best F1 on the validation windows (negatives weighted
so positives make up the share of the validation sequence the --positives regions cover); rnnseq scan uses it.`,
    )
    .action(async (inputs, opts) => {
      const { parseTrainOptions } = await import('./commands/train-options.js');
      const { run } = await import('./commands/train.js');
      await run(parseTrainOptions(inputs, opts, process.argv.slice(2).join(' ')));
    });

  program
    .command('classify')
    .description('classify sequences with a trained model; TSV (id, label, p_<class>...) to stdout or -o')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin)", ['-'])
    .requiredOption('-m, --model <path>', 'checkpoint directory, training run directory, or shipped model name')
    .option('-o, --out <file>', 'write the TSV here (atomically) instead of stdout')
    .option('--batch-size <n>', 'sequences per batch', '256')
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq classify -m splice-primate fixtures/splice-sample.fa
  $ zcat reads.fa.gz | rnnseq classify -m runs/splice - -o calls.tsv`,
    )
    .action(async (inputs, opts) => {
      const { parseCommon, parseNumber } = await import('./commands/runtime.js');
      const { run } = await import('./commands/classify.js');
      await run({ ...parseCommon(opts), model: opts.model, inputs, out: opts.out, batchSize: parseNumber('--batch-size', opts.batchSize, { min: 1, integer: true }) });
    });

  program
    .command('scan')
    .description('slide a window model along a genome; merged calls as BED6 + max_prob, mean_prob, windows')
    .argument('[genome]', "FASTA genome (.gz or '-' for stdin)", '-')
    .requiredOption('-m, --model <path>', 'scanner (trained with train --genome), or any fixed-length classifier with --class')
    .option('-o, --out <file>', 'write the calls (BED) here (atomically) instead of stdout')
    .option('--bedgraph <file>', "also write every window's probability as bedGraph (on its central stride-wide bin)")
    .option('--stride <bp>', 'step between window starts (default: a quarter window)')
    .addOption(new Option('--strand <which>', "both: score the reverse complement too; + or -: one strand (default: the model's, else both)").choices(['both', '+', '-'] as const))
    .addOption(new Option('--rc-combine <how>', 'with --strand both, combine the two strands by max or mean (default: the model\'s, else max)').choices(['max', 'mean'] as const))
    .addOption(new Option('--extent <what>', "what a called window adds to a region: the whole window, or its core (central stride-wide part, as in --bedgraph) for tighter calls where elements are dense (default: the model's, else window)").choices(['window', 'core'] as const))
    .option('--max-n <bp>', 'skip windows with more N bases than this (default: 10% of the window)')
    .option('--threshold <p>', "call windows with probability >= p (default: the model's calibrated threshold, else 0.5)")
    .option('--class <name>', "the class whose probability is called (default: the scanner's positive class)")
    .option('--region <region>', 'scan only windows starting in CHROM or CHROM:START-END (1-based, inclusive; repeatable)', collect, [] as string[])
    .option('--shard <K/N>', 'scan part K of N equal parts (needs a file, not stdin); cat of all N outputs = the whole run')
    .option('--batch-size <n>', 'windows per batch and strand (keep it equal across shards)', '256')
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
Output: BED6 + 3, no header, sorted by the genome's sequence order, then start: chrom, start, end (0-based,
half-open), name (the positive class), score (0-1000, from max_prob), strand ('.' when both strands are
combined), max_prob, mean_prob (over the region's called windows), windows (how many were merged).
Overlapping or touching called windows (or window cores, with --extent core) merge into one region.

--region and --shard split the work: a part owns the windows that start in it and writes each merged region
whose first window it owns; it reads up to a window beyond its edges to get merges right, so concatenating
the parts' outputs in order gives exactly the whole-genome output (same model, options and --batch-size).

Examples:
  $ rnnseq scan -m chloroplast-cds ../shared/data/genomes_annotated/ypestis_pPCP1_NC_005816.fa
  $ rnnseq scan -m runs/enh/best hg38.fa.gz -o enhancers.bed --bedgraph enhancers.bg
  $ rnnseq scan -m runs/enh/best hg38.fa.gz --shard 3/20 -o part3.bed      # then: cat part{1..20}.bed
  $ zcat genome.fa.gz | rnnseq scan -m runs/enh/best - --region chr2:1-5,000,000 | bedtools merge -i -`,
    )
    .action(async (genome, opts) => {
      const { parseScanOptions, run } = await import('./commands/scan.js');
      await run(parseScanOptions(genome, opts));
    });

  program
    .command('explain')
    .description('in-silico mutagenesis: the change in a class probability for every single-base substitution; TSV, optional motifs')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin)", ['-'])
    .requiredOption('-m, --model <path>', 'checkpoint directory, training run directory, or shipped model name')
    .option('-o, --out <file>', 'write the TSV (or with --vcf, the VCF) here (atomically) instead of stdout')
    .option('--target <class>', "the class whose probability is explained (default: the scanner's positive class)")
    .option('--batch-size <n>', 'variants per engine call', '512')
    .option('--motifs <k>', 'also cluster high-effect segments and write the top k motifs (PFMs) in MEME and JASPAR format')
    .option('--motif-out <prefix>', 'with --motifs: write PREFIX.meme and PREFIX.jaspar (default: the -o name with .tsv replaced by .motifs)')
    .option('--motif-width <bp>', 'with --motifs: segment width before trimming uninformative flanks', '10')
    .option('--compare <jaspar>', 'with --motifs: name the closest known motif (JASPAR text file) for each, in PREFIX.matches.tsv')
    .option('--vcf <file>', 'score the SNVs of this VCF (.gz or - allowed) against --genome instead: writes the VCF with an RNNSEQ_DELTA INFO field')
    .option('--genome <fasta>', 'with --vcf or --region: the reference genome (FASTA, .gz allowed)')
    .option('--region <region>', 'mutate every base of CHROM:START-END of --genome (1-based, inclusive; repeatable) instead of FASTA records', collect, [] as string[])
    .option('--bedgraph <file>', 'with --region: also write the per-base strongest effect (signed delta) as bedGraph')
    .option('--window <bp>', "with --vcf or --region: window centred on each variant or base (default: the model's input length)")
    .option('--saliency', 'instead of mutagenesis: gradient x input of the target probability per position (one backward pass per batch)', false)
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
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

Examples:
  $ rnnseq explain -m splice-primate --target EI fixtures/splice-sample.fa -o effects.tsv
  $ rnnseq explain -m splice-primate --target EI --saliency fixtures/splice-sample.fa -o saliency.tsv
  $ rnnseq explain -m runs/motif/best --target motif positives.fa -o effects.tsv --motifs 3   # effects.motifs.meme/.jaspar
  $ rnnseq explain -m runs/enh/best --genome hg38.fa.gz --region chr8:128,748,000-128,749,000 -o e.tsv --bedgraph e.bg
  $ rnnseq explain -m runs/enh/best --vcf variants.vcf.gz --genome hg38.fa.gz -o scored.vcf
  $ rnnseq explain -m runs/hnf4/best --target site sites.fa -o e.tsv --motifs 1 --compare ../shared/data/regulatory/pfm_vertebrates.txt`,
    )
    .action(async (inputs, opts) => {
      const { parseExplainOptions, run } = await import('./commands/explain.js');
      await run(parseExplainOptions(inputs, opts));
    });

  program
    .command('doctor')
    .description('report the TensorFlow.js backend, native kernel status, SIMD level and threads')
    .addOption(engineOptions.backend())
    .addOption(logOptions.json())
    .addHelpText('after', '\nExample:\n  $ rnnseq doctor --json')
    .action(async (opts) => {
      const { run } = await import('./commands/doctor.js');
      await run({ backend: opts.backend, json: opts.json });
    });

  return program;
}

const engineOptions = {
  backend: () =>
    new Option('--backend <name>', 'TensorFlow.js backend (auto: tensorflow if tfjs-node is installed, else wasm, else cpu)')
      .choices(['auto', 'tensorflow', 'wasm', 'cpu'] as const)
      .default('auto' as const),
  engine: () =>
    new Option('--engine <name>', 'recurrent core: native fused CPU kernels or the tfjs reference (env RNNSEQ_ENGINE=ref)').choices(['auto', 'native', 'ref'] as const).default('auto' as const),
  threads: () => new Option('--threads <n>', 'native kernel threads (default: RNNSEQ_THREADS, OMP_NUM_THREADS, SLURM_CPUS_PER_TASK, or all cores)'),
};

const logOptions = {
  quiet: () => new Option('-q, --quiet', 'only warnings and errors on stderr').default(false),
  json: () => new Option('--json', 'log one JSON object per line on stderr (for batch jobs)').default(false),
};

/** Half the machine (or the job's share as the OS reports it), so a long-sequence run cannot take it all. */
function defaultMaxMemoryGb(): string {
  return (os.totalmem() / 2 ** 30 / 2).toFixed(1);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI; turns every failure into one line on stderr and an exit code. */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // `rnnseq ... | head` closes the pipe early: that is the reader's choice, not an error.
    if (error.code === 'EPIPE') process.exit(0);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : EXIT_USAGE; // commander already printed its message
  }
  if (error instanceof RnnseqError) {
    process.stderr.write(`rnnseq: ${error.message}\n`);
    return error.exitCode;
  }
  const err = error as NodeJS.ErrnoException;
  const hint = err.code === 'ENOSPC' ? ' (disk full)' : err.code === 'EACCES' ? ' (permission denied)' : '';
  process.stderr.write(`rnnseq: ${err?.message ?? String(error)}${hint}\n`);
  if (process.env.RNNSEQ_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('rnnseq: this is a bug if the message does not say what to fix; rerun with RNNSEQ_DEBUG=1 and report the trace\n');
  return EXIT_RUNTIME;
}
