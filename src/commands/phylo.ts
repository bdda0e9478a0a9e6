import { Random } from '../engine/random.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError, dataError } from '../errors.js';
import { openInput } from '../io/open-input.js';
import { type Output, openOutput } from '../io/output.js';
import type { Logger } from '../log.js';
import { DISTANCE_NAMES, type DistanceName } from '../phylo/distance.js';
import { ALIGNED_MODELS, type AlignedModel, alignedDistances, encodeAlignment, resampleColumns } from '../phylo/aligned-distance.js';
import type { WindowFeaturizer } from '../phylo/features.js';
import { type GroupRule, type GroupSource, compileGroupRegex, parseGroupFiles } from '../phylo/groups.js';
import { createKmerFeaturizer, maxKmerLength } from '../phylo/kmer.js';
import { formatMatrixTsv } from '../phylo/matrix-tsv.js';
import { formatNewick, parseNewick } from '../phylo/newick.js';
import { type CrossBits, crossBits, crossEntropyDistances, resampleWindows } from '../phylo/cross-entropy.js';
import { type GroupWindows, type Phylogeny, type TreeMethod, buildPhylogeny, featurizeGroups, phylogenyFromDistances } from '../phylo/pipeline.js';
import { type SequenceGroup, readGroups } from '../phylo/read-groups.js';
import { robinsonFoulds } from '../phylo/rf.js';
import { formatDecimal } from '../phylo/decimal.js';
import { sampleWindows, tileWindows } from '../phylo/windows.js';
import type { Alphabet, AlphabetName } from '../seq/alphabet.js';
import { type RawRuntimeFlags, type RuntimeOptions, createLogger, parseCommon, parseNumber } from './runtime.js';

/** Where window vectors come from: the alignment-free k-mer baseline, a trained model, or a model trained here. */
/**
 * divergence: cross-entropy of each group under a model adapted to every other (default; phylo/cross-entropy.ts);
 * codes: per-position state codes; mean: the mean hidden state (see phylo-model.ts).
 */
export type ModelFeatures = 'divergence' | 'codes' | 'mean';

export type FeatureSource =
  | { kind: 'kmer'; k: number; canonical: boolean }
  | { kind: 'aligned'; model: AlignedModel }
  | { kind: 'model'; model: string; use: ModelFeatures; adaptEpochs: number }
  | { kind: 'train'; use: ModelFeatures; adaptEpochs: number };

export interface PhyloTreeOptions extends RuntimeOptions {
  mode: 'tree';
  sources: GroupSource[];
  rule: GroupRule;
  features: FeatureSource;
  alphabet: AlphabetName | 'auto';
  out?: string;
  matrix?: string;
  /** the tree drawn as SVG, bootstrap support on its branches */
  svg?: string;
  method: TreeMethod;
  distance: DistanceName;
  windowBp: number;
  /** 'all': every non-overlapping window instead of a sample */
  windowsPerGroup: number | 'all';
  bootstrap: number;
  seed: number;
  batchSize: number;
}

export interface PhyloCompareOptions {
  mode: 'compare';
  reference: string;
  tree: string;
  out?: string;
  quiet?: boolean;
  json?: boolean;
}

export type PhyloOptions = PhyloTreeOptions | PhyloCompareOptions;

export interface RawPhyloFlags extends RawRuntimeFlags {
  model?: string;
  kmer?: string;
  canonical: boolean;
  train: boolean;
  modelFeatures: ModelFeatures;
  adaptEpochs: string;
  aligned: boolean;
  out?: string;
  matrix?: string;
  svg?: string;
  method: TreeMethod;
  distance?: DistanceName | AlignedModel;
  window: string;
  windowsPerGroup?: string;
  allPositions: boolean;
  bootstrap: string;
  seed: string;
  compare?: string;
  alphabet: AlphabetName | 'auto';
  groupTag?: string;
  groupRegex?: string;
  group: string[];
  batchSize: string;
}

const DEFAULT_WINDOWS_PER_GROUP = 100;

