import { join } from 'node:path';
import { writeFile, rename } from 'node:fs/promises';
import type { Architecture } from '../engine/architecture.js';
import { packTensors, unpackTensors, type TensorEntry } from '../engine/checkpoint.js';
import { Random } from '../engine/random.js';
import { SequenceModel } from '../engine/sequence-model.js';
import { type EpochReport, type LabelledSet, type NamedTensor, type TrainConfig, type TrainerState, trainModel } from '../engine/trainer.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError } from '../errors.js';
import { ensureParent, exists, tempSibling } from '../io/atomic.js';
import type { Alphabet, AlphabetName } from '../seq/alphabet.js';
import { type LabelSource, type LabelledRecord, encodeSequence, labelIndices, readLabelled, resolveAlphabet, stratifiedSplit } from '../seq/dataset.js';
import { orderClasses } from '../seq/labels.js';
import type { ModelSpec } from '../engine/checkpoint.js';
import { OPTIMIZER_FILE, loadModel, readSpec, saveModel } from './checkpoints.js';
import { type GenomeTrainOptions, prepareGenomeData } from './train-genome.js';
import { type RuntimeOptions, createLogger, startRuntime } from './runtime.js';

export interface TrainOptions extends RuntimeOptions {
  inputs: string[];
  out: string;
  classFiles: Array<{ name: string; file: string }>;
  labelTag: string;
  alphabet: AlphabetName | 'auto';
  length: number | null;
  architecture: Omit<Architecture, 'inputSize' | 'numClasses'>;
  config: TrainConfig;
  valid?: string;
  validFraction: number;
  resume: boolean;
  command: string;
  /** train a scanner from a genome and BED files instead of labelled FASTA */
  genome?: GenomeTrainOptions;
}

const METRICS_FILE = 'metrics.tsv';

