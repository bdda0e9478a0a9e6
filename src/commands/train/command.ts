/**
 * `rnnseq train`: its flags, help and examples, and their parsing into TrainOptions (options.ts); run.ts wires the
 * training itself. The scanner (--genome) and tagger (--task tag) flags are parsed here too.
 */
import { type Command, Option } from '@commander-js/extra-typings';
import { type ConvSpec, POOLINGS, type Pooling } from '../../engine/architecture.js';
import { CELL_TYPES, type CellType } from '../../engine/cells.js';
// Type-only: schedule.ts loads TensorFlow.js, and a definition must not.
import type { LearningRateSchedule } from '../../engine/schedule.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { parseDecoys } from './decoys.js';
import { CALL_EXTENTS, type CallExtent } from '../../scan/scanner.js';
import { ALPHABET_CHOICES, type AlphabetName } from '../../seq/alphabet.js';
import { type GenomeSplit, POSITIVE_WINDOWS, type PositiveWindows } from '../../seq/genome-training.js';
import { type GroupRule, compileGroupRegex, parseGroupFiles } from '../../seq/groups.js';
import { parseRegion } from '../../seq/regions.js';
import { TAG_NEGATIVE_CLASS } from '../../seq/tag-training.js';
import { REGRESSION_LOSSES, type RegressionLoss, TASKS, type Task } from '../../seq/task.js';
import { collect, defaultMaxMemoryGb, withRuntimeOptions } from '../shared/flags.js';
import { type RawRuntimeFlags, parseCommon, parseNumber } from '../shared/parse.js';
import type { GenomeTrainOptions, LmOptions, Recipe, TagTrainOptions, TrainOptions } from './options.js';
import { memberDir, memberSeed } from './ensemble-layout.js';
import { dataChoices, usesRecipe, withDefaults } from './recipe.js';