/** Validates `rnnseq phylo` flags once, so everything past here can trust them. */
export function parsePhyloOptions(inputs: string[], raw: RawPhyloFlags): PhyloOptions {
  const sources = [raw.model !== undefined && '-m', raw.kmer !== undefined && '--kmer', raw.train && '--train', raw.aligned && '--aligned'].filter(Boolean);
  if (raw.compare !== undefined) {
    if (sources.length > 0) throw new RnnseqError(`--compare compares two tree files; it takes no ${sources.join(' or ')}`, EXIT_USAGE);
    if (inputs.length !== 1) throw new RnnseqError(`--compare REF needs exactly one tree file to compare with it, got ${inputs.length}`, EXIT_USAGE);
    return { mode: 'compare', reference: raw.compare, tree: inputs[0]!, ...(raw.out !== undefined ? { out: raw.out } : {}), quiet: raw.quiet, json: raw.json };
  }
  if (sources.length !== 1) {
    throw new RnnseqError(
      sources.length === 0 ? 'say where distances come from: --kmer K (alignment-free), -m MODEL, --train, or --aligned' : `give one of ${sources.join(', ')}, not several`,
      EXIT_USAGE,
    );
  }
  const features: FeatureSource = raw.aligned
    ? { kind: 'aligned', model: alignedModel(raw.distance) }
    : raw.kmer !== undefined
      ? { kind: 'kmer', k: parseNumber('--kmer', raw.kmer, { min: 1, max: 10, integer: true }), canonical: raw.canonical }
      : raw.model !== undefined
        ? { kind: 'model', model: raw.model, use: raw.modelFeatures, adaptEpochs: parseNumber('--adapt-epochs', raw.adaptEpochs, { min: 0, max: 1000, integer: true }) }
        : { kind: 'train', use: raw.modelFeatures, adaptEpochs: parseNumber('--adapt-epochs', raw.adaptEpochs, { min: 0, max: 1000, integer: true }) };
  if (raw.canonical && features.kind !== 'kmer') throw new RnnseqError('--canonical applies to --kmer counts only', EXIT_USAGE);
  if (raw.allPositions && raw.windowsPerGroup !== undefined) throw new RnnseqError('give --windows-per-group or --all-positions, not both', EXIT_USAGE);
  if (raw.out !== undefined && raw.out !== '-' && raw.out === raw.matrix) throw new RnnseqError('-o and --matrix name the same file', EXIT_USAGE);
  if ((raw.out === undefined || raw.out === '-') && raw.matrix === '-') throw new RnnseqError('--matrix - needs -o FILE for the tree: both cannot go to stdout', EXIT_USAGE);
  return {
    mode: 'tree',
    ...parseCommon(raw),
    ...groupSources(inputs, raw),
    features,
    alphabet: raw.alphabet,
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    ...(raw.matrix !== undefined ? { matrix: raw.matrix } : {}),
    ...(raw.svg !== undefined ? { svg: raw.svg } : {}),
    method: raw.method,
    // Unused with --aligned, whose model is in `features`.
    distance: raw.aligned ? 'cosine' : profileDistance(raw.distance),
    windowBp: parseNumber('--window', raw.window, { min: 1, integer: true }),
    windowsPerGroup: raw.allPositions ? 'all' : parseNumber('--windows-per-group', raw.windowsPerGroup ?? DEFAULT_WINDOWS_PER_GROUP, { min: 1, integer: true }),
    bootstrap: parseNumber('--bootstrap', raw.bootstrap, { min: 0, max: 100000, integer: true }),
    seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
    batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, max: 65536, integer: true }),
  };
}

/** --distance with --aligned: a substitution model (default JC69, what users run first with ape). */
function alignedModel(raw: string | undefined): AlignedModel {
  if (raw === undefined) return 'jc69';
  if (!(ALIGNED_MODELS as readonly string[]).includes(raw)) throw new RnnseqError(`--aligned takes --distance ${ALIGNED_MODELS.join(', ')}, not ${raw}`, EXIT_USAGE);
  return raw as AlignedModel;
}

/** --distance between profiles; the substitution models apply to --aligned only. */
function profileDistance(raw: string | undefined): DistanceName {
  if (raw === undefined) return 'cosine';
  if (!(DISTANCE_NAMES as readonly string[]).includes(raw)) throw new RnnseqError(`--distance ${raw} needs --aligned (an alignment's columns); between profiles use ${DISTANCE_NAMES.join(', ')}`, EXIT_USAGE);
  return raw as DistanceName;
}

function groupSources(inputs: string[], raw: RawPhyloFlags): { sources: GroupSource[]; rule: GroupRule } {
  const rules = [raw.groupTag !== undefined && '--group-tag', raw.groupRegex !== undefined && '--group-regex', raw.group.length > 0 && '--group'].filter(Boolean);
  if (rules.length > 1) throw new RnnseqError(`group records one way: ${rules.join(' and ')} cannot be combined`, EXIT_USAGE);
  if (raw.group.length > 0) {
    if (inputs.length > 0) throw new RnnseqError('with --group NAME=FILE every input is named by a --group; drop the other FASTA arguments', EXIT_USAGE);
    return { sources: parseGroupFiles(raw.group), rule: { kind: 'files' } };
  }
  if (inputs.length === 0) throw new RnnseqError('no input: give FASTA files (or - for stdin), or --group NAME=FILE', EXIT_USAGE);
  const sources = inputs.map((file) => ({ file }));
  if (raw.groupTag !== undefined) {
    if (raw.groupTag === '' || /[\s=]/.test(raw.groupTag)) throw new RnnseqError(`--group-tag must be a header tag name like species, got '${raw.groupTag}'`, EXIT_USAGE);
    return { sources, rule: { kind: 'tag', key: raw.groupTag } };
  }
  if (raw.groupRegex !== undefined) return { sources, rule: { kind: 'regex', pattern: compileGroupRegex(raw.groupRegex) } };
  return { sources, rule: { kind: 'record' } };
}

