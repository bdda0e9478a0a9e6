/**
 * Training data from labelled FASTA (`rnnseq train` without --genome or --task lm): a classifier's classes from a
 * header tag or one file per class, or a regressor's numbers from a header tag or a --targets table, with optional
 * conditions and covariates for the initial state.
 */
import { EXIT_DATA, EXIT_USAGE, RnnseqError, dataError } from '../errors.js';
import type { FastaInput } from '../io/fasta.js';
import { type IdTable, type IdTableInput, rowFor } from '../io/id-table.js';
import type { Logger } from '../log.js';
import type { AlphabetName } from './alphabet.js';
import type { EncodedSequence } from './batch.js';
import { type ContextModel, collectConditions, conditionIndex, covariateScaling, scaledCovariates } from './context.js';
import {
  type LabelSource,
  type LabelledRecord,
  encodeSequence,
  labelIndices,
  readLabelled,
  readRecords,
  resolveAlphabet,
  stratifiedSplit,
} from './dataset.js';
import { headerTag, orderClasses } from './labels.js';
import { Random } from './random.js';
import type { RegressionLoss, Task } from './task.js';
import { type DataArchitecture, type PreparedData, type ResumedData, lengthRange } from './training-data.js';
import type { TrainingSet } from './training-set.js';
import { reverseComplementEncoded } from './windows.js';

/** What `train` says about labelled FASTA, its inputs opened by the caller. */
export interface RecordTrainingPlan {
  task: Task;
  inputs: FastaInput[];
  classFiles: Array<{ name: string; file: FastaInput }>;
  labelTag: string;
  alphabet: AlphabetName | 'auto';
  length: number | null;
  targetTag: string;
  targets?: IdTableInput;
  loss: RegressionLoss;
  conditionTag?: string;
  covariates?: IdTableInput;
  rcAugment: boolean;
  valid?: FastaInput;
  validFraction: number;
  seed: number;
  /**
   * A refit (commands/train/refit.ts): the validation split is drawn as usual, and its sequences are trained on
   * too; the split then only says which sequences the held-out run validated on.
   */
  refit?: boolean;
}

/**
 * Labelled FASTA for a classifier (classes from header tags or one file per class) or a regressor (a numeric
 * header tag or a --targets table), with optional conditions and covariates for the initial state.
 */
export async function prepareRecordData(
  options: RecordTrainingPlan,
  resumeSpec: ResumedData | undefined,
  log: Logger,
): Promise<PreparedData> {
  const regress = options.task === 'regress';
  const source: LabelSource =
    options.classFiles.length > 0
      ? { kind: 'files', classes: options.classFiles }
      : { kind: 'tag', files: options.inputs, tag: options.labelTag };
  const alphabet = await resolveAlphabet(resumeSpec ? (resumeSpec.alphabet as AlphabetName) : options.alphabet, source);
  const records = regress ? await readRecords(options.inputs, alphabet) : await readLabelled(source, alphabet);
  if (records.length === 0) throw new RnnseqError(`${describeSource(source)}: no sequences to train on`, EXIT_DATA);
  const targetTable = options.targets ? await options.targets.read() : undefined;
  const values = regress ? regressionTargets(records, options.targetTag, targetTable) : undefined;
  const classes = resumeSpec
    ? resumeSpec.classes
    : regress
      ? [targetTable?.columns[0] ?? options.targetTag]
      : orderClasses(
          records.map((r) => r.label),
          options.classFiles.map((c) => c.name),
        );
  if (!regress && classes.length < 2) {
    throw new RnnseqError(
      `${describeSource(source)}: all ${records.length} records have class '${classes[0] ?? '?'}'; a classifier needs at least two classes`,
      EXIT_DATA,
    );
  }
  const labels = regress ? undefined : labelIndices(records, classes, describeSource(source));
  const inputLength = resumeSpec ? resumeSpec.inputLength : options.length;

  const split = splitRecords(options, labels, records.length);
  const trainRecords = split.train.map((i) => records[i]!);
  const context = resumeSpec ? contextOf(resumeSpec.architecture) : await buildContext(options, trainRecords);
  const covariates = options.covariates ? await options.covariates.read() : undefined;
  if (context.covariates && !covariates)
    throw new RnnseqError('this run was trained with --covariates: give the same table again', EXIT_USAGE);

  const encode = (record: LabelledRecord): EncodedSequence => {
    const item = encodeSequence(record.sequence, alphabet, inputLength);
    if (context.conditions) item.condition = conditionIndex(context, record);
    if (context.covariates) item.covariates = scaledCovariates(context, covariates!, record);
    return item;
  };
  const build = (indices: number[], augment: boolean): TrainingSet => {
    const set: TrainingSet = { items: indices.map((i) => encode(records[i]!)) };
    if (labels) set.labels = Int32Array.from(indices, (i) => labels[i]!);
    if (values) set.values = Float32Array.from(indices, (i) => values[i]!);
    return augment ? withReverseComplements(set) : set;
  };
  if (options.rcAugment && alphabet.name === 'protein')
    throw new RnnseqError('--rc-augment needs DNA or RNA; proteins have no reverse complement', EXIT_USAGE);
  const train = build(split.train, options.rcAugment);
  let valid = split.valid.length > 0 ? build(split.valid, false) : undefined;
  let validDescription = split.description;
  if (options.valid) {
    const validRecords = regress
      ? await readRecords([options.valid], alphabet)
      : await readLabelled({ kind: 'tag', files: [options.valid], tag: options.labelTag }, alphabet);
    valid = {
      items: validRecords.map(encode),
      ...(regress
        ? { values: regressionTargets(validRecords, options.targetTag, targetTable) }
        : { labels: labelIndices(validRecords, classes, options.valid.name) }),
    };
    validDescription = options.valid.name;
  }
  if (options.rcAugment) log.info('training sequences are also shown reverse-complemented (--rc-augment)');

  const architecture: DataArchitecture = { task: options.task, ...context };
  if (regress) {
    const { mean, std } = meanAndStd(train.values!);
    architecture.regression = resumeSpec?.architecture.regression ?? { loss: options.loss, mean, std };
  }
  const summary: Record<string, unknown> = { lengthRange: lengthRange(train.items) };
  if (labels) summary.classCounts = Object.fromEntries(classes.map((c, k) => [c, count(train.labels!, k)]));
  if (values)
    summary.target = {
      name: classes[0],
      source: options.targets?.name ?? `header tag ${options.targetTag}=`,
      ...meanAndStd(train.values!),
    };
  if (context.conditions) summary.conditions = { tag: context.conditionTag, values: context.conditions };
  if (context.covariates) summary.covariates = { file: options.covariates?.name, columns: context.covariates };
  return {
    alphabet,
    classes,
    inputLength,
    train,
    ...(valid ? { valid } : {}),
    validDescription,
    sources: describeSource(source),
    architecture,
    summary,
    trainItems: train.items.length,
  };
}