export function register(program: Command): void {
  const trainCommand = program
    .command('train')
    .description(
      'train a model on FASTA: a classifier (labels from a header tag or one file per class), a regressor, a language model, or a scanner from a genome',
    )
    .argument('[inputs...]', "FASTA files (.gz or '-' for stdin) whose headers carry label=CLASS")
    .requiredOption('-o, --out <dir>', 'run directory: best/ and last/ checkpoints, metrics.tsv')
    .option('--class <name=file>', 'one FASTA file per class (repeatable) instead of header labels', collect, [] as string[])
    .option('--label-tag <key>', 'header tag that holds the class', 'label')
    .addOption(
      new Option(
        '--task <task>',
        'classify: a class per sequence; regress: a number per sequence; lm: next-base language model (for embed/phylo); tag: a class per base (with --genome)',
      )
        .choices(TASKS)
        .default('classify' as const),
    )
    .option('--target-tag <key>', 'with --task regress: header tag holding the numeric target', 'value')
    .option('--targets <tsv>', 'with --task regress: TSV of id and target (header line: id, name) instead of header tags')
    .addOption(
      new Option('--loss <name>', 'with --task regress: squared error or Huber (robust to outliers), on standardised targets')
        .choices(REGRESSION_LOSSES)
        .default('mse' as const),
    )
    .option('--windows-per-epoch <n>', 'with --task lm: training windows (of --window bp, default 200) sampled afresh each epoch', '2000')
    .option(
      '--group <name=file>',
      'with --task lm: one FASTA file per group (species), recorded for phylo (repeatable)',
      collect,
      [] as string[],
    )
    .option('--group-tag <key>', "with --task lm: header tag naming each record's group (e.g. species)")
    .option('--group-regex <re>', 'with --task lm: group = the one capture group of this regex on the id')
    .option(
      '--condition-tag <key>',
      "the header tag naming each sequence's condition (cell type, treatment): the model learns an initial state per condition, reads it at every step and adds a per-condition term to its head; prediction needs the tag too",
    )
    .option('--no-condition-steps', 'with --condition-tag: the recurrent layer does not read the condition at every step')
    .option('--no-condition-head', 'with --condition-tag: one head shared by every condition (no per-condition term)')
    .option('--covariates <tsv>', 'TSV of id and numeric columns mapped by a small network to the initial state')
    .option(
      '--rc-augment',
      'DNA/RNA: also train on the reverse complement of every sequence (strand-symmetric signals; default for DNA when the k-mer baseline prefers strand-merged k-mers)',
    )
    .option('--no-rc-augment', 'train on the sequences as given, never their reverse complements')
    .addOption(new Option('--alphabet <name>', 'sequence alphabet').choices(ALPHABET_CHOICES).default('auto' as const))
    .option('--length <bp>', 'fixed input length: longer sequences keep their centre, shorter are padded and masked')
    .addOption(new Option('--cell <type>', 'recurrent cell').choices(CELL_TYPES).default('lstm' as const))
    .option('--hidden <n>', 'hidden units per direction', '64')
    .option('--layers <n>', 'stacked recurrent layers', '1')
    .option('--bidirectional', 'read both directions and concatenate (default, except --plain and --task lm)')
    .option('--no-bidirectional', 'read left to right only')
    .option('--bounded', 'with --cell cifg: sigmoid candidate, so the memory is a moving average held in [0, 1]', false)
    .option('--dropout <rate>', 'dropout between layers and before the head', '0')
    .addOption(
      new Option(
        '--pool <how>',
        'how per-position states become one vector (attention: learned weights over positions; default max, with a mean-pooled candidate for protein behind the k-mer baseline; --plain: mean)',
      ).choices(POOLINGS),
    )
    .option(
      '--epochs <n>',
      "maximum epochs, or 'auto': a budget of ~1,500 steps (20-150 epochs) and patience scaled to the training-set size (default auto, --plain: 20)",
    )
    .option('--batch-size <n>', 'sequences per batch', '64')
    .option('--lr <rate>', 'Adam learning rate (default 0.01, --plain: 0.003)')
    .option('--clip-norm <x>', 'clip gradients to this global norm (0: off)', '5')
    .option(
      '--patience <n>',
      'stop after n epochs without a better validation loss (0: never) (default: with --epochs auto, a twelfth of the epochs, at least 5; else 10)',
    )
    .option('--lr-patience <n>', 'halve the learning rate after n epochs without improvement (0: constant rate)', '4')
    .option(
      '--max-memory <GB>',
      'memory budget for backpropagation; larger batches are split into accumulated micro-batches',
      defaultMaxMemoryGb(),
    )
    .option('--seed <n>', 'random seed: same seed, same data, same thread count -> same weights', '1')
    .option('--valid <file>', 'validation FASTA (labels from the same header tag)')
    .option('--valid-fraction <f>', 'hold out this stratified fraction for validation when --valid is not given', '0.1')
    .option('--resume', 'continue the run in --out from its last/ checkpoint', false)
    .option('--no-baseline', 'classifiers: skip the k-mer linear baseline fitted on the same split and reported beside the model')
    .option('--genome <fasta>', 'train a scanner: cut labelled windows from this genome (a file, .gz allowed) with --positives')
    .option('--positives <bed>', 'with --genome: BED of the regions to find (peaks, CDS, ...); narrowPeak windows centre on the summit')
    .option('--labels <bed>', 'with --task tag: BED of the regions whose bases are --positive-class (every other base is background)')
    .option('--negatives <bed>', 'with --genome: BED of negative regions (default: sample them, see below)')
    .option('--window <bp>', "with --genome: window length, the model's input length (default 200; 1000 for --task tag)")
    .addOption(
      new Option('--positive-windows <how>', 'with --genome: one window centred on each positive region, or windows tiled across long ones')
        .choices(POSITIVE_WINDOWS)
        .default('centre' as const),
    )
    .option('--tile-stride <bp>', 'with --positive-windows tile or --task tag: step between tiled windows (default: half a window)')
    .option(
      '--null-windows <n>',
      'background windows scored after training for the null distribution behind scan p-values and --fdr (genome windows for --genome, k-let shuffles for a fixed-length classifier; 0: none)',
      '20000',
    )
    .option(
      '--decoys <n>',
      "a fixed-length DNA/RNA classifier of two classes: n k-let shuffles of each of the smaller class's training sequences join the larger one (the background), so the smaller class is learned by its order, not its composition, as scan --class over a genome needs, and, where its copies are aligned, one copy of each moved by up to an eighth of its length joins it; auto: 4 where the background has 3x the other class's sequences and those are copies of one family (pairs sharing 12-mers), else 0 (--plain: 0)",
      'auto',
    )
    .option(
      '--negatives-per-positive <x>',
      'with --genome and no --negatives: sampled negative windows per positive window, or auto (2 Mbp of background, 1-64 per positive)',
      'auto',
    )
    .option('--valid-chroms <list>', 'with --genome: comma-separated sequences whose windows validate (and calibrate the threshold)')
    .option(
      '--valid-region <region>',
      'with --genome: windows inside CHROM:START-END (1-based, inclusive) validate (repeatable)',
      collect,
      [] as string[],
    )
    .option(
      '--exclude-region <region>',
      'with --genome: use no window touching CHROM:START-END, e.g. a test hold-out (repeatable)',
      collect,
      [] as string[],
    )
    .option(
      '--exclude <bed>',
      'with --genome: use no window touching an interval of this BED, e.g. an ENCODE blacklist (repeatable; lines on sequences the genome lacks are skipped)',
      collect,
      [] as string[],
    )
    .option('--no-rc', 'with --genome: no reverse-complement augmentation (on by default: elements work on either strand)')
    .option('--positive-class <name>', 'with --genome: name of the positive class (the negative class is background)', 'positive')
    .addOption(
      new Option('--extent <what>', "with --genome: the scanner's default scan --extent (core for elements packed densely, like genes)")
        .choices(CALL_EXTENTS)
        .default('window' as const),
    )
    // The model-quality recipe (issue 14): a convolutional front-end, a learned input embedding, the learning-rate
    // schedule, weight decay and weight averaging.
    .addOption(
      new Option(
        '--conv',
        'convolutional front-end before the recurrent layers (DanQ): filters, ReLU, max-pool, dropout (default, except --plain and sequences under two filter widths)',
      ),
    )
    .addOption(new Option('--no-conv', 'no convolutional front-end: the recurrent layers read the (embedded) input'))
    .addOption(
      new Option(
        '--position-bias',
        'with --conv: a learned bias per input position and filter (default when every sequence has one length, or --length)',
      ),
    )
    .addOption(new Option('--no-position-bias', 'with --conv: the same filters everywhere'))
    .addOption(
      new Option('--conv-skip', "with --conv: the head also reads each filter's maximum over the whole sequence (default, except --plain)"),
    )
    .addOption(new Option('--no-conv-skip', 'with --conv: the head reads the recurrent layers only'))
    .addOption(
      new Option(
        '--kmer-branch',
        "classifiers: add a linear term over the k-mer baseline's features, started from its fit (by default the recipe trains such a model as a candidate when the baseline beats the first on validation, or on small data ties it)",
      ),
    )
    .addOption(new Option('--no-kmer-branch', 'never train the k-mer branch candidate'))
    .addOption(
      new Option(
        '--no-refit',
        'small data: ship the model trained without its validation split (by default a kept model with a k-mer branch is trained again on every labelled sequence, for the epochs it chose, and RUN/best is that refit; the held-out model, whose validation numbers best/ reports, is kept in RUN/held-out-best)',
      ),
    )
    .option(
      '--ensemble <n>',
      'FASTA classifiers: train n models (seeds seed .. seed+n-1, one validation split) and average their probabilities; members in RUN/members/K, the ensemble in RUN/best (default auto: 3 below 1,000 labelled sequences and 250,000 residues with --epochs auto, else 1; --plain: 1)',
    )
    .option(
      '--member <k>',
      'with --ensemble n: train member k (2..n) only, e.g. one per array job; a later run without --member trains member 1, any member still missing, and assembles the ensemble',
    )
    .addOption(new Option('--conv-filters <n>', `with --conv: convolution filters (default ${CONV_DEFAULTS.filters})`))
    .addOption(new Option('--conv-width <bp>', `with --conv: filter width in positions (default ${CONV_DEFAULTS.width})`))
    .addOption(
      new Option(
        '--conv-pool <n>',
        `with --conv: max-pool over runs of n positions; the recurrent layers read one step per n (default ${CONV_DEFAULTS.pool})`,
      ),
    )
    .addOption(
      new Option('--conv-dropout <rate>', `with --conv: dropout on the pooled filters while training (default ${CONV_DEFAULTS.dropout})`),
    )
    .addOption(
      new Option(
        '--composition <k>',
        "classifiers and regressors: the head also reads the sequence's k-mer frequencies for k = 1..K, standardised on the training set (DNA read on both strands: reverse complements merged; 0: off)",
      ),
    )
    .addOption(
      new Option(
        '--embed-dim <n>',
        'learned dense projection of each one-hot position to n values, before --conv and the recurrent layers (protein)',
      ),
    )
    .addOption(
      new Option(
        '--lr-schedule <how>',
        'plateau: halve after --lr-patience epochs without improvement; cosine: warm-up then cosine decay over --epochs (default cosine, --plain: plateau)',
      ).choices(LR_SCHEDULES),
    )
    .addOption(new Option('--warmup <epochs>', 'with --lr-schedule cosine: epochs of linear warm-up (may be fractional)').default('1'))
    .addOption(
      new Option(
        '--weight-decay <x>',
        'decoupled weight decay (AdamW) on weight matrices, per unit learning rate (0: off; default 0.01, 1 on small data (under 1,000 sequences and 250,000 residues with --epochs auto), 3 for DNA or RNA under 200 sequences, --plain: 0)',
      ),
    )
    .addOption(
      new Option(
        '--ema <decay>',
        'validate and save an exponential moving average of the weights with this decay (0: off; default 0.99, --plain: 0)',
      ),
    )
    .addOption(
      new Option(
        '--plain',
        'train exactly the architecture the flags give, with the original defaults (one direction, mean pooling, 20 epochs) and no baseline fit or data-driven choices',
      ).default(false),
    );
  withRuntimeOptions(trainCommand)
    .addHelpText(
      'after',
      `
Examples:
  $ rnnseq train -o runs/splice --cell cifg --bidirectional --pool max --dropout 0.3 ../shared/data/splice_statlog_mlbench/splice_statlog.fa
  $ rnnseq train -o runs/enh --class enhancer=enh.fa --class background=bg.fa --length 200
  $ rnnseq train -o runs/enh --genome hg38.fa.gz --positives peaks.bed --window 200 --valid-chroms chr8,chr9 --positive-class enhancer
  $ rnnseq train -o runs/ctcf --genome hg38.fa.gz --positives ENCFF_ctcf.narrowPeak --exclude hg38-blacklist.v2.bed --valid-chroms chr8
  $ rnnseq train -o runs/lm --task lm --window 100 --windows-per-epoch 4000 --group-tag species genomes.fa
  $ rnnseq train -o runs/expr --task regress --target-tag expression --loss huber promoters.fa
  $ rnnseq train -o runs/cds-tag --task tag --genome chloroplast.fa --labels cds.bed --positive-class CDS --window 300 --tile-stride 30 --valid-region NC_000932:46344-62000
  $ rnnseq train -o runs/cell --condition-tag cell --class bound=bound.fa --class unbound=unbound.fa
  $ rnnseq train -o runs/meth --cell cifg --bounded --covariates age.tsv --class high=h.fa --class low=l.fa

Scanners (--genome): positives are windows centred on (or tiled across) the --positives regions; a narrowPeak
file (10 columns) centres each window on its summit (start + column 10; the middle where that is -1). Without
--negatives, negatives are random genome windows that overlap no positive region, sampled so their GC content
(5% bins) and N fraction (0, <=1%, <=10%, <=50%) match the positives' in each split; windows over half N are
never used. Every window is also shown reverse-complemented unless --no-rc. Windows on --valid-chroms or inside
a --valid-region validate; windows straddling a validation edge or touching an --exclude-region or an interval
of an --exclude BED (a blacklist: lines on sequences the genome lacks are skipped) are dropped, from training,
validation and the null alike. best/ records the window and a threshold chosen for the best F1 on the
validation windows (negatives weighted so positives make up the share of the validation sequence the
--positives regions cover); rnnseq scan uses it.

Taggers (--task tag --genome G --labels BED): windows of --window bp (default 1000) are tiled every --tile-stride
bp across every sequence (one more flush with its end; windows over half N are left out), and every base is
labelled --positive-class inside a --labels region, background outside (N bases count for neither). Reverse
complements are shown too (tags reversed) unless --no-rc; the model is bidirectional unless --no-bidirectional.
--valid-chroms, --valid-region, --exclude-region and --exclude split windows as for scanners. best/ records the
window and a per-base threshold (best F1 over validation bases, windows combined as scan combines them); rnnseq
scan with the model writes a per-base track.`,
    )
    .action(async (inputs, opts) => {
      const options = parseTrainOptions(inputs, opts, process.argv.slice(2).join(' '));
      const { run } = await import('./run.js');
      await run(options);
    });
}

