/**
 * `rnnseq train --genome`: the scanner path of train. Parses its flags, builds the training and validation
 * windows from a genome and BED files (src/seq/genome-training.ts), and after training writes a decision
 * threshold calibrated on the validation windows into best/rnnseq.json for `rnnseq scan`.
 */
import type { WindowSpec } from '../engine/checkpoint.js';
import type { RecurrentCore } from '../engine/core.js';
import { type LabelledSet, evaluate } from '../engine/trainer.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import type { Logger } from '../log.js';
import { bestF1Threshold, type ThresholdChoice } from '../scan/calibrate.js';
import { type Alphabet, type AlphabetName, getAlphabet } from '../seq/alphabet.js';
import { detectGenomeAlphabet } from '../seq/genome.js';
import { type GenomeSplit, type GenomeTrainingPlan, NEGATIVE_LABEL, POSITIVE_LABEL, buildGenomeSets, measureGenome, regionsOnGenome } from '../seq/genome-training.js';
import { addGenomeNull } from './null-scores.js';
import { parseRegion } from '../seq/regions.js';
import { loadModel, rewriteSpec } from './checkpoints.js';
import { parseNumber } from './runtime.js';

export interface GenomeTrainOptions extends GenomeTrainingPlan {
  positiveClass: string;
  negativeClass: string;
  /** the default `scan --extent` written into the scanner */
  extent: 'window' | 'core';
  /** background windows scored for the null distribution (0: none) */
  nullWindows: number;
}

/** The raw flags of the genome path, as commander hands them over. */
export interface RawGenomeFlags {
  genome?: string;
  positives?: string;
  negatives?: string;
  window?: string;
  positiveWindows: 'centre' | 'tile';
  tileStride?: string;
  negativesPerPositive: string;
  validChroms?: string;
  validRegion: string[];
  excludeRegion: string[];
  rc: boolean;
  positiveClass: string;
  extent: 'window' | 'core';
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
    validChroms: raw.validChroms === undefined ? [] : raw.validChroms.split(',').map((c) => c.trim()).filter(Boolean),
    validRegions: raw.validRegion.map((r) => parseRegion(r, '--valid-region')),
    excludeRegions: raw.excludeRegion.map((r) => parseRegion(r, '--exclude-region')),
    validFraction: parseNumber('--valid-fraction', raw.validFraction, { min: 0, max: 0.9 }),
  };
}

export function parseNullWindows(raw: string): number {
  const windows = parseNumber('--null-windows', raw, { min: 0, max: 10_000_000, integer: true });
  if (windows > 0 && windows < 100) throw new RnnseqError('--null-windows needs at least 100 windows for a tail fit (or 0 for no null)', EXIT_USAGE);
  return windows;
}

/** Undefined without --genome (and then no genome-only flag may be given). */
export function parseGenomeFlags(inputs: readonly string[], raw: RawGenomeFlags): GenomeTrainOptions | undefined {
  if (raw.genome === undefined) {
    const stray = GENOME_ONLY.find((key) => raw[key] !== undefined) ?? (raw.validRegion.length > 0 ? 'validRegion' : raw.excludeRegion.length > 0 ? 'excludeRegion' : undefined);
    if (stray) throw new RnnseqError(`--${stray.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} is for training a scanner: give --genome and --positives too`, EXIT_USAGE);
    return undefined;
  }
  if (inputs.length > 0 || raw.class.length > 0) throw new RnnseqError('--genome trains from a genome and BED files: give no FASTA inputs or --class with it', EXIT_USAGE);
  if (raw.positives === undefined) throw new RnnseqError('--genome needs --positives BED (the regions to find)', EXIT_USAGE);
  if (raw.length !== undefined) throw new RnnseqError('with --genome, the input length is --window', EXIT_USAGE);
  if (raw.valid !== undefined) throw new RnnseqError('with --genome, hold out validation windows with --valid-chroms or --valid-region, not --valid', EXIT_USAGE);
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
    tileStrideBp: raw.tileStride === undefined ? Math.max(1, Math.floor(windowBp / 2)) : parseNumber('--tile-stride', raw.tileStride, { min: 1, integer: true }),
    negativesPerPositive: parseNumber('--negatives-per-positive', raw.negativesPerPositive, { min: 0.01, max: 100 }),
    ...parseGenomeSplit(raw),
    reverseComplement: raw.rc,
    seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
    positiveClass: raw.positiveClass,
    negativeClass,
    extent: raw.extent,
    nullWindows: parseNullWindows(raw.nullWindows),
  };
}

export interface PreparedGenomeData {
  alphabet: Alphabet;
  classes: string[];
  inputLength: number;
  train: LabelledSet;
  valid?: LabelledSet;
  validDescription: string;
  sources: string;
  summary: Record<string, unknown>;
  window: WindowSpec;
  /** After training: calibrates the threshold on the validation windows and writes it into best/. */
  finish(bestDir: string, core: RecurrentCore, batchSize: number): Promise<void>;
}

