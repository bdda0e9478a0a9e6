/** `rnnseq phylo`: its flags, help and examples, and their parsing into PhyloOptions (options.ts). */
import { type Command, Option } from '@commander-js/extra-typings';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { ALIGNED_MODELS, type AlignedModel } from '../../phylo/aligned-distance.js';
import { DISTANCE_NAMES, type DistanceName } from '../../phylo/distance.js';
import { TREE_METHODS, type TreeMethod } from '../../phylo/pipeline.js';
import { ALPHABET_CHOICES, type AlphabetName } from '../../seq/alphabet.js';
import { type GroupRule, type GroupSource, compileGroupRegex, parseGroupFiles } from '../../seq/groups.js';
import { collect, withRuntimeOptions } from '../shared/flags.js';
import { type RawRuntimeFlags, parseCommon, parseNumber } from '../shared/parse.js';
import { type FeatureSource, MODEL_FEATURES, type ModelFeatures, type PhyloOptions, WINDOW_COVERAGE } from './options.js';

export function register(program: Command): void {
  const phyloCommand = program
    .command('phylo')
    .description('a tree of groups of sequences from window features (k-mer profiles or a language model); Newick with branch lengths')
    .argument(
      '[inputs...]',
      "FASTA files (.gz or '-' for stdin; aligned input is fine, gaps are removed); with --compare: the tree to compare",
    )
    .option('-m, --model <path>', 'features: hidden states of a trained (language) model over each window (see --model-features)')
    .addOption(
      new Option(
        '--model-features <what>',
        "with -m or --train: divergence: cross-entropy of each group under the model adapted to each other group (its excess as a fraction of a shuffled sequence's); codes: histogram of each position's pattern of active units; mean: the mean hidden state",
      )
        .choices(MODEL_FEATURES)
        .default('divergence' as const),
    )
    .option('--adapt-epochs <n>', 'with --model-features divergence: epochs adapting the model to each group', '20')
    .option(
      '--ensemble <n>',
      `with --model-features divergence: average the divergence of n models (--train: n trained with seeds seed..seed+n-1; -m: n adaptations of it; default ${DEFAULT_DIVERGENCE_ENSEMBLE})`,
    )
    .option('--kmer <k>', 'features: k-mer frequency profile of each window (the alignment-free baseline; no model)')
    .option('--canonical', 'with --kmer: count a k-mer and its reverse complement together (strand-agnostic data)', false)
    .option('--train', 'features: train a language model on the input first with sensible defaults, then use it like -m', false)
    .option('-o, --out <file>', 'write the Newick tree here (atomically) instead of stdout')
    .option('--matrix <file>', 'also write the distance matrix between groups as a square TSV')
    .option('--svg <file>', 'also draw the tree as SVG (branch lengths to scale, bootstrap support on internal branches)')
    .addOption(
      new Option(
        '--method <how>',
        'tree building: neighbour joining, BIONJ (neighbour joining weighing noisy long distances less; both unrooted) or UPGMA (rooted, assumes a clock)',
      )
        .choices(TREE_METHODS)
        .default('nj' as const),
    )
    .addOption(
      new Option(
        '--distance <metric>',
        "distance between groups' mean feature vectors (default cosine); with --aligned: p, jc69 (default) or k2p",
      ).choices([...DISTANCE_NAMES, ...ALIGNED_MODELS]),
    )
    .option(
      '--aligned',
      'features: the input is an alignment: p, JC69 or K2P distances between its rows (pairwise gap deletion), as ape::dist.dna',
      false,
    )
    .option('--window <bp>', 'window length; a sequence shorter than this is one whole-sequence window', '200')
    .option(
      '--windows-per-group <n>',
      `windows per group, one drawn (with --seed) in each of as many equal strata of its positions (default: ${WINDOW_COVERAGE.min}, or enough to cover a longer group ${WINDOW_COVERAGE.times} times, at most ${WINDOW_COVERAGE.max})`,
    )
    .option('--all-positions', 'use every non-overlapping window of every sequence instead of a sample', false)
    .option('--bootstrap <n>', "resample each group's windows n times, rebuild, and write support (%) on internal nodes", '0')
    .option('--seed <n>', 'random seed for window sampling and the bootstrap: same seed, same tree, byte for byte', '1')
    .option('--group-tag <key>', 'group records by a header tag (e.g. species for species=Homo_sapiens) instead of one leaf per record')
    .option('--group-regex <regex>', "group records by the one capture group of a regex on the id, e.g. '^([^_]+)_'")
    .option('--group <name=file>', 'one FASTA file per group (repeatable)', collect, [] as string[])
    .addOption(new Option('--alphabet <name>', 'sequence alphabet').choices(ALPHABET_CHOICES).default('auto' as const))
    .option(
      '--compare <ref>',
      'instead: Robinson-Foulds distance between tree REF and the tree given as argument (TSV: rf, max_rf, normalised_rf, leaves)',
    )
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
      const options = parsePhyloOptions(inputs, opts);
      const { run } = await import('./run.js');
      await run(options);
    });
}