export interface RawTrainFlags extends RawRuntimeFlags, RawGenomeFlags, RawRecipeFlags {
  out: string;
  decoys: string;
  class: string[];
  labelTag: string;
  alphabet: AlphabetName | 'auto';
  length?: string;
  cell: CellType;
  hidden: string;
  layers: string;
  /** undefined: the task's default (recipe.ts); --no-bidirectional turns it off */
  bidirectional?: boolean;
  dropout: string;
  pool?: Pooling;
  epochs?: string;
  batchSize: string;
  lr?: string;
  clipNorm: string;
  patience?: string;
  lrPatience: string;
  maxMemory: string;
  seed: string;
  valid?: string;
  validFraction: string;
  resume: boolean;
  baseline: boolean;
  task: Task;
  targetTag: string;
  targets?: string;
  loss: RegressionLoss;
  windowsPerEpoch: string;
  group: string[];
  groupTag?: string;
  groupRegex?: string;
  conditionTag?: string;
  conditionSteps: boolean;
  conditionHead: boolean;
  covariates?: string;
  bounded: boolean;
  rcAugment?: boolean;
  positionBias?: boolean;
  convSkip?: boolean;
  kmerBranch?: boolean;
  refit?: boolean;
  ensemble?: string;
  member?: string;
  plain: boolean;
  /** --task tag: the labelled regions */
  labels?: string;
}

