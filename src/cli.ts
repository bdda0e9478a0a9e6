import os from 'node:os';
import { Argument, Command, Option, CommanderError, type OptionValues } from '@commander-js/extra-typings';
import { EXIT_RUNTIME, EXIT_USAGE, RnnseqError } from './errors.js';
import { rnnseqVersion } from './version.js';
import { withRecipeOptions } from './commands/train-recipe.js';

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

  const trainCommand = program
    .command('train')
    .description('train a model on FASTA: a classifier (labels from a header tag or one file per class), a regressor, a language model, or a scanner from a genome')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin) whose headers carry label=CLASS")
    .requiredOption('-o, --out <dir>', 'run directory: best/ and last/ checkpoints, metrics.tsv')
    .option('--class <name=file>', 'one FASTA file per class (repeatable) instead of header labels', collect, [] as string[])
    .option('--label-tag <key>', 'header tag that holds the class', 'label')
    .addOption(new Option('--task <task>', 'classify: a class per sequence; regress: a number per sequence; lm: next-base language model (for embed/phylo); tag: a class per base (with --genome)').choices(['classify', 'regress', 'lm', 'tag'] as const).default('classify' as const))
    .option('--target-tag <key>', 'with --task regress: header tag holding the numeric target', 'value')
    .option('--targets <tsv>', 'with --task regress: TSV of id and target (header line: id, name) instead of header tags')
    .addOption(new Option('--loss <name>', 'with --task regress: squared error or Huber (robust to outliers), on standardised targets').choices(['mse', 'huber'] as const).default('mse' as const))
    .option('--windows-per-epoch <n>', 'with --task lm: training windows (of --window bp, default 200) sampled afresh each epoch', '2000')
    .option('--group <name=file>', 'with --task lm: one FASTA file per group (species), recorded for phylo (repeatable)', collect, [] as string[])
    .option('--group-tag <key>', 'with --task lm: header tag naming each record\'s group (e.g. species)')
    .option('--group-regex <re>', 'with --task lm: group = the one capture group of this regex on the id')
    .option('--condition-tag <key>', 'learn an initial state per value of this header tag (cell type, condition); prediction needs it too')
    .option('--covariates <tsv>', 'TSV of id and numeric columns mapped by a small network to the initial state')
    .option('--rc-augment', 'DNA/RNA: also train on the reverse complement of every sequence (strand-symmetric signals)', false)
    .addOption(new Option('--alphabet <name>', 'sequence alphabet').choices(['auto', 'dna', 'rna', 'protein'] as const).default('auto' as const))
    .option('--length <bp>', 'fixed input length: longer sequences keep their centre, shorter are padded and masked')
    .addOption(new Option('--cell <type>', 'recurrent cell').choices(['lstm', 'gru', 'rnn', 'cifg'] as const).default('lstm' as const))
    .option('--hidden <n>', 'hidden units per direction', '64')
    .option('--layers <n>', 'stacked recurrent layers', '1')
    .option('--bidirectional', 'read both directions and concatenate (the default for --task tag)')
    .option('--no-bidirectional', 'with --task tag: read left to right only (a tagger is bidirectional by default)')
    .option('--bounded', 'with --cell cifg: sigmoid candidate, so the memory is a moving average held in [0, 1]', false)
    .option('--dropout <rate>', 'dropout between layers and before the head', '0')
    .addOption(new Option('--pool <how>', 'how per-position states become one vector (attention: learned weights over positions)').choices(['last', 'mean', 'max', 'attention'] as const).default('mean' as const))
    .option('--epochs <n>', "maximum epochs, or 'auto': a budget of ~1,500 steps (20-150 epochs) and patience scaled to the training-set size", '20')
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
    .option('--labels <bed>', 'with --task tag: BED of the regions whose bases are --positive-class (every other base is background)')
    .option('--negatives <bed>', 'with --genome: BED of negative regions (default: sample them, see below)')
    .option('--window <bp>', 'with --genome: window length, the model\'s input length (default 200; 1000 for --task tag)')
    .addOption(new Option('--positive-windows <how>', 'with --genome: one window centred on each positive region, or windows tiled across long ones').choices(['centre', 'tile'] as const).default('centre' as const))
    .option('--tile-stride <bp>', 'with --positive-windows tile or --task tag: step between tiled windows (default: half a window)')
    .option('--negatives-per-positive <x>', 'with --genome and no --negatives: sampled negative windows per positive window', '1')
    .option('--valid-chroms <list>', 'with --genome: comma-separated sequences whose windows validate (and calibrate the threshold)')
    .option('--valid-region <region>', 'with --genome: windows inside CHROM:START-END (1-based, inclusive) validate (repeatable)', collect, [] as string[])
    .option('--exclude-region <region>', 'with --genome: use no window touching CHROM:START-END, e.g. a test hold-out (repeatable)', collect, [] as string[])
    .option('--no-rc', 'with --genome: no reverse-complement augmentation (on by default: elements work on either strand)')
    .option('--positive-class <name>', 'with --genome: name of the positive class (the negative class is background)', 'positive')
    .addOption(new Option('--extent <what>', "with --genome: the scanner's default scan --extent (core for elements packed densely, like genes)").choices(['window', 'core'] as const).default('window' as const));
  withRuntimeOptions(withRecipeOptions(trainCommand))
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq train -o runs/splice --cell cifg --bidirectional --pool max --dropout 0.3 ../shared/data/splice_statlog_mlbench/splice_statlog.fa
  $ rnnseq train -o runs/enh --class enhancer=enh.fa --class background=bg.fa --length 200
  $ rnnseq train -o runs/enh --genome hg38.fa.gz --positives peaks.bed --window 200 --valid-chroms chr8,chr9 --positive-class enhancer
  $ rnnseq train -o runs/lm --task lm --window 100 --windows-per-epoch 4000 --group-tag species genomes.fa
  $ rnnseq train -o runs/expr --task regress --target-tag expression --loss huber promoters.fa
  $ rnnseq train -o runs/cds-tag --task tag --genome chloroplast.fa --labels cds.bed --positive-class CDS --window 300 --tile-stride 30 --valid-region NC_000932:46344-62000
  $ rnnseq train -o runs/cell --condition-tag cell --class bound=bound.fa --class unbound=unbound.fa
  $ rnnseq train -o runs/meth --cell cifg --bounded --covariates age.tsv --class high=h.fa --class low=l.fa

