import { Random } from '../../seq/random.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError, dataError } from '../../errors.js';
import { openInput } from '../../io/open-input.js';
import { type Output, openOutput } from '../../io/output.js';
import type { Logger } from '../../log.js';
import { type AlignedModel, alignedDistances, encodeAlignment, resampleColumns } from '../../phylo/aligned-distance.js';
import { type CrossBits, crossBits, crossEntropyDistances, resampleWindows, shuffledWindows } from '../../phylo/cross-entropy.js';
import type { DistanceMatrix } from '../../phylo/distance.js';
import type { WindowFeaturizer } from '../../phylo/features.js';
import { createKmerFeaturizer, maxKmerLength } from '../../phylo/kmer.js';
import { formatMatrixTsv } from '../../phylo/matrix-tsv.js';
import { formatNewick, parseNewick } from '../../phylo/newick.js';
import { type GroupWindows, type Phylogeny, buildPhylogeny, featurizeGroups, phylogenyFromDistances } from '../../phylo/pipeline.js';
import { type SequenceGroup, readGroups } from '../../seq/read-groups.js';
import { robinsonFoulds } from '../../phylo/rf.js';
import { formatDecimal } from '../../phylo/decimal.js';
import { coveringCount, spreadWindows, tileWindows } from '../../seq/sample-windows.js';
import type { Alphabet } from '../../seq/alphabet.js';
import { type FeatureSource, type PhyloCompareOptions, type PhyloOptions, type PhyloTreeOptions, WINDOW_COVERAGE } from './options.js';
import { fastaInput } from '../../io/fasta.js';
import { type RuntimeOptions, createLogger } from '../shared/runtime.js';

export async function run(options: PhyloOptions): Promise<void> {
  if (options.mode === 'compare') return compare(options);
  const log = await createLogger(options);
  const sources = options.sources.map((source) => ({ ...source, input: fastaInput(source.file) }));
  const input = await readGroups(sources, options.rule, options.alphabet, { keepAligned: options.features.kind === 'aligned' });
  const { groups, alphabet } = input;
  log.info(`read ${input.records} records in ${groups.length} groups (${alphabet.name})`, {
    records: input.records,
    groups: groups.length,
    alphabet: alphabet.name,
  });
  if (input.recordsWithGaps > 0 && options.features.kind !== 'aligned')
    log.info(`removed alignment gaps ('-', '.') from ${input.recordsWithGaps} of ${input.records} records`, {
      recordsWithGaps: input.recordsWithGaps,
    });
  if (input.emptyRecords.length > 0)
    log.warn(`${input.emptyRecords.length} record(s) were only gaps and are left out (e.g. ${input.emptyRecords[0]})`);
  if (groups.length < 3)
    throw new RnnseqError(`a tree needs at least 3 groups, found ${groups.length} (${groups.map((g) => g.name).join(', ')})`, EXIT_USAGE);

  const { features } = options;
  const built =
    features.kind === 'aligned'
      ? alignedTree(options, features.model, groups, alphabet, log)
      : features.kind !== 'kmer' && features.use === 'divergence'
        ? await divergenceTree(options, groups, alphabet, log)
        : await featureTree(options, groups, alphabet, log);
  const { phylogeny } = built;
  const method = { nj: 'neighbour joining', bionj: 'BIONJ', upgma: 'UPGMA' }[options.method];
  log.info(`tree: ${method} on ${built.what}${options.bootstrap > 0 ? `, support from ${options.bootstrap} bootstrap replicates` : ''}`);

  // Outputs open only now that everything is computed: an interrupted run leaves no temp file behind.
  const outputs: Output[] = [];
  try {
    const tree = await openOutput(options.out);
    outputs.push(tree);
    await tree.write(formatNewick(phylogeny.tree));
    if (options.matrix !== undefined) {
      const matrix = await openOutput(options.matrix);
      outputs.push(matrix);
      await matrix.write(formatMatrixTsv(phylogeny.names, phylogeny.matrix, built.matrixHeader));
    }
    if (options.svg !== undefined) {
      const { renderTreeSvg } = await import('../../report/tree-svg.js');
      const svg = await openOutput(options.svg);
      outputs.push(svg);
      await svg.write(renderTreeSvg(phylogeny.tree));
    }
    for (const output of outputs) await output.commit();
  } catch (error) {
    for (const output of outputs) await output.abort();
    throw error;
  }
  const written = [options.out, options.matrix, options.svg].filter((file) => file !== undefined && file !== '-');
  if (written.length > 0) log.info(`wrote ${written.join(' and ')}`);
}

