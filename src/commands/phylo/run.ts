import { Random } from '../../seq/random.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { openInput } from '../../io/open-input.js';
import { type Output, openOutput } from '../../io/output.js';
import type { Logger } from '../../log.js';
import type { WindowFeaturizer } from '../../phylo/features.js';
import { createKmerFeaturizer, maxKmerLength } from '../../phylo/kmer.js';
import { formatMatrixTsv } from '../../phylo/matrix-tsv.js';
import { formatNewick, parseNewick } from '../../phylo/newick.js';
import { type GroupWindows, type Phylogeny, buildPhylogeny, featurizeGroups } from '../../phylo/pipeline.js';
import { type SequenceGroup, readGroups } from '../../seq/read-groups.js';
import { robinsonFoulds } from '../../phylo/rf.js';
import { formatDecimal } from '../../phylo/decimal.js';
import { sampleWindows, tileWindows } from '../../seq/sample-windows.js';
import type { Alphabet } from '../../seq/alphabet.js';
import type { PhyloCompareOptions, PhyloOptions, PhyloTreeOptions } from './options.js';
import { fastaInput } from '../../io/fasta.js';
import { createLogger } from '../shared/runtime.js';

export async function run(options: PhyloOptions): Promise<void> {
  if (options.mode === 'compare') return compare(options);
  const log = await createLogger(options);
  const sources = options.sources.map((source) => ({ ...source, input: fastaInput(source.file) }));
  const input = await readGroups(sources, options.rule, options.alphabet);
  const { groups, alphabet } = input;
  log.info(`read ${input.records} records in ${groups.length} groups (${alphabet.name})`, {
    records: input.records,
    groups: groups.length,
    alphabet: alphabet.name,
  });
  if (input.recordsWithGaps > 0)
    log.info(`removed alignment gaps ('-', '.') from ${input.recordsWithGaps} of ${input.records} records`, {
      recordsWithGaps: input.recordsWithGaps,
    });
  if (input.emptyRecords.length > 0)
    log.warn(`${input.emptyRecords.length} record(s) were only gaps and are left out (e.g. ${input.emptyRecords[0]})`);
  if (groups.length < 3)
    throw new RnnseqError(`a tree needs at least 3 groups, found ${groups.length} (${groups.map((g) => g.name).join(', ')})`, EXIT_USAGE);

  const featurizer = await createFeaturizer(options, groups, alphabet, log);
  let phylogeny: Phylogeny;
  try {
    const windows = cutWindows(groups, options);
    const total = windows.reduce((sum, g) => sum + g.windows.length, 0);
    log.info(
      `features: ${featurizer.description} of ${total} windows (${options.windowBp} bp, ${options.windowsPerGroup === 'all' ? 'all non-overlapping' : `${options.windowsPerGroup} sampled`} per group)`,
      { windows: total, features: featurizer.description },
    );
    if (options.bootstrap > 0) {
      const few = windows.filter((g) => g.windows.length < 2).map((g) => g.name);
      if (few.length > 0)
        log.warn(
          `${few.length} group(s) have a single window (e.g. ${few[0]}), which a bootstrap cannot resample: their support is overstated`,
        );
    }
    const progress = await log.progress(total, 'windows');
    const features = await featurizeGroups(windows, featurizer, {
      keepWindowVectors: options.bootstrap > 0,
      batchWindows: options.batchSize,
      onWindows: (done) => progress.update(done),
    });
    progress.stop();
    phylogeny = buildPhylogeny(features, options);
  } finally {
    featurizer.dispose();
  }
  const method = options.method === 'nj' ? 'neighbour joining' : 'UPGMA';
  log.info(
    `tree: ${method} on ${options.distance} distances${options.bootstrap > 0 ? `, support from ${options.bootstrap} bootstrap replicates` : ''}`,
  );

  // Outputs open only now that everything is computed: an interrupted run leaves no temp file behind.
  const outputs: Output[] = [];
  try {
    const tree = await openOutput(options.out);
    outputs.push(tree);
    await tree.write(formatNewick(phylogeny.tree));
    if (options.matrix !== undefined) {
      const matrix = await openOutput(options.matrix);
      outputs.push(matrix);
      await matrix.write(formatMatrixTsv(phylogeny.names, phylogeny.matrix, `${options.distance} distance of ${featurizer.description}`));
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
  // Training and the model featurizer each start the engine runtime themselves (and announce it).
  const runtime = {
    backend: options.backend,
    engine: options.engine,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    quiet: options.quiet ?? false,
    json: options.json ?? false,
  };
  const model =
    features.kind === 'model'
      ? features.model
      : await (await import('./train-model.js')).trainPhyloModel({
          ...runtime,
          groups,
          alphabet: alphabet.name,
          windowBp: options.windowBp,
          seed: options.seed,
          log,
        });
  const { createModelFeaturizer } = await import('./model-featurizer.js');
  return createModelFeaturizer({ ...runtime, model, pool: 'mean', features: features.use, batchSize: options.batchSize, log });
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