function splitRecords(
  options: RecordTrainingPlan,
  labels: Int32Array | undefined,
  n: number,
): { train: number[]; valid: number[]; description: string } {
  const all = Array.from({ length: n }, (_, i) => i);
  if (options.valid || options.validFraction === 0) return { train: all, valid: [], description: 'none' };
  const random = new Random(options.seed);
  if (labels) {
    const split = stratifiedSplit(labels, options.validFraction, random);
    const description = `stratified ${options.validFraction} of the input, seed ${options.seed}`;
    if (options.refit) return { train: all, valid: split.valid, description: `${description}, trained on too (refit)` };
    return { ...split, description };
  }
  const held = new Set(random.shuffle(all.slice()).slice(0, Math.round(n * options.validFraction)));
  return {
    train: all.filter((i) => !held.has(i)),
    valid: all.filter((i) => held.has(i)),
    description: `random ${options.validFraction} of the input, seed ${options.seed}`,
  };
}

async function buildContext(options: RecordTrainingPlan, trainRecords: LabelledRecord[]): Promise<ContextModel> {
  const context: ContextModel = {};
  if (options.conditionTag) {
    context.conditionTag = options.conditionTag;
    context.conditions = collectConditions(trainRecords, options.conditionTag);
  }
  if (options.covariates) {
    const table = await options.covariates.read();
    context.covariates = table.columns;
    context.covariateScaling = covariateScaling(table, trainRecords);
  }
  return context;
}

function contextOf(arch: DataArchitecture): ContextModel {
  const { conditions, conditionTag, covariates, covariateScaling: scaling } = arch;
  return { ...(conditions ? { conditions, conditionTag } : {}), ...(covariates ? { covariates, covariateScaling: scaling } : {}) };
}

/** Each record's numeric target: the first column of --targets, else its header tag. */
function regressionTargets(records: readonly LabelledRecord[], tag: string, table: IdTable | undefined): Float32Array {
  return Float32Array.from(records, (record) => {
    if (table) return rowFor(table, record)[0]!;
    const raw = headerTag(record.description, tag);
    const where = { file: record.file, line: record.line, record: record.id };
    if (raw === undefined) throw dataError(where, `no '${tag}=' tag in the header; give each record ${tag}=NUMBER or use --targets TSV`);
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value)) throw dataError(where, `${tag}='${raw}' is not a finite number`);
    return value;
  });
}

/** Both strands of every training sequence, with the same targets: a strand-symmetric signal learned from one strand. */
export function withReverseComplements(set: TrainingSet): TrainingSet {
  const flipped = set.items.map((item) => ({ ...item, encoded: reverseComplementEncoded(item.encoded) }));
  return {
    items: [...set.items, ...flipped],
    ...(set.labels ? { labels: Int32Array.from([...set.labels, ...set.labels]) } : {}),
    ...(set.values ? { values: Float32Array.from([...set.values, ...set.values]) } : {}),
  };
}

function meanAndStd(values: Float32Array): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(values.length, 1);
  return { mean, std: variance > 0 ? Math.sqrt(variance) : 1 };
}

export function describeSource(source: LabelSource): string {
  return source.kind === 'tag'
    ? source.files.map((f) => f.name).join(', ')
    : source.classes.map((c) => `${c.name}=${c.file.name}`).join(', ');
}

function count(labels: Int32Array, k: number): number {
  let n = 0;
  for (const l of labels) if (l === k) n++;
  return n;
}
