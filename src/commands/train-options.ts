import type { CellType } from '../engine/cells.js';
import type { Pooling, RegressionLoss, Task } from '../engine/architecture.js';
import { type GroupRule, compileGroupRegex, parseGroupFiles } from '../phylo/groups.js';
import type { LmOptions } from './train-lm.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import type { AlphabetName } from '../seq/alphabet.js';
import { type RawRuntimeFlags, parseCommon, parseNumber } from './runtime.js';
import type { TrainOptions } from './train.js';
import { type RawGenomeFlags, parseGenomeFlags } from './train-genome.js';
import { parseTagFlags } from './train-tag.js';
import { type RawRecipeFlags, parseRecipeFlags } from './train-recipe.js';

export interface RawTrainFlags extends RawRuntimeFlags, RawGenomeFlags, RawRecipeFlags {
  out: string;
  class: string[];
  labelTag: string;
  alphabet: AlphabetName | 'auto';
  length?: string;
  cell: CellType;
  hidden: string;
  layers: string;
  /** undefined: the task's default (on for tag, off otherwise; --no-bidirectional turns it off) */
  bidirectional?: boolean;
  dropout: string;
  pool: Pooling;
  epochs: string;
  batchSize: string;
  lr: string;
  clipNorm: string;
  patience: string;
  lrPatience: string;
  maxMemory: string;
  seed: string;
  valid?: string;
  validFraction: string;
  resume: boolean;
  task: Task;
  targetTag: string;
  targets?: string;
  loss: RegressionLoss;
  windowsPerEpoch: string;
  group: string[];
  groupTag?: string;
  groupRegex?: string;
  conditionTag?: string;
  covariates?: string;
  bounded: boolean;
  rcAugment: boolean;
  /** --task tag: the labelled regions */
  labels?: string;
}