export async function run(options: PhyloOptions): Promise<void> {
  if (options.mode === 'compare') return compare(options);
  const log = await createLogger(options);
  const input = await readGroups(options.sources, options.rule, options.alphabet, { keepAligned: options.features.kind === 'aligned' });
  const { groups, alphabet } = input;
  log.info(`read ${input.records} records in ${groups.length} groups (${alphabet.name})`, { records: input.records, groups: groups.length, alphabet: alphabet.name });
  if (input.recordsWithGaps > 0 && options.features.kind !== 'aligned') log.info(`removed alignment gaps ('-', '.') from ${input.recordsWithGaps} of ${input.records} records`, { recordsWithGaps: input.recordsWithGaps });
  if (input.emptyRecords.length > 0) log.warn(`${input.emptyRecords.length} record(s) were only gaps and are left out (e.g. ${input.emptyRecords[0]})`);
  if (groups.length < 3) throw new RnnseqError(`a tree needs at least 3 groups, found ${groups.length} (${groups.map((g) => g.name).join(', ')})`, EXIT_USAGE);

  const { features } = options;
  const built =
    features.kind === 'aligned'
      ? alignedTree(options, features.model, groups, alphabet, log)
      : features.kind !== 'kmer' && features.use === 'divergence'
        ? await divergenceTree(options, groups, alphabet, log)
        : await featureTree(options, groups, alphabet, log);
  const { phylogeny } = built;
  const method = options.method === 'nj' ? 'neighbour joining' : 'UPGMA';
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
      const { renderTreeSvg } = await import('../report/tree-svg.js');
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
    throw dataError({ file: ragged.file, line: ragged.line, record: ragged.id }, `the row is ${ragged.row.length} columns long, but '${rows[0]!.id}' has ${columns}: --aligned needs aligned input`);
  }
  const nucleotide = alphabet.name !== 'protein';
  if (!nucleotide && model !== 'p') throw new RnnseqError(`--distance ${model} is a nucleotide model; aligned protein takes --distance p`, EXIT_USAGE);
  const alignment = encodeAlignment(groups.map((g) => g.name), rows.map((r) => r.row), nucleotide);
  const full = alignedDistances(alignment, model);
  if (full.undefinedPairs.length === full.matrix.length * (full.matrix.length - 1) / 2) {
    throw new RnnseqError(`no pair of rows has a defined ${model} distance (no shared sites, or all saturated)`, EXIT_DATA);
  }
  if (full.undefinedPairs.length > 0) {
    const [i, j] = full.undefinedPairs[0]!;
    log.warn(
      `${full.undefinedPairs.length} pair(s) have no defined ${model} distance (saturated, or no site without a gap in both; e.g. ${alignment.names[i]} and ${alignment.names[j]}): set to twice the largest defined distance`,
    );
  }
  log.info(`features: ${model} distances over ${columns} alignment columns (pairwise deletion of gaps and ambiguity codes)`, { columns });
  const phylogeny = phylogenyFromDistances(alignment.names, (random) => (random ? alignedDistances(alignment, model, resampleColumns(columns, random)).matrix : full.matrix), options);
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

/** The language model adapted to each group in turn; distances are excess code lengths (phylo/cross-entropy.ts). */
async function divergenceTree(options: PhyloTreeOptions, groups: SequenceGroup[], alphabet: Alphabet, log: Logger): Promise<BuiltTree> {
  const features = options.features as Extract<FeatureSource, { kind: 'model' | 'train' }>;
  const runtime = runtimeOf(options);
  const model = features.kind === 'model' ? features.model : await trainModelFor(options, groups, alphabet, log);
  const { createModelAdapter } = await import('./phylo-model.js');
  const adapter = await createModelAdapter({ ...runtime, model, epochs: features.adaptEpochs, learningRate: ADAPT_LEARNING_RATE, batchSize: options.batchSize, seed: options.seed, log });
  let table: CrossBits;
  try {
    const windows = cutWindows(groups, options);
    logWindows(windows, adapter.description, options, log);
    const progress = await log.progress(groups.length, 'groups');
    table = await crossBits(windows, adapter, (done) => progress.update(done));
    progress.stop();
  } finally {
    adapter.dispose();
  }
  const phylogeny = phylogenyFromDistances(table.names, (random) => crossEntropyDistances(table, random ? resampleWindows(table, random) : undefined), options);
  const what = 'excess cross-entropy (bits per base, symmetrised)';
  return { phylogeny, what, matrixHeader: `${what} of ${adapter.description}` };
}