interface BuiltTree {
  phylogeny: Phylogeny;
  /** for the log: what the tree was built on */
  what: string;
  /** the --matrix file's first cell */
  matrixHeader: string;
}

/**
 * --aligned: one alignment row per group, distances from its columns (phylo/aligned-distance.ts), the bootstrap
 * resampling columns.
 */
function alignedTree(options: PhyloTreeOptions, model: AlignedModel, groups: SequenceGroup[], alphabet: Alphabet, log: Logger): BuiltTree {
  const rows = groups.map((group) => {
    const records = group.aligned!;
    if (records.length !== 1) {
      const second = records[1]!;
      throw dataError(
        { file: second.file, line: second.line, record: second.id },
        `group '${group.name}' has ${records.length} records; --aligned takes one alignment row per leaf (drop the grouping option)`,
      );
    }
    return records[0]!;
  });
  const columns = rows[0]!.row.length;
  const ragged = rows.find((r) => r.row.length !== columns);
  if (ragged) {
    throw dataError(
      { file: ragged.file, line: ragged.line, record: ragged.id },
      `the row is ${ragged.row.length} columns long, but '${rows[0]!.id}' has ${columns}: --aligned needs aligned input`,
    );
  }
  const nucleotide = alphabet.name !== 'protein';
  if (!nucleotide && model !== 'p')
    throw new RnnseqError(`--distance ${model} is a nucleotide model; aligned protein takes --distance p`, EXIT_USAGE);
  const alignment = encodeAlignment(
    groups.map((g) => g.name),
    rows.map((r) => r.row),
    nucleotide,
  );
  const full = alignedDistances(alignment, model);
  if (full.undefinedPairs.length === (full.matrix.length * (full.matrix.length - 1)) / 2) {
    throw new RnnseqError(`no pair of rows has a defined ${model} distance (no shared sites, or all saturated)`, EXIT_DATA);
  }
  if (full.undefinedPairs.length > 0) {
    const [i, j] = full.undefinedPairs[0]!;
    log.warn(
      `${full.undefinedPairs.length} pair(s) have no defined ${model} distance (saturated, or no site without a gap in both; e.g. ${alignment.names[i]} and ${alignment.names[j]}): set to twice the largest defined distance`,
    );
  }
  log.info(`features: ${model} distances over ${columns} alignment columns (pairwise deletion of gaps and ambiguity codes)`, { columns });
  const phylogeny = phylogenyFromDistances(
    alignment.names,
    (random) => (random ? alignedDistances(alignment, model, resampleColumns(columns, random)).matrix : full.matrix),
    options,
  );
  const what = `${model === 'p' ? 'p' : model.toUpperCase()} distances`;
  return { phylogeny, what, matrixHeader: `${model} distance (substitutions per site) over ${columns} alignment columns` };
}

/** Window vectors (k-mer profiles or a model's states) averaged per group, then a profile distance. */
async function featureTree(options: PhyloTreeOptions, groups: SequenceGroup[], alphabet: Alphabet, log: Logger): Promise<BuiltTree> {
  const featurizer = await createFeaturizer(options, groups, alphabet, log);
  try {
    const windows = cutWindows(groups, options);
    const total = logWindows(windows, featurizer.description, options, log);
    const progress = await log.progress(total, 'windows');
    const features = await featurizeGroups(windows, featurizer, {
      keepWindowVectors: options.bootstrap > 0,
      batchWindows: options.batchSize,
      onWindows: (done) => progress.update(done),
    });
    progress.stop();
    const phylogeny = buildPhylogeny(features, options);
    return { phylogeny, what: `${options.distance} distances`, matrixHeader: `${options.distance} distance of ${featurizer.description}` };
  } finally {
    featurizer.dispose();
  }
}

/**
 * The language model adapted to each group in turn; distances are excess code lengths (phylo/cross-entropy.ts),
 * averaged over --ensemble models: with --train each trained with its own seed (seed + r), with -m the given model
 * adapted with seed + r. Every model scores the same windows and shuffles, so a bootstrap replicate resamples
 * the same windows in each.
 */
