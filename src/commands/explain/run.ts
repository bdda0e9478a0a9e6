import { centreCropStart, cropToLength } from '../../seq/batch.js';
import { getAlphabet, type AlphabetName } from '../../seq/alphabet.js';
import { openOutput } from '../../io/output.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { positionImportance, referenceSymbols, scanMutations } from '../../explain/mutagenesis.js';
import { DEFAULT_MOTIF_OPTIONS, discoverMotifs, formatJaspar, formatMeme, type ExplainedSequence } from '../../explain/motifs.js';
import { formatEffect } from '../../explain/window-scoring.js';
import { BufferedOutput } from '../../explain/buffered-output.js';
import { closestKnown, readKnownMotifs, type KnownMotif } from '../../explain/known-motifs.js';
import { logoFigure } from '../../report/logo-svg.js';
import { loadModel, readSpec } from '../shared/checkpoints.js';
import type { SequenceModel } from '../../engine/sequence-model.js';
import { sequencesPerCall } from '../../engine/memory.js';
import type { Logger } from '../../log.js';
import { openRecordInput } from '../shared/record-input.js';
import { createLogger, startRuntime } from '../shared/runtime.js';
import type { ExplainOptions } from './options.js';

/**
 * rnnseq explain: in-silico mutagenesis. For every sequence, every position and every alternative symbol, the
 * target class probability with that single substitution, as long-format TSV in input order:
 * id (with --genome --regions: chrom, start, end, name), position (0-based, in the input record), ref, alt, p_ref,
 * p_alt, delta (p_alt − p_ref).
 * A fixed-length model sees the centre of longer records (as in classify), so only that part is mutated.
 */
export async function run(options: ExplainOptions): Promise<void> {
  const log = await createLogger(options);
  const { spec } = await readSpec(options.model);
  const targetClass = options.target ?? spec.window?.positiveClass;
  if (targetClass === undefined) {
    throw new RnnseqError(
      `${options.model} is a classifier, not a scanner: say which class to explain with --target (one of ${spec.classes.join(', ')})`,
      EXIT_USAGE,
    );
  }
  const targetIndex = spec.classes.indexOf(targetClass);
  if (targetIndex < 0) throw new RnnseqError(`--target ${targetClass}: the model's classes are ${spec.classes.join(', ')}`, EXIT_USAGE);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  if (options.vcf) {
    const { file, genome, windowBp } = options.vcf;
    const { scoreVcf } = await import('./vcf.js');
    await withModel(options, log, (model) =>
      scoreVcf(
        model,
        spec,
        alphabet,
        targetIndex,
        {
          vcf: file,
          genome,
          batchSize: options.batchSize,
          ...(options.out !== undefined ? { out: options.out } : {}),
          ...(windowBp !== undefined ? { windowBp } : {}),
        },
        log,
      ),
    );
    return;
  }
  if (options.regions) {
    const { genome, regions, bedgraph, windowBp } = options.regions;
    const { explainRegions } = await import('./genome.js');
    await withModel(options, log, (model) =>
      explainRegions(
        model,
        spec,
        alphabet,
        targetIndex,
        {
          genome,
          regions,
          batchSize: options.batchSize,
          ...(options.out !== undefined ? { out: options.out } : {}),
          ...(bedgraph !== undefined ? { bedgraph } : {}),
          ...(windowBp !== undefined ? { windowBp } : {}),
        },
        log,
      ),
    );
    return;
  }
  const recordOptions = { inputs: options.inputs, ...(options.genomeRegions ? { regions: options.genomeRegions } : {}) };
  if (options.saliency) {
    const input = await openRecordInput(recordOptions, alphabet);
    const { explainSaliency } = await import('./saliency.js');
    await withModel(options, log, (model) =>
      explainSaliency(model, alphabet, targetIndex, { input, ...(options.out !== undefined ? { out: options.out } : {}) }, log),
    );
    return;
  }

  if (options.motifs?.compare !== undefined && alphabet.size !== 4)
    throw new RnnseqError(`--compare needs a nucleotide model; this one reads ${alphabet.name}`, EXIT_USAGE);
  const known = options.motifs?.compare !== undefined ? await readKnownMotifs(options.motifs.compare) : undefined;

  // Counting records first costs one cheap parse and buys a progress bar with a total; stdin can be read only once.
  let total = 0;
  if (!options.genomeRegions && !options.inputs.includes('-')) {
    for await (const _ of (await openRecordInput(recordOptions, alphabet)).records()) total++;
  }
  const input = await openRecordInput(recordOptions, alphabet); // a BED that does not fit the genome stops here
  total = input.count ?? total;

  const runtime = await startRuntime(options, log);
  const { model } = await loadModel(options.model, runtime.engine.core);
  const numClasses = spec.classes.length;
  const inputLength = model.info.inputLength;
  const explained: ExplainedSequence[] = [];
  const output = await openOutput(options.out);
  const progress = total > 0 ? await log.progress(total, 'sequences') : { update() {}, stop() {} };
  let count = 0;
  const buffered = new BufferedOutput(output);
  try {
    await output.write(`${[...input.keyColumns, 'position', 'ref', 'alt', 'p_ref', 'p_alt', 'delta'].join('\t')}\n`);
    for await (const { record, key } of input.records()) {
      const upper = record.sequence.toUpperCase();
      const offset = centreCropStart(upper.length, inputLength);
      const sequence = cropToLength(upper, inputLength ?? undefined);
      const perCall = sequencesPerCall(model.info.architecture, sequence.length, options.batchSize);
      const scan = scanMutations(model, alphabet, sequence, offset, targetIndex, numClasses, perCall);
      const refIndex = referenceSymbols(sequence, alphabet);
      const lines: string[] = [];
      for (let pos = 0; pos < sequence.length; pos++) {
        for (let k = 0; k < alphabet.size; k++) {
          if (k === refIndex[pos]) continue;
          const pAlt = scan.altProbs[pos * alphabet.size + k]!;
          lines.push(
            [
              key,
              offset + pos,
              sequence[pos],
              alphabet.symbols[k],
              formatEffect(scan.refProb),
              formatEffect(pAlt),
              formatEffect(pAlt - scan.refProb),
            ].join('\t'),
          );
        }
      }
      await buffered.write(`${lines.join('\n')}\n`);
      if (options.motifs) explained.push({ sequence, importance: positionImportance(scan, alphabet) });
      progress.update(++count);
    }
    await buffered.flush();
    progress.stop();
    if (options.motifs) await writeMotifs(options.motifs, explained, alphabet.symbols, known, log);
    await output.commit();
  } catch (error) {
    progress.stop();
    await output.abort();
    throw error;
  } finally {
    model.dispose();
  }
  log.info(`explained ${count} sequences (class ${targetClass})${options.out ? ` into ${options.out}` : ''}`);
}