/** Logs what the windows are and warns when a bootstrap cannot resample them; returns how many there are. */
function logWindows(windows: readonly GroupWindows[], description: string, options: PhyloTreeOptions, log: Logger): number {
  const total = windows.reduce((sum, g) => sum + g.windows.length, 0);
  log.info(
    `features: ${description} of ${total} windows (${options.windowBp} bp, ${options.windowsPerGroup === 'all' ? 'all non-overlapping' : `${options.windowsPerGroup} sampled`} per group)`,
    { windows: total, features: description },
  );
  if (options.bootstrap > 0) {
    const few = windows.filter((g) => g.windows.length < 2).map((g) => g.name);
    if (few.length > 0) log.warn(`${few.length} group(s) have a single window (e.g. ${few[0]}), which a bootstrap cannot resample: their support is overstated`);
  }
  return total;
}

/** The base model's own rate: 0.01 and 0.03 memorised worse on the shared sets. */
const ADAPT_LEARNING_RATE = 0.003;

function runtimeOf(options: PhyloTreeOptions): RuntimeOptions & { quiet: boolean; json: boolean } {
  return { backend: options.backend, engine: options.engine, ...(options.threads !== undefined ? { threads: options.threads } : {}), quiet: options.quiet ?? false, json: options.json ?? false };
}

async function trainModelFor(options: PhyloTreeOptions, groups: SequenceGroup[], alphabet: Alphabet, log: Logger): Promise<string> {
  const { trainPhyloModel } = await import('./phylo-train.js');
  return trainPhyloModel({ ...runtimeOf(options), groups, alphabet: alphabet.name, windowBp: options.windowBp, seed: options.seed, log });
}

async function createFeaturizer(options: PhyloTreeOptions, groups: SequenceGroup[], alphabet: Alphabet, log: Logger): Promise<WindowFeaturizer> {
  const { features } = options;
  if (features.kind === 'kmer') {
    const maxK = maxKmerLength(alphabet);
    if (features.k > maxK) throw new RnnseqError(`--kmer ${features.k} is too long for ${alphabet.name}: profiles are dense, so k <= ${maxK}`, EXIT_USAGE);
    if (features.canonical && alphabet.name === 'protein') throw new RnnseqError('--canonical needs nucleotides: protein has no reverse complement', EXIT_USAGE);
    return createKmerFeaturizer({ k: features.k, alphabet, canonical: features.canonical });
  }
  if (features.kind === 'aligned') throw new Error('createFeaturizer: --aligned builds no window features');
  // Training and the model featurizer each start the engine runtime themselves (and announce it).
  const runtime = runtimeOf(options);
  const model = features.kind === 'model' ? features.model : await trainModelFor(options, groups, alphabet, log);
  const { createModelFeaturizer } = await import('./phylo-model.js');
  return createModelFeaturizer({ ...runtime, model, pool: 'mean', features: features.use as 'codes' | 'mean', batchSize: options.batchSize, log });
}

function cutWindows(groups: readonly SequenceGroup[], options: PhyloTreeOptions): GroupWindows[] {
  const random = new Random(options.seed);
  return groups.map((group) => ({
    name: group.name,
    windows:
      options.windowsPerGroup === 'all'
        ? tileWindows(group.sequences, options.windowBp)
        : sampleWindows(group.sequences, options.windowBp, options.windowsPerGroup, random),
  }));
}

/** `--compare REF TREE`: unrooted Robinson-Foulds distance, raw and normalised, as one TSV row. */
async function compare(options: PhyloCompareOptions): Promise<void> {
  const log = await createLogger(options);
  const reference = parseNewick(await readText(options.reference), options.reference);
  const tree = parseNewick(await readText(options.tree), options.tree);
  const result = robinsonFoulds(reference, tree, [options.reference, options.tree]);
  const output = await openOutput(options.out);
  try {
    await output.write(`rf\tmax_rf\tnormalised_rf\tleaves\n${result.rf}\t${result.maxRf}\t${formatDecimal(result.normalised, 6)}\t${result.leaves}\n`);
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