Scanners (--genome): positives are windows centred on (or tiled across) the --positives regions. Without
--negatives, negatives are random genome windows that overlap no positive region, sampled so their GC content
(5% bins) and N fraction (0, <=1%, <=10%, <=50%) match the positives' in each split; windows over half N are
never used. Every window is also shown reverse-complemented unless --no-rc. Windows on --valid-chroms or inside
a --valid-region validate; windows straddling a validation edge or touching an --exclude-region are dropped.
best/ records the window and a threshold chosen for the best F1 on the validation windows (negatives weighted
so positives make up the share of the validation sequence the --positives regions cover); rnnseq scan uses it.

Taggers (--task tag --genome G --labels BED): windows of --window bp (default 1000) are tiled every --tile-stride
bp across every sequence (one more flush with its end; windows over half N are left out), and every base is
labelled --positive-class inside a --labels region, background outside (N bases count for neither). Reverse
complements are shown too (tags reversed) unless --no-rc; the model is bidirectional unless --no-bidirectional.
--valid-chroms, --valid-region and --exclude-region split windows as for scanners. best/ records the window and a
per-base threshold (best F1 over validation bases, windows combined as scan combines them); rnnseq scan with the
model writes a per-base track.`,
    )
    .action(async (inputs, opts) => {
      const { parseTrainOptions } = await import('./commands/train-options.js');
      const { run } = await import('./commands/train.js');
      await run(parseTrainOptions(inputs, opts, process.argv.slice(2).join(' ')));
    });

  const classifyCommand = program
    .command('classify')
    .description('classify sequences with a trained classifier or regressor; TSV (id, label, p_<class>... or id, value) to stdout or -o')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin)", ['-'])
    .requiredOption('-m, --model <path>', 'checkpoint directory, training run directory, or shipped model name')
    .option('-o, --out <file>', 'write the TSV here (atomically) instead of stdout')
    .option('--batch-size <n>', 'sequences per batch', '256')
    .option('--default-condition <value>', "models trained with --condition-tag: the condition of records whose header lacks the tag")
    .option('--covariates <tsv>', 'models trained with --covariates: TSV of id and the same numeric columns, a row per sequence')
    .addOption(new Option('--rc <how>', "DNA/RNA: also predict each sequence's reverse complement and combine the two (per class, or the values)").choices(['none', 'average', 'max'] as const).default('none' as const))
    .option('--reverse', 'show the model every sequence reversed (with --complement: the reverse complement)', false)
    .option('--complement', 'DNA/RNA: show the model every sequence complemented, base by base', false)
    .option('--circular', 'read every sequence as circular: twice round, the first lap seeding the second (records with topology=circular in the header are, regardless)', false)
    .option('--max-memory <GB>', 'each sequence is read whole: refuse one that would need more than this', defaultMaxMemoryGb());
  withRuntimeOptions(classifyCommand)
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq classify -m splice-primate fixtures/splice-sample.fa
  $ zcat reads.fa.gz | rnnseq classify -m runs/splice - -o calls.tsv
  $ rnnseq classify -m runs/expr promoters.fa                       # regressor: id, value
  $ rnnseq classify -m runs/cell --default-condition K562 peaks.fa  # records without cell= are K562
  $ rnnseq classify -m runs/meth --covariates age.tsv reads.fa
  $ rnnseq classify -m runs/enh --rc average windows.fa             # same answer for either strand
  $ rnnseq classify -m runs/orf --reverse cds.fa                    # does the model care about direction?
  $ rnnseq classify -m runs/orf --reverse --complement cds.fa       # the other strand, read 5' to 3'
  $ rnnseq classify -m runs/ori --circular plasmids.fa

A regressor (train --task regress) writes id and value (6 significant digits). Models trained with
--condition-tag read each record's condition from that header tag; an unknown condition is an error naming the
known ones. --rc max gives each class its higher probability of the two strands (a class found on either
strand counts), so rows need not sum to 1: read a two-class detector from its positive class's column, as scan does.
Circular records are read whole, never cropped to the model's length.`,
    )
    .action(async (inputs, opts) => {
      const { parseCommon, parseNumber } = await import('./commands/runtime.js');
      const { run } = await import('./commands/classify.js');
      await run({
        ...parseCommon(opts),
        model: opts.model,
        inputs,
        out: opts.out,
        batchSize: parseNumber('--batch-size', opts.batchSize, { min: 1, integer: true }),
        ...(opts.defaultCondition !== undefined ? { defaultCondition: opts.defaultCondition } : {}),
        ...(opts.covariates !== undefined ? { covariates: opts.covariates } : {}),
        maxMemoryBytes: parseNumber('--max-memory', opts.maxMemory, { min: 0.01 }) * 2 ** 30,
        orientation: { reverse: opts.reverse, complement: opts.complement },
        rc: opts.rc,
        circular: opts.circular,
      });
    });

  const scanCommand = program
    .command('scan')
    .description('slide a window model along a genome; merged calls as BED6 + max_prob, mean_prob, windows (a tagger: a per-base track)')
    .argument('[genome]', "FASTA genome (.gz or '-' for stdin)", '-')
    .requiredOption('-m, --model <path>', 'scanner (trained with train --genome), tagger (train --task tag), or any fixed-length classifier with --class')
    .option('-o, --out <file>', 'write the calls (BED) here (atomically) instead of stdout')
    .option('--bedgraph <file>', "also write every window's probability as bedGraph (on its central stride-wide bin; a tagger: the per-base probability in --bin bins)")
    .option('--bin <bp>', 'taggers: bedGraph bin width; each bin holds the mean per-base probability, equal neighbours merge (default 10)')
    .option('--merge-gap <bp>', 'taggers: join called runs separated by at most this many uncalled bases (default 0)')
    .option('--min-run <bp>', 'taggers: write only runs at least this long, after joining (default 1)')
    .option('--summary <svg>', 'also draw the calls along each sequence (call density, to scale) as an SVG figure')
    .option('--stride <bp>', 'step between window starts (default: a quarter window; half a window for a tagger)')
    .addOption(new Option('--strand <which>', "both: score the reverse complement too; + or -: one strand (default: the model's, else both)").choices(['both', '+', '-'] as const))
    .addOption(new Option('--rc-combine <how>', 'with --strand both, combine the two strands by max or mean (default: the model\'s, else max)').choices(['max', 'mean'] as const))
    .addOption(new Option('--rc <how>', 'as in classify and embed: average or max = --strand both with --rc-combine mean or max; none = --strand +').choices(['average', 'max', 'none'] as const))
    .addOption(new Option('--extent <what>', "what a called window adds to a region: the whole window, or its core (central stride-wide part, as in --bedgraph) for tighter calls where elements are dense (default: the model's, else window)").choices(['window', 'core'] as const))
    .option('--max-n <bp>', 'skip windows with more N bases than this (default: 10% of the window)')
    .option('--threshold <p>', "call windows with probability >= p (default: the model's calibrated threshold, else 0.5)")
    .option('--class <name>', "the class whose probability is called (default: the scanner's positive class)")
    .option('--region <region>', 'scan only windows starting in CHROM or CHROM:START-END (1-based, inclusive; repeatable)', collect, [] as string[])
    .option('--shard <K/N>', 'scan part K of N equal parts (needs a file, not stdin); cat of all N outputs = the whole run')
    .option('--batch-size <n>', 'windows per batch and strand (keep it equal across shards)', '256')
    .option('--circular', 'treat every sequence as circular (plasmids, bacterial and organelle genomes); without it, only records whose header has topology=circular, [topology=circular] or circular=true', false);
  withRuntimeOptions(scanCommand)
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
      const { parseScanOptions, run } = await import('./commands/scan.js');
      await run(parseScanOptions(genome, opts));
    });

  const explainCommand = program
    .command('explain')
    .description('in-silico mutagenesis: the change in a class probability for every single-base substitution; TSV, optional motifs')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin)", ['-'])
    .requiredOption('-m, --model <path>', 'checkpoint directory, training run directory, or shipped model name')
    .option('-o, --out <file>', 'write the TSV (or with --vcf, the VCF) here (atomically) instead of stdout')
    .option('--target <class>', "the class whose probability is explained (default: the scanner's positive class)")
    .option('--batch-size <n>', 'variants per engine call', '512')
    .option('--motifs <k>', 'also cluster high-effect segments and write the top k motifs (PFMs) in MEME and JASPAR format, and a sequence logo SVG of each')
    .option('--motif-out <prefix>', 'with --motifs: write PREFIX.meme and PREFIX.jaspar (default: the -o name with .tsv replaced by .motifs)')
    .option('--motif-width <bp>', 'with --motifs: segment width before trimming uninformative flanks', '10')
    .option('--compare <jaspar>', 'with --motifs: name the closest known motif (JASPAR text file) for each, in PREFIX.matches.tsv')
    .option('--vcf <file>', 'score the SNVs of this VCF (.gz or - allowed) against --genome instead: writes the VCF with an RNNSEQ_DELTA INFO field')
    .option('--genome <fasta>', 'with --vcf or --region: the reference genome (FASTA, .gz allowed)')
    .option('--region <region>', 'mutate every base of CHROM:START-END of --genome (1-based, inclusive; repeatable) instead of FASTA records', collect, [] as string[])
    .option('--bedgraph <file>', 'with --region: also write the per-base strongest effect (signed delta) as bedGraph')
    .option('--window <bp>', "with --vcf or --region: window centred on each variant or base (default: the model's input length)")
    .option('--saliency', 'instead of mutagenesis: gradient x input of the target probability per position (one backward pass per batch)', false);
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