/** Validates `rnnseq train` flags once, so everything past here can trust them. */
export function parseTrainOptions(inputs: string[], raw: RawTrainFlags, command: string): TrainOptions {
  const classFiles = raw.class.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new RnnseqError(`--class must look like NAME=FILE, got '${spec}'`, EXIT_USAGE);
    return { name: spec.slice(0, eq), file: spec.slice(eq + 1) };
  });
  if (classFiles.length > 0 && inputs.length > 0) {
    throw new RnnseqError('give either FASTA inputs with label tags or --class NAME=FILE files, not both', EXIT_USAGE);
  }
  const task = raw.task;
  if (task === 'tag' && !raw.genome) throw new RnnseqError('--task tag learns per-base labels from a genome: give --genome and --labels regions.bed', EXIT_USAGE);
  if (task !== 'classify' && task !== 'tag' && raw.genome) throw new RnnseqError(`--genome trains a scanner (--task classify) or a tagger (--task tag), not --task ${task}`, EXIT_USAGE);
  const lm = task === 'lm' ? parseLmFlags(inputs, raw) : undefined;
  if (lm && raw.bidirectional) throw new RnnseqError('a language model reads left to right only: drop --bidirectional (it would see the base it predicts)', EXIT_USAGE);
  if (raw.bounded && raw.cell !== 'cifg') throw new RnnseqError(`--bounded needs --cell cifg (got --cell ${raw.cell})`, EXIT_USAGE);
  if (task === 'lm' && (raw.conditionTag || raw.covariates)) throw new RnnseqError('--condition-tag and --covariates apply to --task classify and regress', EXIT_USAGE);
  if (task !== 'regress' && raw.targets) throw new RnnseqError('--targets gives regression targets: use it with --task regress', EXIT_USAGE);
  if (raw.labels !== undefined && task !== 'tag') throw new RnnseqError('--labels gives per-base labels for --task tag; a scanner (--task classify) takes --positives', EXIT_USAGE);
  const tag = task === 'tag' ? parseTagFlags(inputs, raw) : undefined;
  const genome = tag ? undefined : parseGenomeFlags(inputs, lm ? { ...raw, window: undefined } : raw); // a language model's --window is its own
  if (classFiles.length > 0 && task !== 'classify') throw new RnnseqError(`--class NAME=FILE labels a classifier; --task ${task} takes plain FASTA inputs`, EXIT_USAGE);
  if (classFiles.length === 0 && inputs.length === 0 && !raw.resume && !genome && !lm && !tag) {
    throw new RnnseqError('no training data: give FASTA files with label=CLASS headers, or --class NAME=FILE at least twice', EXIT_USAGE);
  }
  if (classFiles.length === 1) throw new RnnseqError('--class needs at least two classes', EXIT_USAGE);
  const recipe = parseRecipeFlags(raw, task);
  const names = new Set(classFiles.map((c) => c.name));
  if (names.size !== classFiles.length) throw new RnnseqError('--class names must be distinct', EXIT_USAGE);

  return {
    ...parseCommon(raw),
    inputs,
    out: raw.out,
    classFiles,
    labelTag: raw.labelTag,
    alphabet: raw.alphabet,
    length: genome ? genome.windowBp : tag ? tag.windowBp : raw.length === undefined ? null : parseNumber('--length', raw.length, { min: 1, integer: true }),
    architecture: {
      cell: raw.cell,
      hiddenSize: parseNumber('--hidden', raw.hidden, { min: 1, max: 4096, integer: true }),
      layers: parseNumber('--layers', raw.layers, { min: 1, max: 16, integer: true }),
      bidirectional: raw.bidirectional ?? task === 'tag',
      dropout: parseNumber('--dropout', raw.dropout, { min: 0, max: 0.95 }),
      pool: raw.pool,
      ...(raw.bounded ? { bounded: true } : {}),
      ...recipe.architecture,
    },
    task,
    targetTag: raw.targetTag,
    ...(raw.targets !== undefined ? { targetsFile: raw.targets } : {}),
    loss: raw.loss,
    ...(lm ? { lm } : {}),
    ...(raw.conditionTag !== undefined ? { conditionTag: raw.conditionTag } : {}),
    ...(raw.covariates !== undefined ? { covariatesFile: raw.covariates } : {}),
    rcAugment: raw.rcAugment,
    config: {
      // --epochs auto: 0 until train.ts knows the training-set size (engine/budget.ts)
      ...(raw.epochs === 'auto' ? { epochs: 0, budget: 'auto' as const } : { epochs: parseNumber('--epochs', raw.epochs, { min: 1, integer: true }) }),
      batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, integer: true }),
      learningRate: parseNumber('--lr', raw.lr, { min: 1e-8, max: 10 }),
      clipNorm: parseNumber('--clip-norm', raw.clipNorm, { min: 0 }),
      patience: parseNumber('--patience', raw.patience, { min: 0, integer: true }),
      lrPatience: parseNumber('--lr-patience', raw.lrPatience, { min: 0, integer: true }),
      maxMemoryBytes: parseNumber('--max-memory', raw.maxMemory, { min: 0.01 }) * 2 ** 30,
      seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
      ...recipe.config,
    },
    ...(raw.valid !== undefined ? { valid: raw.valid } : {}),
    validFraction: parseNumber('--valid-fraction', raw.validFraction, { min: 0, max: 0.9 }),
    resume: raw.resume,
    command: `rnnseq ${command}`,
    ...(genome ? { genome } : {}),
    ...(tag ? { tag } : {}),
  };
}

/** Language-model inputs and windows: FASTA files grouped by record, header tag, id regex or file. */
function parseLmFlags(inputs: string[], raw: RawTrainFlags): LmOptions {
  const groupFiles = parseGroupFiles(raw.group);
  const rules = [groupFiles.length > 0, raw.groupTag !== undefined, raw.groupRegex !== undefined].filter(Boolean).length;
  if (rules > 1) throw new RnnseqError('give one of --group NAME=FILE, --group-tag or --group-regex', EXIT_USAGE);
  if (groupFiles.length > 0 && inputs.length > 0) throw new RnnseqError('give either FASTA inputs or --group NAME=FILE files, not both', EXIT_USAGE);
  if (groupFiles.length === 0 && inputs.length === 0 && !raw.resume) throw new RnnseqError('no training data: give FASTA files (or --group NAME=FILE)', EXIT_USAGE);
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
