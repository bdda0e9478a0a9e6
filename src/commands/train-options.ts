import type { CellType } from '../engine/cells.js';
import type { Pooling } from '../engine/architecture.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import type { AlphabetName } from '../seq/alphabet.js';
import { type RawRuntimeFlags, parseCommon, parseNumber } from './runtime.js';
import type { TrainOptions } from './train.js';
import { type RawGenomeFlags, parseGenomeFlags } from './train-genome.js';

export interface RawTrainFlags extends RawRuntimeFlags, RawGenomeFlags {
  out: string;
  class: string[];
  labelTag: string;
  alphabet: AlphabetName | 'auto';
  length?: string;
  cell: CellType;
  hidden: string;
  layers: string;
  bidirectional: boolean;
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
  const genome = parseGenomeFlags(inputs, raw);
  if (classFiles.length === 0 && inputs.length === 0 && !raw.resume && !genome) {
    throw new RnnseqError('no training data: give FASTA files with label=CLASS headers, or --class NAME=FILE at least twice', EXIT_USAGE);
  }
  if (classFiles.length === 1) throw new RnnseqError('--class needs at least two classes', EXIT_USAGE);
  const names = new Set(classFiles.map((c) => c.name));
  if (names.size !== classFiles.length) throw new RnnseqError('--class names must be distinct', EXIT_USAGE);

  return {
    ...parseCommon(raw),
    inputs,
    out: raw.out,
    classFiles,
    labelTag: raw.labelTag,
    alphabet: raw.alphabet,
    length: genome ? genome.windowBp : raw.length === undefined ? null : parseNumber('--length', raw.length, { min: 1, integer: true }),
    architecture: {
      cell: raw.cell,
      hiddenSize: parseNumber('--hidden', raw.hidden, { min: 1, max: 4096, integer: true }),
      layers: parseNumber('--layers', raw.layers, { min: 1, max: 16, integer: true }),
      bidirectional: raw.bidirectional,
      dropout: parseNumber('--dropout', raw.dropout, { min: 0, max: 0.95 }),
      pool: raw.pool,
    },
    config: {
      epochs: parseNumber('--epochs', raw.epochs, { min: 1, integer: true }),
      batchSize: parseNumber('--batch-size', raw.batchSize, { min: 1, integer: true }),
      learningRate: parseNumber('--lr', raw.lr, { min: 1e-8, max: 10 }),
      clipNorm: parseNumber('--clip-norm', raw.clipNorm, { min: 0 }),
      patience: parseNumber('--patience', raw.patience, { min: 0, integer: true }),
      lrPatience: parseNumber('--lr-patience', raw.lrPatience, { min: 0, integer: true }),
      maxMemoryBytes: parseNumber('--max-memory', raw.maxMemory, { min: 0.01 }) * 2 ** 30,
      seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
    },
    ...(raw.valid !== undefined ? { valid: raw.valid } : {}),
    validFraction: parseNumber('--valid-fraction', raw.validFraction, { min: 0, max: 0.9 }),
    resume: raw.resume,
    command: `rnnseq ${command}`,
    ...(genome ? { genome } : {}),
  };
}