Examples:
  $ rnnseq explain -m splice-primate --target EI fixtures/splice-sample.fa -o effects.tsv
  $ rnnseq explain -m splice-primate --target EI --saliency fixtures/splice-sample.fa -o saliency.tsv
  $ rnnseq explain -m runs/motif/best --target motif positives.fa -o effects.tsv --motifs 3   # effects.motifs.meme/.jaspar/.rnnseq_1.svg
  $ rnnseq explain -m runs/enh/best --genome hg38.fa.gz --region chr8:128,748,000-128,749,000 -o e.tsv --bedgraph e.bg
  $ rnnseq explain -m runs/enh/best --vcf variants.vcf.gz --genome hg38.fa.gz -o scored.vcf
  $ rnnseq explain -m runs/hnf4/best --target site sites.fa -o e.tsv --motifs 1 --compare ../shared/data/regulatory/pfm_vertebrates.txt`,
    )
    .action(async (inputs, opts) => {
      const { parseExplainOptions, run } = await import('./commands/explain.js');
      await run(parseExplainOptions(inputs, opts));
    });

  const embedCommand = program
    .command('embed')
    .description("hidden-state vectors of any model, one per sequence (or per position); TSV (id, dim1...) or .npy")
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin)", ['-'])
    .requiredOption('-m, --model <path>', 'checkpoint directory, training run directory, or shipped model name')
    .option('-o, --out <file>', 'write here (atomically) instead of stdout; with --format npy also FILE.ids.tsv')
    .addOption(new Option('--pool <how>', 'per-sequence vector: mean/max over positions, or each direction\'s first/last state').choices(['mean', 'max', 'last', 'first'] as const).default('mean' as const))
    .option('--layer <n>', 'recurrent layer to read, 1 = closest to the sequence (default: the last)')
    .option('--per-position', 'one row per position (long format: id, position, vector) instead of pooling', false)
    .addOption(new Option('--format <fmt>', 'tsv text, or npy: float32 matrix for numpy.load plus an ids table').choices(['tsv', 'npy'] as const).default('tsv' as const))
    .option('--chunk <bp>', 'read longer sequences in chunks of this size, state carried across (unidirectional models)', '10000')
    .addOption(new Option('--rc <how>', 'DNA/RNA: average the pooled vectors of both strands, or none').choices(['average', 'none'] as const).default('none' as const))
    .option('--circular', 'treat every sequence as circular: two laps, the first seeding the second (else header topology=circular)', false)
    .option('--default-condition <value>', 'for conditioned models: condition of records without the condition tag')
    .option('--covariates <tsv>', 'for covariate models: TSV of id and the covariate columns')
    .option('--batch-size <n>', 'sequences per engine call', '64')
    .option('--max-memory <GB>', 'bidirectional models read each sequence whole: refuse one that would need more than this', defaultMaxMemoryGb());
  withRuntimeOptions(embedCommand)
    .addHelpText(
      'after',
      `