async function divergenceTree(options: PhyloTreeOptions, groups: SequenceGroup[], alphabet: Alphabet, log: Logger): Promise<BuiltTree> {
  const features = options.features as Extract<FeatureSource, { kind: 'model' | 'train' }>;
  const runtime = runtimeOf(options);
  const windows = cutWindows(groups, options);
  warnUncovered(groups, options, log);
  // Its own stream of --seed, so the shuffles never change which windows are sampled.
  const unrelated = shuffledWindows(windows, new Random((options.seed ^ 0x2545f491) >>> 0));
  const { createModelAdapter } = await import('./model-adapter.js');
  const tables: CrossBits[] = [];
  let description = '';
  for (let member = 0; member < features.ensemble; member++) {
    const seed = (options.seed + member) >>> 0;
    const model = features.kind === 'model' ? features.model : await trainModelFor({ ...options, seed }, groups, alphabet, log);
    const adapter = await createModelAdapter({
      ...runtime,
      model,
      epochs: features.adaptEpochs,
      learningRate: ADAPT_LEARNING_RATE,
      batchSize: options.batchSize,
      seed,
      log,
    });
    try {
      description = adapter.description;
      if (member === 0) logWindows(windows, ensembleDescription(description, features), options, log);
      const progress = await log.progress(
        groups.length,
        features.ensemble > 1 ? `groups (model ${member + 1} of ${features.ensemble})` : 'groups',
      );
      tables.push(await crossBits(windows, unrelated, adapter, (done) => progress.update(done)));
      progress.stop();
    } finally {
      adapter.dispose();
    }
  }
  const phylogeny = phylogenyFromDistances(
    tables[0]!.names,
    (random) => {
      const pick = random ? resampleWindows(tables[0]!, random) : undefined;
      return meanMatrix(tables.map((table) => crossEntropyDistances(table, pick)));
    },
    options,
  );
  const what = 'excess cross-entropy (fraction of the way to a shuffled sequence, symmetrised)';
  return { phylogeny, what, matrixHeader: `${what} of ${ensembleDescription(description, features)}` };
}

function ensembleDescription(description: string, features: Extract<FeatureSource, { kind: 'model' | 'train' }>): string {
  if (features.ensemble === 1) return description;
  return `${description}, the mean of ${features.ensemble} ${features.kind === 'train' ? 'models' : 'adaptations'}`;
}

/** The element-wise mean of distance matrices of one size. */
function meanMatrix(matrices: readonly DistanceMatrix[]): DistanceMatrix {
  const n = matrices[0]!.length;
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    for (const matrix of matrices) for (let j = 0; j < n; j++) row[j]! += matrix[i]![j]!;
    for (let j = 0; j < n; j++) row[j]! /= matrices.length;
    return row;
  });
}

function sampleDescription(windows: readonly GroupWindows[], options: PhyloTreeOptions): string {
  if (options.windowsPerGroup === 'all') return 'all non-overlapping';
  if (options.windowsPerGroup !== 'cover') return `${options.windowsPerGroup} sampled`;
  const counts = windows.map((g) => g.windows.length);
  const [fewest, most] = [Math.min(...counts), Math.max(...counts)];
  const range = fewest === most ? `${most}` : `${fewest}-${most}`;
  return most === WINDOW_COVERAGE.min
    ? `${range} sampled`
    : `${range} sampled (at least ${WINDOW_COVERAGE.min}, enough to cover each group ${WINDOW_COVERAGE.times} times)`;
}

/** Logs what the windows are and warns when a bootstrap cannot resample them; returns how many there are. */
function logWindows(windows: readonly GroupWindows[], description: string, options: PhyloTreeOptions, log: Logger): number {
  const total = windows.reduce((sum, g) => sum + g.windows.length, 0);
  log.info(`features: ${description} of ${total} windows (${options.windowBp} bp, ${sampleDescription(windows, options)} per group)`, {
    windows: total,
    features: description,
  });
  if (options.bootstrap > 0) {
    const few = windows.filter((g) => g.windows.length < 2).map((g) => g.name);
    if (few.length > 0)
      log.warn(
        `${few.length} group(s) have a single window (e.g. ${few[0]}), which a bootstrap cannot resample: their support is overstated`,
      );
  }
  return total;
}

/**
 * With 20 epochs (--adapt-epochs), the adaptation budget chosen on the shared sets: the divergence tracks the
 * alignment's JC69 distances better the more each model memorises its group (Pearson on lungfish 0.84 at 10
 * epochs of 0.003, 0.92 at 20 of 0.01, 0.93 at 40), but 40 epochs over-fit 232-bp sequences (7 primates: 0.82
 * at 20, 0.61 at 40).
 */
const ADAPT_LEARNING_RATE = 0.01;