export interface RawPhyloFlags extends RawRuntimeFlags {
  model?: string;
  kmer?: string;
  canonical: boolean;
  train: boolean;
  modelFeatures: ModelFeatures;
  adaptEpochs: string;
  ensemble?: string;
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

/** Validates `rnnseq phylo` flags once, so everything past here can trust them. */
export function parsePhyloOptions(inputs: string[], raw: RawPhyloFlags): PhyloOptions {
  const sources = [
    raw.model !== undefined && '-m',
    raw.kmer !== undefined && '--kmer',
    raw.train && '--train',
    raw.aligned && '--aligned',
  ].filter(Boolean);
  if (raw.compare !== undefined) {
    if (sources.length > 0) throw new RnnseqError(`--compare compares two tree files; it takes no ${sources.join(' or ')}`, EXIT_USAGE);
    if (inputs.length !== 1)
      throw new RnnseqError(`--compare REF needs exactly one tree file to compare with it, got ${inputs.length}`, EXIT_USAGE);
    return {
      mode: 'compare',
      reference: raw.compare,
      tree: inputs[0]!,
      ...(raw.out !== undefined ? { out: raw.out } : {}),
      quiet: raw.quiet,
      json: raw.json,
    };
  }
  if (sources.length !== 1) {
    throw new RnnseqError(
      sources.length === 0
        ? 'say where distances come from: --kmer K (alignment-free), -m MODEL, --train, or --aligned'
        : `give one of ${sources.join(', ')}, not several`,
      EXIT_USAGE,
    );
  }
  const features: FeatureSource = raw.aligned
    ? { kind: 'aligned', model: alignedModel(raw.distance) }
    : raw.kmer !== undefined
      ? { kind: 'kmer', k: parseNumber('--kmer', raw.kmer, { min: 1, max: 10, integer: true }), canonical: raw.canonical }
      : raw.model !== undefined
        ? { kind: 'model', model: raw.model, use: raw.modelFeatures, adaptEpochs: adaptEpochs(raw), ensemble: ensemble(raw) }
        : { kind: 'train', use: raw.modelFeatures, adaptEpochs: adaptEpochs(raw), ensemble: ensemble(raw) };
  if (raw.canonical && features.kind !== 'kmer') throw new RnnseqError('--canonical applies to --kmer counts only', EXIT_USAGE);
  if (raw.ensemble !== undefined && !((features.kind === 'model' || features.kind === 'train') && features.use === 'divergence'))
    throw new RnnseqError('--ensemble applies to the model divergence (-m or --train with --model-features divergence)', EXIT_USAGE);
  if (raw.allPositions && raw.windowsPerGroup !== undefined)
    throw new RnnseqError('give --windows-per-group or --all-positions, not both', EXIT_USAGE);
  if (raw.out !== undefined && raw.out !== '-' && raw.out === raw.matrix)
    throw new RnnseqError('-o and --matrix name the same file', EXIT_USAGE);
  if ((raw.out === undefined || raw.out === '-') && raw.matrix === '-')
    throw new RnnseqError('--matrix - needs -o FILE for the tree: both cannot go to stdout', EXIT_USAGE);
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
    windowsPerGroup: raw.allPositions
      ? 'all'
      : raw.windowsPerGroup === undefined
        ? 'cover'
        : parseNumber('--windows-per-group', raw.windowsPerGroup, { min: 1, integer: true }),
    bootstrap: parseNumber('--bootstrap', raw.bootstrap, { min: 0, max: 100000, integer: true }),
    seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
    batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, max: 65536, integer: true }),
  };
}