Output (TSV): a header, then one row per sequence in input order: id, dim1 ... dimD (D = hidden size, x2 for
bidirectional models: [forward | backward]). --per-position: id, position (0-based), dim1 ... dimD.
--format npy -o X.npy: X.npy (float32, rows in input order) and X.ids.tsv (row, id; or id, first_row, length).
--pool first/last are per direction: forward after the first/last base; backward after the last/first base.

Examples:
  $ rnnseq embed -m splice-primate fixtures/splice-sample.fa -o splice.emb.tsv
  $ rnnseq embed -m runs/lm/best --per-position --format npy -o positions.npy genome.fa.gz
  $ rnnseq embed -m runs/lm/best --pool max --layer 1 --rc average reads.fa`,
    )
    .action(async (inputs, opts) => {
      const { parseCommon, parseNumber } = await import('./commands/runtime.js');
      const { run } = await import('./commands/embed.js');
      await run({
        ...parseCommon(opts),
        model: opts.model,
        inputs,
        out: opts.out,
        pool: opts.pool,
        ...(opts.layer !== undefined ? { layer: parseNumber('--layer', opts.layer, { min: 1, integer: true }) } : {}),
        perPosition: opts.perPosition,
        format: opts.format,
        chunkBp: parseNumber('--chunk', opts.chunk, { min: 1, integer: true }),
        rc: opts.rc,
        circular: opts.circular,
        ...(opts.defaultCondition !== undefined ? { defaultCondition: opts.defaultCondition } : {}),
        ...(opts.covariates !== undefined ? { covariates: opts.covariates } : {}),
        batchSize: parseNumber('--batch-size', opts.batchSize, { min: 1, integer: true }),
        maxMemoryBytes: parseNumber('--max-memory', opts.maxMemory, { min: 0.01 }) * 2 ** 30,
      });
    });

  const phyloCommand = program
    .command('phylo')
    .description('a tree of groups of sequences from window features (k-mer profiles or a language model); Newick with branch lengths')
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin; aligned input is fine, gaps are removed); with --compare: the tree to compare")
    .option('-m, --model <path>', 'features: hidden states of a trained (language) model over each window (see --model-features)')
    .addOption(new Option('--model-features <what>', "with -m or --train: codes: histogram of each position's pattern of active units (keeps what the model tells apart); mean: the mean hidden state").choices(['codes', 'mean'] as const).default('codes' as const))
    .option('--kmer <k>', 'features: k-mer frequency profile of each window (the alignment-free baseline; no model)')
    .option('--canonical', 'with --kmer: count a k-mer and its reverse complement together (strand-agnostic data)', false)
    .option('--train', 'features: train a language model on the input first with sensible defaults, then use it like -m', false)
    .option('-o, --out <file>', 'write the Newick tree here (atomically) instead of stdout')
    .option('--matrix <file>', 'also write the distance matrix between groups as a square TSV')
    .option('--svg <file>', 'also draw the tree as SVG (branch lengths to scale, bootstrap support on internal branches)')
    .addOption(new Option('--method <how>', 'tree building: neighbour joining (unrooted) or UPGMA (rooted, assumes a clock)').choices(['nj', 'upgma'] as const).default('nj' as const))
    .addOption(new Option('--distance <metric>', "distance between groups' mean feature vectors").choices(['cosine', 'euclidean', 'correlation'] as const).default('cosine' as const))
    .option('--window <bp>', 'window length; a sequence shorter than this is one whole-sequence window', '200')
    .option('--windows-per-group <n>', 'windows sampled (uniformly over positions, with replacement) per group (default 100)')
    .option('--all-positions', 'use every non-overlapping window of every sequence instead of a sample', false)
    .option('--bootstrap <n>', "resample each group's windows n times, rebuild, and write support (%) on internal nodes", '0')
    .option('--seed <n>', 'random seed for window sampling and the bootstrap: same seed, same tree, byte for byte', '1')
    .option('--group-tag <key>', 'group records by a header tag (e.g. species for species=Homo_sapiens) instead of one leaf per record')
    .option('--group-regex <regex>', "group records by the one capture group of a regex on the id, e.g. '^([^_]+)_'")
    .option('--group <name=file>', 'one FASTA file per group (repeatable)', collect, [] as string[])
    .addOption(new Option('--alphabet <name>', 'sequence alphabet').choices(['auto', 'dna', 'rna', 'protein'] as const).default('auto' as const))
    .option('--compare <ref>', 'instead: Robinson-Foulds distance between tree REF and the tree given as argument (TSV: rf, max_rf, normalised_rf, leaves)')
    .option('--batch-size <n>', 'windows per featurizer call', '256');
  withRuntimeOptions(phyloCommand)
    .addHelpText(
      'after',
      `