function runtimeOf(options: PhyloTreeOptions): RuntimeOptions & { quiet: boolean; json: boolean } {
  return {
    backend: options.backend,
    engine: options.engine,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    quiet: options.quiet ?? false,
    json: options.json ?? false,
  };
}

async function trainModelFor(options: PhyloTreeOptions, groups: SequenceGroup[], alphabet: Alphabet, log: Logger): Promise<string> {
  const { trainPhyloModel } = await import('./train-model.js');
  return trainPhyloModel({ ...runtimeOf(options), groups, alphabet: alphabet.name, windowBp: options.windowBp, seed: options.seed, log });
}

async function createFeaturizer(
  options: PhyloTreeOptions,
  groups: SequenceGroup[],
  alphabet: Alphabet,
  log: Logger,
): Promise<WindowFeaturizer> {
  const { features } = options;
  if (features.kind === 'kmer') {
    const maxK = maxKmerLength(alphabet);
    if (features.k > maxK)
      throw new RnnseqError(`--kmer ${features.k} is too long for ${alphabet.name}: profiles are dense, so k <= ${maxK}`, EXIT_USAGE);
    if (features.canonical && alphabet.name === 'protein')
      throw new RnnseqError('--canonical needs nucleotides: protein has no reverse complement', EXIT_USAGE);
    return createKmerFeaturizer({ k: features.k, alphabet, canonical: features.canonical });
  }
  if (features.kind === 'aligned') throw new Error('createFeaturizer: --aligned builds no window features');
  // Training and the model featurizer each start the engine runtime themselves (and announce it).
  const runtime = runtimeOf(options);
  const model = features.kind === 'model' ? features.model : await trainModelFor(options, groups, alphabet, log);
  const { createModelFeaturizer } = await import('./model-featurizer.js');
  return createModelFeaturizer({
    ...runtime,
    model,
    pool: 'mean',
    features: features.use as 'codes' | 'mean',
    batchSize: options.batchSize,
    log,
  });
}

function cutWindows(groups: readonly SequenceGroup[], options: PhyloTreeOptions): GroupWindows[] {
  const random = new Random(options.seed);
  const { windowsPerGroup: count, windowBp } = options;
  return groups.map((group) => ({
    name: group.name,
    windows:
      count === 'all'
        ? tileWindows(group.sequences, windowBp)
        : spreadWindows(
            group.sequences,
            windowBp,
            count === 'cover' ? coveringCount(group.sequences, windowBp, WINDOW_COVERAGE) : count,
            random,
          ),
  }));
}

/** The divergence prices a window from its homologue in the other group's sample: say when the cap leaves gaps. */
function warnUncovered(groups: readonly SequenceGroup[], options: PhyloTreeOptions, log: Logger): void {
  if (options.windowsPerGroup !== 'cover') return;
  // The sample the rule would draw without its cap, so the test is the rule's own and cannot drift from it.
  const uncapped = { ...WINDOW_COVERAGE, max: Number.POSITIVE_INFINITY };
  const long = groups.filter((g) => coveringCount(g.sequences, options.windowBp, uncapped) > WINDOW_COVERAGE.max);
  const maxBp = (WINDOW_COVERAGE.max * options.windowBp) / WINDOW_COVERAGE.times;
  if (long.length > 0)
    log.warn(
      `${long.length} group(s) hold more than ${maxBp / 1000} kb (e.g. ${long[0]!.name}): ${WINDOW_COVERAGE.max} windows cover them less than ${WINDOW_COVERAGE.times} times, so the divergence there reads more composition than sequence; --windows-per-group N samples more (the cost grows with it)`,
    );
}

/** `--compare REF TREE`: unrooted Robinson-Foulds distance, raw and normalised, as one TSV row. */
async function compare(options: PhyloCompareOptions): Promise<void> {
  const log = await createLogger(options);
  const reference = parseNewick(await readText(options.reference), options.reference);
  const tree = parseNewick(await readText(options.tree), options.tree);
  const result = robinsonFoulds(reference, tree, [options.reference, options.tree]);
  const output = await openOutput(options.out);
  try {
    await output.write(
      `rf\tmax_rf\tnormalised_rf\tleaves\n${result.rf}\t${result.maxRf}\t${formatDecimal(result.normalised, 6)}\t${result.leaves}\n`,
    );
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
  log.info(`${result.leaves} leaves: ${result.rf} of ${result.maxRf} splits differ`);
}

async function readText(file: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of openInput(file)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