/**
 * The divergence's models: one model's tree moves with its seed (lungfish and tetrapods, nRF 0.21-0.50 over seeds
 * 1-6), so the default averages several (mean nRF over seeds lower on all four small shared sets: README).
 */
export const DEFAULT_DIVERGENCE_ENSEMBLE = 4;

function ensemble(raw: RawPhyloFlags): number {
  if (raw.ensemble === undefined) return DEFAULT_DIVERGENCE_ENSEMBLE;
  return parseNumber('--ensemble', raw.ensemble, { min: 1, max: 100, integer: true });
}

function adaptEpochs(raw: RawPhyloFlags): number {
  return parseNumber('--adapt-epochs', raw.adaptEpochs, { min: 0, max: 1000, integer: true });
}

/** --distance with --aligned: a substitution model (default JC69, what users run first with ape). */
function alignedModel(raw: string | undefined): AlignedModel {
  if (raw === undefined) return 'jc69';
  if (!(ALIGNED_MODELS as readonly string[]).includes(raw))
    throw new RnnseqError(`--aligned takes --distance ${ALIGNED_MODELS.join(', ')}, not ${raw}`, EXIT_USAGE);
  return raw as AlignedModel;
}

/** --distance between profiles; the substitution models apply to --aligned only. */
function profileDistance(raw: string | undefined): DistanceName {
  if (raw === undefined) return 'cosine';
  if (!(DISTANCE_NAMES as readonly string[]).includes(raw))
    throw new RnnseqError(
      `--distance ${raw} needs --aligned (an alignment's columns); between profiles use ${DISTANCE_NAMES.join(', ')}`,
      EXIT_USAGE,
    );
  return raw as DistanceName;
}

function groupSources(inputs: string[], raw: RawPhyloFlags): { sources: GroupSource[]; rule: GroupRule } {
  const rules = [
    raw.groupTag !== undefined && '--group-tag',
    raw.groupRegex !== undefined && '--group-regex',
    raw.group.length > 0 && '--group',
  ].filter(Boolean);
  if (rules.length > 1) throw new RnnseqError(`group records one way: ${rules.join(' and ')} cannot be combined`, EXIT_USAGE);
  if (raw.group.length > 0) {
    if (inputs.length > 0)
      throw new RnnseqError('with --group NAME=FILE every input is named by a --group; drop the other FASTA arguments', EXIT_USAGE);
    return { sources: parseGroupFiles(raw.group), rule: { kind: 'files' } };
  }
  if (inputs.length === 0) throw new RnnseqError('no input: give FASTA files (or - for stdin), or --group NAME=FILE', EXIT_USAGE);
  const sources = inputs.map((file) => ({ file }));
  if (raw.groupTag !== undefined) {
    if (raw.groupTag === '' || /[\s=]/.test(raw.groupTag))
      throw new RnnseqError(`--group-tag must be a header tag name like species, got '${raw.groupTag}'`, EXIT_USAGE);
    return { sources, rule: { kind: 'tag', key: raw.groupTag } };
  }
  if (raw.groupRegex !== undefined) return { sources, rule: { kind: 'regex', pattern: compileGroupRegex(raw.groupRegex) } };
  return { sources, rule: { kind: 'record' } };
}