/** Validates `rnnseq train` flags once, so everything past here can trust them. */
export function parseTrainOptions(inputs: string[], given: RawTrainFlags, command: string): TrainOptions {
  const raw = withDefaults(given, given.task, given.plain);
  const recipe = usesRecipe(given.task, given.plain);
  const classFiles = raw.class.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new RnnseqError(`--class must look like NAME=FILE, got '${spec}'`, EXIT_USAGE);
    return { name: spec.slice(0, eq), file: spec.slice(eq + 1) };
  });
  if (classFiles.length > 0 && inputs.length > 0) {
    throw new RnnseqError('give either FASTA inputs with label tags or --class NAME=FILE files, not both', EXIT_USAGE);
  }
  const task = raw.task;
  if (task === 'tag' && !raw.genome)
    throw new RnnseqError('--task tag learns per-base labels from a genome: give --genome and --labels regions.bed', EXIT_USAGE);
  if (task !== 'classify' && task !== 'tag' && raw.genome)
    throw new RnnseqError(`--genome trains a scanner (--task classify) or a tagger (--task tag), not --task ${task}`, EXIT_USAGE);
  const lm = task === 'lm' ? parseLmFlags(inputs, raw) : undefined;
  if (lm && given.bidirectional)
    throw new RnnseqError(
      'a language model reads left to right only: drop --bidirectional (it would see the base it predicts)',
      EXIT_USAGE,
    );
  if (raw.bounded && raw.cell !== 'cifg') throw new RnnseqError(`--bounded needs --cell cifg (got --cell ${raw.cell})`, EXIT_USAGE);
  if (task === 'lm' && (raw.conditionTag || raw.covariates))
    throw new RnnseqError('--condition-tag and --covariates apply to --task classify and regress', EXIT_USAGE);
  if (task !== 'regress' && raw.targets)
    throw new RnnseqError('--targets gives regression targets: use it with --task regress', EXIT_USAGE);
  if (raw.labels !== undefined && task !== 'tag')
    throw new RnnseqError('--labels gives per-base labels for --task tag; a scanner (--task classify) takes --positives', EXIT_USAGE);
  const tag = task === 'tag' ? parseTagFlags(inputs, raw) : undefined;
  const parsedGenome = tag ? undefined : parseGenomeFlags(inputs, lm ? { ...raw, window: undefined } : raw); // a language model's --window is its own
  // The recipe's pooling front-end would learn the one phase of exactly centred positives (genome-training.ts).
  // --plain samples as a plain script would: one negative per positive unless told otherwise.
  const genome =
    parsedGenome && recipe
      ? { ...parsedGenome, positiveJitterBp: Math.floor(parsedGenome.windowBp / 8) }
      : parsedGenome && parsedGenome.negativesPerPositive === 'auto'
        ? { ...parsedGenome, negativesPerPositive: 1 }
        : parsedGenome;
  if (classFiles.length > 0 && task !== 'classify')
    throw new RnnseqError(`--class NAME=FILE labels a classifier; --task ${task} takes plain FASTA inputs`, EXIT_USAGE);
  if (classFiles.length === 0 && inputs.length === 0 && !raw.resume && !genome && !lm && !tag) {
    throw new RnnseqError('no training data: give FASTA files with label=CLASS headers, or --class NAME=FILE at least twice', EXIT_USAGE);
  }
  if (classFiles.length === 1) throw new RnnseqError('--class needs at least two classes', EXIT_USAGE);
  const recipeFlags = parseRecipeFlags(raw, task);
  if (given.rcAugment && (lm || genome || tag))
    throw new RnnseqError(
      '--rc-augment is for FASTA classifiers and regressors (train --genome shows both strands unless --no-rc)',
      EXIT_USAGE,
    );
  if (given.kmerBranch && (task !== 'classify' || genome || !raw.baseline || given.plain))
    throw new RnnseqError(
      '--kmer-branch starts from the k-mer baseline: it is for FASTA classifiers with the baseline on (no --no-baseline, --plain or --genome)',
      EXIT_USAGE,
    );
  const names = new Set(classFiles.map((c) => c.name));
  if (names.size !== classFiles.length) throw new RnnseqError('--class names must be distinct', EXIT_USAGE);
  const ensemble = parseEnsemble(raw.ensemble, raw.member, task, genome !== undefined, recipe);
  const seed = parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 31 - 1, integer: true });

  return {
    ...parseCommon(raw),
    inputs,
    out: raw.out,
    classFiles,
    labelTag: raw.labelTag,
    alphabet: raw.alphabet,
    length: genome
      ? genome.windowBp
      : tag
        ? tag.windowBp
        : raw.length === undefined
          ? null
          : parseNumber('--length', raw.length, { min: 1, integer: true }),
    architecture: {
      cell: raw.cell,
      hiddenSize: parseNumber('--hidden', raw.hidden, { min: 1, max: 4096, integer: true }),
      layers: parseNumber('--layers', raw.layers, { min: 1, max: 16, integer: true }),
      bidirectional: raw.bidirectional ?? task === 'tag',
      dropout: parseNumber('--dropout', raw.dropout, { min: 0, max: 0.95 }),
      pool: raw.pool,
      ...(raw.bounded ? { bounded: true } : {}),
      ...(raw.conditionTag !== undefined && raw.conditionSteps ? { conditionSteps: true } : {}),
      ...(raw.conditionTag !== undefined && raw.conditionHead ? { conditionHead: true } : {}),
      ...recipeFlags.architecture,
    },
    task,
    targetTag: raw.targetTag,
    ...(raw.targets !== undefined ? { targetsFile: raw.targets } : {}),
    loss: raw.loss,
    ...(lm ? { lm } : {}),
    ...(raw.conditionTag !== undefined ? { conditionTag: raw.conditionTag } : {}),
    ...(raw.covariates !== undefined ? { covariatesFile: raw.covariates } : {}),
    rcAugment: given.rcAugment === true,
    ...parseComposition(raw.composition, task),
    config: {
      // --epochs auto: 0 until run.ts knows the training-set size (engine/budget.ts)
      ...(raw.epochs === 'auto'
        ? { epochs: 0, budget: 'auto' as const, ...(raw.patience !== undefined ? { patienceGiven: true } : {}) }
        : { epochs: parseNumber('--epochs', raw.epochs, { min: 1, integer: true }) }),
      batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, integer: true }),
      learningRate: parseNumber('--lr', raw.lr, { min: 1e-8, max: 10 }),
      clipNorm: parseNumber('--clip-norm', raw.clipNorm, { min: 0 }),
      patience: parseNumber('--patience', raw.patience ?? '10', { min: 0, integer: true }),
      lrPatience: parseNumber('--lr-patience', raw.lrPatience, { min: 0, integer: true }),
      maxMemoryBytes: parseNumber('--max-memory', raw.maxMemory, { min: 0.01 }) * 2 ** 30,
      // a member trained on its own (--member K) starts from its own seed, on the first member's split
      seed: ensemble.member === undefined ? seed : memberSeed(seed, ensemble.member),
      ...recipeFlags.config,
    },
    choices: dataChoices(given, recipe),
    ...(raw.valid !== undefined ? { valid: raw.valid } : {}),
    validFraction: parseNumber('--valid-fraction', raw.validFraction, { min: 0, max: 0.9 }),
    resume: raw.resume,
    // a member's null would be replaced by the ensemble's (scored once the ensemble is assembled)
    nullWindows: ensemble.member === undefined ? parseNullWindows(raw.nullWindows) : 0,
    decoys: given.plain ? 0 : parseDecoys(raw.decoys),
    ensemble,
    ...(ensemble.member !== undefined ? { splitSeed: seed, out: memberDir(raw.out, ensemble.member) } : {}),
    baseline: raw.baseline && !given.plain,
    command: `rnnseq ${command}`,
    ...(genome ? { genome } : {}),
    ...(tag ? { tag } : {}),
  };
}