export async function prepareGenomeData(options: GenomeTrainOptions, requestedAlphabet: AlphabetName | 'auto', log: Logger): Promise<PreparedGenomeData> {
  const alphabet = requestedAlphabet === 'auto' ? getAlphabet(await detectGenomeAlphabet(options.genome)) : getAlphabet(requestedAlphabet);
  if (alphabet.name === 'protein') throw new RnnseqError(`--genome ${options.genome}: a scanner needs a nucleotide genome (the sequence looks like ${alphabet.name}); give --alphabet dna`, EXIT_USAGE);
  const sets = await buildGenomeSets(options, alphabet, { info: (m) => log.info(m), warn: (m) => log.warn(m) });
  const classes = [options.negativeClass, options.positiveClass]; // indices NEGATIVE_LABEL, POSITIVE_LABEL
  const window: WindowSpec = {
    lengthBp: options.windowBp,
    positiveClass: options.positiveClass,
    threshold: 0.5,
    strand: options.reverseComplement ? 'both' : '+',
    rcCombine: 'max',
    ...(options.extent !== 'window' ? { extent: options.extent } : {}),
    reverseComplement: options.reverseComplement,
  };
  return {
    alphabet,
    classes,
    inputLength: options.windowBp,
    train: sets.train,
    ...(sets.valid ? { valid: sets.valid } : {}),
    validDescription: sets.validDescription,
    sources: `genome ${options.genome}, positives ${options.positives}` + (options.negatives ? `, negatives ${options.negatives}` : ''),
    summary: sets.summary,
    window,
    finish: async (bestDir, core, batchSize) => {
      const calibrationSet = sets.valid ?? sets.train;
      if (!sets.valid) log.warn('no validation windows: the threshold is calibrated on the training windows and will be optimistic');
      const { model } = await loadModel(bestDir, core);
      let probs: Float32Array;
      try {
        probs = evaluate(model, calibrationSet, batchSize).probs!; // a scanner is a classifier
      } finally {
        model.dispose();
      }
      const choice = calibrate(probs, calibrationSet.labels, sets.strandPairs, sets.positiveRate);
      const main = sets.strandPairs ? choice['both-max']! : choice['+']!;
      await rewriteSpec(bestDir, (spec) => ({
        ...spec,
        window: {
          ...window,
          threshold: main.threshold,
          thresholds: Object.fromEntries(Object.entries(choice).map(([key, c]) => [key, c.threshold])),
          calibration: {
            metric: 'best F1 over validation windows, negatives weighted to the positive rate',
            positiveRate: round(sets.positiveRate),
            set: sets.valid ? sets.validDescription : 'training windows (no validation set)',
            windows: main.windows,
            positives: main.positives,
            precision: round(main.precision),
            recall: round(main.recall),
            f1: round(main.f1),
          },
        },
      }));
      if (options.nullWindows > 0) await addScannerNull(options, alphabet, bestDir, core, batchSize, log);
      log.record(
        'calibrated',
        { threshold: main.threshold, precision: main.precision, recall: main.recall, f1: main.f1, windows: main.windows },
        `rnnseq: threshold ${main.threshold} (best F1 on ${main.windows} ${sets.valid ? 'validation' : 'training'} windows${sets.strandPairs ? ', both strands, max' : ''}, ` +
          `positive rate ${(100 * sets.positiveRate).toFixed(1)}%): ` +
          `precision ${main.precision.toFixed(3)}, recall ${main.recall.toFixed(3)}, F1 ${main.f1.toFixed(3)}`,
      );
    },
  };
}

/**
 * Thresholds for each way scan can combine strands. With strand pairs, items alternate forward / reverse
 * complement of one window (genome-training.ts), so the pair's scores combine as scan combines them.
 */
function calibrate(probs: Float32Array, labels: Int32Array, strandPairs: boolean, positiveRate: number): Record<string, ThresholdChoice> {
  const positive = (i: number) => probs[i * 2 + POSITIVE_LABEL]!; // two classes
  if (!strandPairs) {
    return { '+': bestF1Threshold(Float32Array.from(labels, (_, i) => positive(i)), Array.from(labels, (l) => l !== NEGATIVE_LABEL), positiveRate) };
  }
  const pairs = labels.length / 2;
  const isPositive = Array.from({ length: pairs }, (_, k) => labels[2 * k] === POSITIVE_LABEL);
  const forward = Float32Array.from({ length: pairs }, (_, k) => positive(2 * k));
  const reverse = Float32Array.from({ length: pairs }, (_, k) => positive(2 * k + 1));
  return {
    'both-max': bestF1Threshold(forward.map((f, k) => Math.max(f, reverse[k]!)), isPositive, positiveRate),
    'both-mean': bestF1Threshold(forward.map((f, k) => (f + reverse[k]!) / 2), isPositive, positiveRate),
    '+': bestF1Threshold(forward, isPositive, positiveRate),
    '-': bestF1Threshold(reverse, isPositive, positiveRate),
  };
}

/** The scanner's null: genome windows away from positives and the test hold-out (src/commands/null-scores.ts). */
async function addScannerNull(options: GenomeTrainOptions, alphabet: Alphabet, bestDir: string, core: RecurrentCore, batchSize: number, log: Logger): Promise<void> {
  const { lengths, lengthOf } = await measureGenome(options, alphabet);
  const positives = await regionsOnGenome(options.positives, options.genome, lengthOf, { info: () => {}, warn: () => {} });
  await addGenomeNull(
    bestDir,
    core,
    {
      genome: options.genome,
      lengths,
      windowBp: options.windowBp,
      avoid: [...positives.map((r) => ({ chrom: r.chrom, start: r.start, end: r.end })), ...options.excludeRegions],
      positiveClass: options.positiveClass,
      positiveIndex: POSITIVE_LABEL,
      windows: options.nullWindows,
      seed: options.seed,
      bothStrands: options.reverseComplement,
    },
    alphabet,
    batchSize,
    log,
  );
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