/** rnnseq train: labelled FASTA -> a run directory with best/ and last/ checkpoints and metrics.tsv. */
export async function run(options: TrainOptions): Promise<void> {
  const log = await createLogger(options);
  const lastDir = join(options.out, 'last');
  const resumeFrom = options.resume ? await readSpec(lastDir).catch(() => undefined) : undefined;
  if (options.resume && !resumeFrom) throw new RnnseqError(`--resume: ${lastDir} holds no checkpoint to resume from`, EXIT_USAGE);
  if (!options.resume && (await exists(join(options.out, 'last', 'rnnseq.json')))) {
    throw new RnnseqError(`${options.out} already holds a training run; use --resume to continue it or choose another -o`, EXIT_USAGE);
  }

  if (resumeFrom?.spec.window && !options.genome) {
    throw new RnnseqError(`${options.out} trains a scanner: resume it with the same --genome, --positives and window options`, EXIT_USAGE);
  }
  // A scanner (--genome) cuts its labelled windows from a genome and BED files; see train-genome.ts.
  const genomeData = options.genome ? await prepareGenomeData(options.genome, resumeFrom ? (resumeFrom.spec.alphabet as AlphabetName) : options.alphabet, log) : undefined;
  const prepared = genomeData ?? (await prepareFastaData(options, resumeFrom?.spec));
  const { alphabet, classes, inputLength, train, valid, validDescription } = prepared;
  log.info(`${train.items.length} training and ${valid?.items.length ?? 0} validation sequences, alphabet ${alphabet.name}, classes ${classes.join(', ')}`);

  const runtime = await startRuntime(options, log);
  const config = resumeFrom ? { ...(resumeFrom.spec.training.config as TrainConfig), epochs: options.config.epochs } : options.config;
  let model: SequenceModel;
  let resume: { state: TrainerState; optimizer: NamedTensor[] } | undefined;
  if (resumeFrom) {
    const loaded = await loadModel(lastDir, runtime.engine.core);
    model = loaded.model;
    resume = { state: loaded.spec.training.state as TrainerState, optimizer: readOptimizer(loaded.files.get(OPTIMIZER_FILE), loaded.spec.training.optimizerTensors as TensorEntry[], lastDir) };
    log.info(`resuming ${options.out} after epoch ${resume.state.epochsDone}`);
  } else {
    const architecture: Architecture = { ...options.architecture, inputSize: alphabet.size, numClasses: classes.length };
    model = SequenceModel.create({ alphabet: alphabet.name, classes, architecture, inputLength }, config.seed, runtime.engine.core);
  }

  const data = {
    sources: prepared.sources,
    ...(genomeData ? { genomeWindows: genomeData.summary } : {}),
    trainSequences: train.items.length,
    validSequences: valid?.items.length ?? 0,
    validation: validDescription,
    classCounts: Object.fromEntries(classes.map((c, i) => [c, countLabel(train.labels, i)])),
    lengthRange: lengthRange(train),
  };
  const progress = await log.progress(Math.ceil(train.items.length / config.batchSize), 'batches');
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const state = await trainModel(model, train, valid, config, {
      signal: abort.signal,
      onBatch: (done, _total, loss) => progress.update(done, { status: `loss ${loss.toFixed(4)}` }),
      onEpoch: async (report, trainerState, optimizerState) => {
        progress.update(0);
        logEpoch(log, report, config.epochs);
        const extras = {
          training: { command: options.command, config, architecture: model.info.architecture, state: trainerState, epoch: report.epoch },
          data,
          metrics: { ...report },
          backend: runtime.backend.name,
          engine: runtime.engine.description,
          ...(genomeData ? { window: genomeData.window } : {}),
        };
        if (report.improved) await saveModel(join(options.out, 'best'), model, extras);
        const optimizer = await optimizerState();
        const packed = packTensors(optimizer.map((t, i) => ({ name: `optimizer.${i}`, tensor: t.tensor })));
        await saveModel(lastDir, model, { ...extras, training: { ...extras.training, optimizerTensors: packed.entries } }, [{ name: OPTIMIZER_FILE, data: packed.data }]);
        await writeMetrics(join(options.out, METRICS_FILE), trainerState.history);
      },
    }, resume);
    progress.stop();
    if (abort.signal.aborted) {
      log.warn(`interrupted; ${join(options.out, 'last')} holds epoch ${state.epochsDone}: continue with --resume`);
      process.exitCode = 130;
      return;
    }
    await genomeData?.finish(join(options.out, 'best'), runtime.engine.core, config.batchSize);
    const best = state.history.find((r) => r.epoch === state.bestEpoch);
    log.record(
      'done',
      { out: options.out, bestEpoch: state.bestEpoch, validAccuracy: best?.validAccuracy, validLoss: best?.validLoss },
      `rnnseq: done: best epoch ${state.bestEpoch}` + (best && !Number.isNaN(best.validAccuracy) ? `, validation accuracy ${(100 * best.validAccuracy).toFixed(2)}%` : '') + `; model in ${join(options.out, 'best')}`,
    );
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    model.dispose();
  }
}

/** Labelled FASTA (header tags or one file per class) -> classes and encoded training / validation sets. */
async function prepareFastaData(options: TrainOptions, resumeSpec: ModelSpec | undefined) {
  const source: LabelSource = options.classFiles.length > 0 ? { kind: 'files', classes: options.classFiles } : { kind: 'tag', files: options.inputs, tag: options.labelTag };
  const alphabet = await resolveAlphabet(resumeSpec ? (resumeSpec.alphabet as AlphabetName) : options.alphabet, source);
  const records = await readLabelled(source, alphabet);
  const classes = resumeSpec ? resumeSpec.classes : orderClasses(records.map((r) => r.label), options.classFiles.map((c) => c.name));
  if (classes.length < 2) {
    throw new RnnseqError(`${describeSource(source)}: all ${records.length} records have class '${classes[0] ?? '?'}'; a classifier needs at least two classes`, EXIT_DATA);
  }
  const inputLength = resumeSpec ? resumeSpec.inputLength : options.length;
  const sets = await buildSets(options, source, alphabet, records, classes, inputLength);
  return { alphabet, classes, inputLength, ...sets, sources: describeSource(source) };
}