const LR_SCHEDULES = ['plateau', 'cosine'] as const satisfies readonly LearningRateSchedule[];

export const CONV_DEFAULTS: Readonly<ConvSpec> = { filters: 64, width: 11, pool: 4, dropout: 0.1 };

export interface RawRecipeFlags {
  conv?: boolean;
  convFilters?: string;
  convWidth?: string;
  convPool?: string;
  convDropout?: string;
  embedDim?: string;
  composition?: string;
  lrSchedule?: LearningRateSchedule;
  warmup: string;
  weightDecay?: string;
  ema?: string;
}

/** Validates the recipe flags against the task; absent options leave the checkpoint exactly as before. */
export function parseRecipeFlags(raw: RawRecipeFlags & Required<Pick<RawRecipeFlags, 'weightDecay' | 'ema'>>, task: Task): Recipe {
  const convFlags = (['convFilters', 'convWidth', 'convPool', 'convDropout'] as const).filter((k) => raw[k] !== undefined);
  if (!raw.conv && convFlags.length > 0) {
    throw new RnnseqError(
      `--${convFlags[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} shapes the convolutional front-end, which is off (--no-conv, --plain or --task ${task}): drop it or add --conv`,
      EXIT_USAGE,
    );
  }
  const architecture: Recipe['architecture'] = {};
  if (raw.conv) {
    const conv: ConvSpec = {
      filters:
        raw.convFilters === undefined
          ? CONV_DEFAULTS.filters
          : parseNumber('--conv-filters', raw.convFilters, { min: 1, max: 4096, integer: true }),
      width:
        raw.convWidth === undefined
          ? CONV_DEFAULTS.width
          : parseNumber('--conv-width', raw.convWidth, { min: 1, max: 1001, integer: true }),
      pool:
        raw.convPool === undefined ? CONV_DEFAULTS.pool : parseNumber('--conv-pool', raw.convPool, { min: 1, max: 1000, integer: true }),
      dropout:
        raw.convDropout === undefined ? CONV_DEFAULTS.dropout : parseNumber('--conv-dropout', raw.convDropout, { min: 0, max: 0.95 }),
    };
    if (task === 'lm')
      throw new RnnseqError(
        '--conv: a language model cannot have a convolutional front-end (its window would see the base it predicts)',
        EXIT_USAGE,
      );
    if (task === 'tag' && conv.pool > 1)
      throw new RnnseqError(
        `--conv with --task tag needs --conv-pool 1: a tagger predicts every base, and pooling keeps one step per ${conv.pool}`,
        EXIT_USAGE,
      );
    architecture.conv = conv;
  }
  if (raw.embedDim !== undefined) architecture.embedDim = parseNumber('--embed-dim', raw.embedDim, { min: 1, max: 4096, integer: true });

  const config: Recipe['config'] = {};
  if (raw.lrSchedule === 'cosine') {
    config.lrSchedule = 'cosine';
    config.warmupEpochs = parseNumber('--warmup', raw.warmup, { min: 0 });
  }
  const weightDecay = parseNumber('--weight-decay', raw.weightDecay, { min: 0, max: 10 });
  if (weightDecay > 0) config.weightDecay = weightDecay;
  const ema = parseNumber('--ema', raw.ema, { min: 0, max: 0.99999 });
  if (ema > 0) config.ema = ema;
  return { architecture, config };
}