Each group (by default each record; else --group-tag, --group-regex or --group) becomes a leaf: its windows
are turned into vectors, averaged into one profile, the profiles give a distance matrix (--matrix), and the
tree is built by neighbour joining (negative branch lengths set to 0) or UPGMA. Gaps (- and .) are removed.
Robinson-Foulds is unrooted: normalised_rf = rf / (2(n-3)), 0 for the same topology, 1 for no shared split.

Examples:
  $ rnnseq phylo --kmer 5 ../shared/data/phylogeny/primates12_hayasaka1988/primates12_hayasaka1988.fa -o primates.nwk
  $ rnnseq phylo --kmer 4 --bootstrap 100 --matrix dist.tsv --group-regex '^Ref\\.([^.]+)\\.' hiv_gag.fa -o subtypes.nwk
  $ rnnseq phylo -m runs/lm/best --group human=human.fa --group mouse=mouse.fa --group dog=dog.fa -o tree.nwk
  $ rnnseq phylo --train --window 100 --all-positions seqs.fa -o tree.nwk
  $ rnnseq phylo --compare ../shared/data/phylogeny/primates12_hayasaka1988/iqtree_GTRG.nwk primates.nwk`,
    )
    .action(async (inputs, opts) => {
      const { parsePhyloOptions, run } = await import('./commands/phylo.js');
      await run(parsePhyloOptions(inputs, opts));
    });

  program
    .command('report')
    .description('one self-contained HTML page on a trained model: training curves, ROC/PR with AUC, confusion, calibration, data, command')
    .argument('<model>', 'training run directory, checkpoint directory, or shipped model name')
    .option('-o, --out <file>', 'write the HTML (or with --svg/--png, the figure) here (atomically) instead of stdout')
    .addOption(new Option('--svg <figure>', 'write one figure as SVG instead of the page').choices(reportFigures))
    .addOption(new Option('--png <figure>', 'write one figure as PNG (2x), rendered by headless Chromium (RNNSEQ_CHROMIUM=path to choose one)').choices(reportFigures))
    .addOption(logOptions.quiet())
    .addOption(logOptions.json())
    .addHelpText(
      'after',
      `