async function buildSets(
  options: TrainOptions,
  source: LabelSource,
  alphabet: Alphabet,
  records: LabelledRecord[],
  classes: string[],
  inputLength: number | null,
): Promise<{ train: LabelledSet; valid?: LabelledSet; validDescription: string }> {
  const labels = labelIndices(records, classes, describeSource(source));
  const encode = (subset: LabelledRecord[]) => subset.map((r) => encodeSequence(r.sequence, alphabet, inputLength));
  if (options.valid) {
    const validRecords = await readLabelled({ kind: 'tag', files: [options.valid], tag: options.labelTag }, alphabet);
    return {
      train: { items: encode(records), labels },
      valid: { items: encode(validRecords), labels: labelIndices(validRecords, classes, options.valid) },
      validDescription: options.valid,
    };
  }
  if (options.validFraction === 0) return { train: { items: encode(records), labels }, validDescription: 'none' };
  const split = stratifiedSplit(labels, options.validFraction, new Random(options.config.seed));
  const pick = (indices: number[]): LabelledSet => ({ items: encode(indices.map((i) => records[i]!)), labels: Int32Array.from(indices, (i) => labels[i]!) });
  return { train: pick(split.train), valid: pick(split.valid), validDescription: `stratified ${options.validFraction} of the input, seed ${options.config.seed}` };
}

function readOptimizer(data: Buffer | undefined, entries: TensorEntry[] | undefined, dir: string): NamedTensor[] {
  if (!data || !entries) throw new RnnseqError(`${dir}: optimizer state is missing; cannot resume exactly (start a new run)`, EXIT_DATA);
  return [...unpackTensors(entries, data, dir)].map(([name, tensor]) => ({ name, tensor }));
}

function logEpoch(log: import('../log.js').Logger, r: EpochReport, epochs: number): void {
  const pct = (v: number) => (Number.isNaN(v) ? '-' : (100 * v).toFixed(2) + '%');
  const num = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(4));
  log.record(
    'epoch',
    { ...r },
    `epoch ${r.epoch}/${epochs}  loss ${num(r.trainLoss)}  acc ${pct(r.trainAccuracy)}  valid loss ${num(r.validLoss)}  acc ${pct(r.validAccuracy)}  auroc ${num(r.validAuroc)}  ` +
      `${r.seconds.toFixed(1)}s ${Math.round(r.tokensPerSecond)} tok/s${r.improved ? '  *' : ''}`,
  );
}

const METRIC_COLUMNS: Array<keyof EpochReport> = ['epoch', 'trainLoss', 'trainAccuracy', 'validLoss', 'validAccuracy', 'validAuroc', 'learningRate', 'seconds', 'tokensPerSecond', 'improved'];

async function writeMetrics(path: string, history: EpochReport[]): Promise<void> {
  const lines = [METRIC_COLUMNS.join('\t'), ...history.map((r) => METRIC_COLUMNS.map((c) => String(r[c])).join('\t'))];
  await ensureParent(path);
  const temp = tempSibling(path);
  await writeFile(temp, lines.join('\n') + '\n');
  await rename(temp, path);
}

function describeSource(source: LabelSource): string {
  return source.kind === 'tag' ? source.files.join(', ') : source.classes.map((c) => `${c.name}=${c.file}`).join(', ');
}

function countLabel(labels: Int32Array, k: number): number {
  let n = 0;
  for (const l of labels) if (l === k) n++;
  return n;
}

function lengthRange(set: LabelledSet): [number, number] {
  let min = Infinity;
  let max = 0;
  for (const item of set.items) {
    min = Math.min(min, item.length);
    max = Math.max(max, item.length);
  }
  return [min, max];
}