/** --composition K: the k-mer lengths of the composition branch (engine/composition.ts); 0 or absent: none. */
function parseComposition(value: string | undefined, task: Task): Pick<TrainOptions, 'compositionK'> {
  if (value === undefined) return {};
  const k = parseNumber('--composition', value, { min: 0, max: 6, integer: true });
  if (k === 0) return {};
  if (task !== 'classify' && task !== 'regress')
    throw new RnnseqError(`--composition feeds a pooled head: it is for --task classify and regress, not --task ${task}`, EXIT_USAGE);
  return { compositionK: k };
}

/** Language-model inputs and windows: FASTA files grouped by record, header tag, id regex or file. */
function parseLmFlags(inputs: string[], raw: RawTrainFlags): LmOptions {
  const groupFiles = parseGroupFiles(raw.group);
  const rules = [groupFiles.length > 0, raw.groupTag !== undefined, raw.groupRegex !== undefined].filter(Boolean).length;
  if (rules > 1) throw new RnnseqError('give one of --group NAME=FILE, --group-tag or --group-regex', EXIT_USAGE);
  if (groupFiles.length > 0 && inputs.length > 0)
    throw new RnnseqError('give either FASTA inputs or --group NAME=FILE files, not both', EXIT_USAGE);
  if (groupFiles.length === 0 && inputs.length === 0 && !raw.resume)
    throw new RnnseqError('no training data: give FASTA files (or --group NAME=FILE)', EXIT_USAGE);
  const rule: GroupRule =
    groupFiles.length > 0
      ? { kind: 'files' }
      : raw.groupTag !== undefined
        ? { kind: 'tag', key: raw.groupTag }
        : raw.groupRegex !== undefined
          ? { kind: 'regex', pattern: compileGroupRegex(raw.groupRegex) }
          : { kind: 'record' };
  return {
    sources: groupFiles.length > 0 ? groupFiles : inputs.map((file) => ({ file })),
    rule,
    windowBp: raw.window === undefined ? 200 : parseNumber('--window', raw.window, { min: 2, integer: true }),
    windowsPerEpoch: parseNumber('--windows-per-epoch', raw.windowsPerEpoch, { min: 1, integer: true }),
  };
}