The page has no script and loads nothing (inline SVG and styles): it opens offline, and can be mailed or
archived with the run. ROC, precision-recall, confusion matrix, threshold and reliability figures come from
best/valid-predictions.tsv (the validation set as the best checkpoint predicted it); a run without it, or a
model that is not a classifier, gets the training curves and summary, and the page says what is missing.

Examples:
  $ rnnseq report runs/splice -o splice-report.html
  $ rnnseq report splice-primate > splice-primate.html
  $ rnnseq report runs/splice --svg roc -o roc.svg
  $ rnnseq report runs/splice --png loss -o loss.png`,
    )
    .action(async (model, opts) => {
      const { parseReportOptions, run } = await import('./commands/report.js');
      await run(parseReportOptions(model, opts));
    });

  program
    .command('completion')
    .description('print a bash or zsh completion script for rnnseq (generated from its own commands and options)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh'] as const))
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq completion bash > ~/.local/share/bash-completion/completions/rnnseq
  $ echo 'source <(rnnseq completion bash)' >> ~/.bashrc
  $ rnnseq completion zsh > "\${fpath[1]}/_rnnseq"      # then restart zsh`,
    )
    .action(async (shell) => {
      const { run } = await import('./commands/completion.js');
      await run({ shell, program });
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

/** The figures of `rnnseq report` (src/report/figures.ts FIGURE_NAMES; a test keeps the two equal). */
const reportFigures = ['loss', 'metrics', 'roc', 'pr', 'confusion', 'threshold', 'reliability'] as const;

const engineOptions = {
  backend: () =>
    new Option('--backend <name>', 'TensorFlow.js backend (auto: tensorflow if tfjs-node is installed, else wasm, else cpu)')
      .choices(['auto', 'tensorflow', 'wasm', 'cpu'] as const)
      .default('auto' as const),
  engine: () =>
    new Option('--engine <name>', 'recurrent core: native fused CPU kernels or the tfjs reference (env RNNSEQ_ENGINE=ref)').choices(['auto', 'native', 'ref'] as const).default('auto' as const),
  threads: () => new Option('--threads <n>', 'native kernel threads (default: RNNSEQ_THREADS, OMP_NUM_THREADS, SLURM_CPUS_PER_TASK, or all cores)'),
};

/** The backend, engine, thread and logging options of every command that runs a model, added in one place. */
function withRuntimeOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(command: Command<Args, Opts, Globals>) {
  return command
    .addOption(engineOptions.backend())
    .addOption(engineOptions.engine())
    .addOption(engineOptions.threads())
    .addOption(logOptions.quiet())
    .addOption(logOptions.json());
}

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
    // Anything else (a full disk behind `> file`) must not pass silently: the output would look complete.
    process.stderr.write(`rnnseq: cannot write to stdout: ${error.code === 'ENOSPC' ? 'no space left on device (disk full)' : error.message}\n`);
    process.exit(EXIT_RUNTIME);
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