/** Starts the engine, loads the model, runs one explain mode with it and always frees its tensors. */
async function withModel(options: ExplainOptions, log: Logger, work: (model: SequenceModel) => Promise<unknown>): Promise<void> {
  const runtime = await startRuntime(options, log);
  const { model } = await loadModel(options.model, runtime.engine.core);
  try {
    await work(model);
  } finally {
    model.dispose();
  }
}

async function writeMotifs(
  request: NonNullable<ExplainOptions['motifs']>,
  explained: readonly ExplainedSequence[],
  symbols: readonly string[],
  known: readonly KnownMotif[] | undefined,
  log: { info(message: string): void; warn(message: string): void },
): Promise<void> {
  const motifs = discoverMotifs(explained, symbols, { ...DEFAULT_MOTIF_OPTIONS, width: request.width }).slice(0, request.count);
  if (motifs.length === 0) log.warn('no motif found: no segment had enough mutagenesis effect, or no cluster reached 3 sites');
  const files: Array<[string, string]> = [
    [`${request.prefix}.meme`, formatMeme(motifs, symbols)],
    [`${request.prefix}.jaspar`, formatJaspar(motifs, symbols)],
  ];
  motifs.forEach((m, i) =>
    files.push([
      `${request.prefix}.rnnseq_${i + 1}.svg`,
      `${logoFigure({ name: `rnnseq_${i + 1}`, counts: m.counts, symbols, sites: m.sites, consensus: m.consensus }).svg}\n`,
    ]),
  );
  const matches = known ? motifs.map((m) => closestKnown(m.counts, known)) : [];
  if (known) {
    const header = ['motif', 'consensus', 'sites', 'known_id', 'known_name', 'correlation', 'strand'].join('\t');
    const rows = motifs.map((m, i) => {
      const match = matches[i];
      return [
        `rnnseq_${i + 1}`,
        m.consensus,
        m.sites,
        match?.known.id ?? '.',
        match?.known.name || '.',
        match ? match.correlation.toFixed(4) : '.',
        match?.strand ?? '.',
      ].join('\t');
    });
    files.push([`${request.prefix}.matches.tsv`, `${[header, ...rows].join('\n')}\n`]);
  }
  for (const [path, text] of files) {
    const out = await openOutput(path);
    try {
      await out.write(text);
      await out.commit();
    } catch (error) {
      await out.abort();
      throw error;
    }
  }
  for (const [i, m] of motifs.entries()) {
    const match = matches[i];
    const named = match
      ? `, closest ${match.known.id} ${match.known.name} (r = ${match.correlation.toFixed(2)}, ${match.strand} strand)`
      : '';
    log.info(`motif rnnseq_${i + 1}: ${m.consensus} (${m.sites} sites${named})`);
  }
  log.info(`wrote ${motifs.length} motifs to ${files.map(([path]) => path).join(', ')}`);
}