/** The raw flags of the genome path, as commander hands them over. */
export interface RawGenomeFlags {
  genome?: string;
  positives?: string;
  negatives?: string;
  window?: string;
  positiveWindows: PositiveWindows;
  tileStride?: string;
  negativesPerPositive: string;
  validChroms?: string;
  validRegion: string[];
  excludeRegion: string[];
  exclude: string[];
  rc: boolean;
  positiveClass: string;
  extent: CallExtent;
  nullWindows: string;
  seed: string;
  validFraction: string;
  length?: string;
  valid?: string;
  class: string[];
}

const GENOME_ONLY = ['positives', 'negatives', 'window', 'tileStride', 'validChroms'] as const;

/** --valid-chroms, --valid-region, --exclude-region and --valid-fraction, shared by scanners and taggers. */
export function parseGenomeSplit(raw: RawGenomeFlags): GenomeSplit {
  return {
    validChroms:
      raw.validChroms === undefined
        ? []
        : raw.validChroms
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean),
    validRegions: raw.validRegion.map((r) => parseRegion(r, '--valid-region')),
    excludeRegions: raw.excludeRegion.map((r) => parseRegion(r, '--exclude-region')),
    validFraction: parseNumber('--valid-fraction', raw.validFraction, { min: 0, max: 0.9 }),
  };
}

/** --exclude BED files (read once the genome is open: commands/train/genome-input.ts). */
function parseExcludeBeds(raw: RawGenomeFlags): string[] {
  if (raw.exclude.includes('-')) throw new RnnseqError('--exclude needs a BED file, not stdin', EXIT_USAGE);
  return raw.exclude;
}

/** Undefined without --genome (and then no genome-only flag may be given). */
export function parseGenomeFlags(inputs: readonly string[], raw: RawGenomeFlags): GenomeTrainOptions | undefined {
  if (raw.genome === undefined) {
    const stray =
      GENOME_ONLY.find((key) => raw[key] !== undefined) ??
      (raw.validRegion.length > 0
        ? 'validRegion'
        : raw.excludeRegion.length > 0
          ? 'excludeRegion'
          : raw.exclude.length > 0
            ? 'exclude'
            : undefined);
    if (stray)
      throw new RnnseqError(
        `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for training a scanner: give --genome and --positives too`,
        EXIT_USAGE,
      );
    return undefined;
  }
  if (inputs.length > 0 || raw.class.length > 0)
    throw new RnnseqError('--genome trains from a genome and BED files: give no FASTA inputs or --class with it', EXIT_USAGE);
  if (raw.positives === undefined) throw new RnnseqError('--genome needs --positives BED (the regions to find)', EXIT_USAGE);
  if (raw.length !== undefined) throw new RnnseqError('with --genome, the input length is --window', EXIT_USAGE);
  if (raw.valid !== undefined)
    throw new RnnseqError('with --genome, hold out validation windows with --valid-chroms or --valid-region, not --valid', EXIT_USAGE);
  if (raw.genome === '-') throw new RnnseqError('--genome must be a file: it is read more than once', EXIT_USAGE);
  const windowBp = parseNumber('--window', raw.window ?? '200', { min: 8, max: 100_000, integer: true });
  const negativeClass = 'background';
  if (raw.positiveClass === negativeClass || raw.positiveClass === '' || /\s/.test(raw.positiveClass)) {
    throw new RnnseqError(`--positive-class must be a single word other than '${negativeClass}', got '${raw.positiveClass}'`, EXIT_USAGE);
  }
  return {
    genome: raw.genome,
    positives: raw.positives,
    ...(raw.negatives !== undefined ? { negatives: raw.negatives } : {}),
    windowBp,
    positiveWindows: raw.positiveWindows,
    tileStrideBp:
      raw.tileStride === undefined
        ? Math.max(1, Math.floor(windowBp / 2))
        : parseNumber('--tile-stride', raw.tileStride, { min: 1, integer: true }),
    negativesPerPositive: parseNegativesPerPositive(raw.negativesPerPositive),
    ...parseGenomeSplit(raw),
    excludeBeds: parseExcludeBeds(raw),
    reverseComplement: raw.rc,
    seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
    positiveClass: raw.positiveClass,
    negativeClass,
    extent: raw.extent,
    nullWindows: parseNullWindows(raw.nullWindows),
  };
}

/** --ensemble N and --member K: FASTA classifiers only (a scanner's or tagger's calibration is per model). */
function parseEnsemble(
  rawCount: string | undefined,
  rawMember: string | undefined,
  task: Task,
  genome: boolean,
  recipe: boolean,
): TrainOptions['ensemble'] {
  const eligible = task === 'classify' && !genome;
  const count =
    rawCount === undefined || rawCount === 'auto'
      ? recipe && eligible
        ? 'auto'
        : 1
      : parseNumber('--ensemble', rawCount, { min: 1, max: 100, integer: true });
  if (count !== 'auto' && count > 1 && !eligible)
    throw new RnnseqError(
      '--ensemble averages classifiers trained from FASTA (not --genome scanners, taggers, regressors or language models)',
      EXIT_USAGE,
    );
  if (rawMember === undefined) return { count };
  if (count === 'auto' || count < 2)
    throw new RnnseqError('--member K trains one member of an ensemble: give --ensemble N (N >= 2) too', EXIT_USAGE);
  const member = parseNumber('--member', rawMember, { min: 2, max: count, integer: true });
  return { count, member };
}

function parseNegativesPerPositive(raw: string): number | 'auto' {
  if (raw === 'auto') return 'auto';
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0.01 || value > 100)
    throw new RnnseqError(`--negatives-per-positive must be auto or a number >= 0.01 and <= 100, got '${raw}'`, EXIT_USAGE);
  return value;
}

export function parseNullWindows(raw: string): number {
  const windows = parseNumber('--null-windows', raw, { min: 0, max: 10_000_000, integer: true });
  if (windows > 0 && windows < 100)
    throw new RnnseqError('--null-windows needs at least 100 windows for a tail fit (or 0 for no null)', EXIT_USAGE);
  return windows;
}

export interface RawTagFlags extends RawGenomeFlags {
  labels?: string;
}

export const TAG_DEFAULT_WINDOW_BP = 1000;

/** Validates the flags of `train --task tag` (--genome is known to be given). */
export function parseTagFlags(inputs: readonly string[], raw: RawTagFlags): TagTrainOptions {
  if (inputs.length > 0 || raw.class.length > 0)
    throw new RnnseqError('--task tag trains from a genome and a BED: give no FASTA inputs or --class with it', EXIT_USAGE);
  if (raw.labels !== undefined && raw.positives !== undefined && raw.labels !== raw.positives) {
    throw new RnnseqError('--labels and --positives name the same thing for --task tag (the labelled regions): give one', EXIT_USAGE);
  }
  const labels = raw.labels ?? raw.positives;
  if (labels === undefined)
    throw new RnnseqError('--task tag needs --labels BED: the regions whose bases are the positive class', EXIT_USAGE);
  if (raw.negatives !== undefined)
    throw new RnnseqError('--task tag labels every base: bases outside --labels are background, so there is no --negatives', EXIT_USAGE);
  if (raw.extent !== 'window')
    throw new RnnseqError("--extent is a window scanner's setting; a tagger's calls are runs of bases", EXIT_USAGE);
  if (raw.length !== undefined) throw new RnnseqError('with --task tag, the input length is --window', EXIT_USAGE);
  if (raw.valid !== undefined)
    throw new RnnseqError('with --task tag, hold out validation windows with --valid-chroms or --valid-region, not --valid', EXIT_USAGE);
  if (raw.genome === '-') throw new RnnseqError('--genome must be a file: it is read more than once', EXIT_USAGE);
  if (raw.positiveClass === TAG_NEGATIVE_CLASS || raw.positiveClass === '' || /\s/.test(raw.positiveClass)) {
    throw new RnnseqError(
      `--positive-class must be a single word other than '${TAG_NEGATIVE_CLASS}', got '${raw.positiveClass}'`,
      EXIT_USAGE,
    );
  }
  const windowBp = parseNumber('--window', raw.window ?? String(TAG_DEFAULT_WINDOW_BP), { min: 8, max: 100_000, integer: true });
  return {
    genome: raw.genome!,
    labels,
    windowBp,
    tileStrideBp:
      raw.tileStride === undefined
        ? Math.max(1, Math.floor(windowBp / 2))
        : parseNumber('--tile-stride', raw.tileStride, { min: 1, max: windowBp, integer: true }),
    ...parseGenomeSplit(raw),
    excludeBeds: parseExcludeBeds(raw),
    reverseComplement: raw.rc,
    seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
    positiveClass: raw.positiveClass,
  };
}
