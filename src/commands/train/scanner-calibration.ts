/**
 * `rnnseq train --genome`: the scanner path of train. Opens the genome and BED files for the training and
 * validation windows (src/seq/genome-training.ts), and after training writes a decision threshold calibrated on
 * the validation windows into best/rnnseq.json for `rnnseq scan`.
 */
import type { WindowSpec } from '../../engine/checkpoint.js';
import type { RecurrentCore } from '../../engine/core.js';
import { evaluate } from '../../engine/trainer.js';
import type { LabelledSet } from '../../seq/training-set.js';
import { regionInput } from '../../io/bed-regions.js';
import type { Logger } from '../../log.js';
import { bestF1Threshold, type ThresholdChoice } from '../../scan/calibrate.js';
import type { Alphabet, AlphabetName } from '../../seq/alphabet.js';
import { freeStartShare } from '../../seq/background-windows.js';
import { sequenceLengths } from '../../seq/genome.js';
import type { GenomeInterval, SequenceLength } from '../../seq/regions.js';
import { combineStrands } from '../../seq/strands.js';
import { NEGATIVE_LABEL, POSITIVE_LABEL, buildGenomeSets, regionsOnGenome } from '../../seq/genome-training.js';
import { loadModel, rewriteSpec } from '../shared/checkpoints.js';
import { openTrainingGenome, withExcludedBeds } from './genome-input.js';
import { addGenomeNull } from './null-scores.js';
import { checkNull, reportNullCheck } from './null-check.js';
import { nullKey } from '../../engine/null-spec.js';
import type { GenomeTrainOptions } from './options.js';

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

export async function prepareGenomeData(
  requested: GenomeTrainOptions,
  requestedAlphabet: AlphabetName | 'auto',
  log: Logger,
): Promise<PreparedGenomeData> {
  const { genome, alphabet } = await openTrainingGenome(
    requested.genome,
    requestedAlphabet,
    'a scanner needs a nucleotide genome (the sequence looks like protein)',
  );
  const options = await withExcludedBeds(requested, genome, log);
  const inputs = {
    genome,
    positives: regionInput(options.positives),
    ...(options.negatives !== undefined ? { negatives: regionInput(options.negatives) } : {}),
  };
  const sets = await buildGenomeSets(options, inputs, alphabet, { info: (m) => log.info(m), warn: (m) => log.warn(m) });
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
    sources: `genome ${options.genome}, positives ${options.positives}${options.negatives ? `, negatives ${options.negatives}` : ''}`,
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
      const windows = windowScores(probs, calibrationSet.labels, sets.strandPairs);
      const choice = calibrate(windows, sets.positiveRate);
      const main = choice[windows.main]!;
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
      log.record(
        'calibrated',
        { threshold: main.threshold, precision: main.precision, recall: main.recall, f1: main.f1, windows: main.windows },
        `rnnseq: threshold ${main.threshold} (best F1 on ${main.windows} ${sets.valid ? 'validation' : 'training'} windows${sets.strandPairs ? ', both strands, max' : ''}, ` +
          `positive rate ${(100 * sets.positiveRate).toFixed(1)}%): ` +
          `precision ${main.precision.toFixed(3)}, recall ${main.recall.toFixed(3)}, F1 ${main.f1.toFixed(3)}`,
      );
      if (options.nullWindows > 0) {
        // The scanner's null: genome windows away from positives and the test hold-out (null-scores.ts).
        const positives = await regionsOnGenome(inputs.positives, genome, { info: () => {}, warn: () => {} });
        const lengths = sequenceLengths(genome);
        const avoid = nullAvoids(
          [...positives.map((r) => ({ chrom: r.chrom, start: r.start, end: r.end })), ...options.excludeRegions],
          sets.trainedNegatives,
          lengths,
          options.windowBp,
          sets.negativesPerPositive !== undefined,
          log,
        );
        const nullScores = await addGenomeNull(
          bestDir,
          core,
          {
            genome,
            lengths,
            windowBp: options.windowBp,
            avoid: avoid.regions,
            avoidsTrainedNegatives: avoid.trainedNegatives,
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
        const dist = nullScores?.distributions[nullKey(options.positiveClass, windows.main)];
        const check = dist && sets.valid ? checkNull(windows.scores[windows.main]!, windows.isPositive, dist) : undefined;
        if (check) reportNullCheck(check, sets.negativesPerPositive, log);
      }
    },
  };
}

/**
 * The null needs background the model has not fitted: scored on the very windows it learned as negatives, the
 * background looks rarer than it is and p-values come out too small. Measured on scripts/dev-calling.sh with the
 * 2 Mbp auto sample (its 1.5 Mbp genome covered over again), calls at FDR 0.2 of which false, seeds 1-3: with the
 * trained negatives in the null 27 of 86, 66 of 127, 30 of 81; without them 10 of 56, 23 of 75, 21 of 66. So the
 * null also avoids the trained negatives, unless that leaves under MIN_UNSEEN_SHARE of the genome's windows; then
 * it takes them, and says so.
 */
const MIN_UNSEEN_SHARE = 0.05;

export function nullAvoids(
  always: GenomeInterval[],
  trainedNegatives: readonly GenomeInterval[],
  lengths: readonly SequenceLength[],
  windowBp: number,
  sampled: boolean,
  log: Logger,
): { regions: GenomeInterval[]; trainedNegatives: boolean } {
  if (trainedNegatives.length === 0) return { regions: always, trainedNegatives: false };
  const unseen = [...always, ...trainedNegatives];
  const share = freeStartShare(lengths, windowBp, unseen);
  if (share >= MIN_UNSEEN_SHARE) return { regions: unseen, trainedNegatives: true };
  const fewer = sampled ? 'a smaller --negatives-per-positive' : 'fewer regions in --negatives';
  log.warn(
    `the training negatives and positives leave ${(100 * share).toFixed(1)}% of the genome's windows: the null includes windows the model trained on, so scan's p-values may be too small (hold out more with --valid-chroms or --valid-region, or give ${fewer})`,
  );
  return { regions: always, trainedNegatives: false };
}

/** Validation windows' scores of the positive class for each way scan can combine strands, and which are positive. */
export interface WindowScores {
  isPositive: boolean[];
  /** '+' alone without strand pairs; with them also '-', 'both-max' and 'both-mean' */
  scores: Record<string, Float32Array>;
  /** the key scan uses by default: 'both-max' with strand pairs, else '+' */
  main: string;
}

/**
 * With strand pairs, items alternate forward / reverse complement of one window (genome-training.ts), so the
 * pair's scores combine as scan combines them.
 */
export function windowScores(probs: Float32Array, labels: Int32Array, strandPairs: boolean): WindowScores {
  const positive = (i: number) => probs[i * 2 + POSITIVE_LABEL]!; // two classes
  if (!strandPairs) {
    return {
      isPositive: Array.from(labels, (l) => l !== NEGATIVE_LABEL),
      scores: { '+': Float32Array.from(labels, (_, i) => positive(i)) },
      main: '+',
    };
  }
  const pairs = labels.length / 2;
  const forward = Float32Array.from({ length: pairs }, (_, k) => positive(2 * k));
  const reverse = Float32Array.from({ length: pairs }, (_, k) => positive(2 * k + 1));
  return {
    isPositive: Array.from({ length: pairs }, (_, k) => labels[2 * k] === POSITIVE_LABEL),
    scores: {
      'both-max': forward.map((f, k) => combineStrands(f, reverse[k]!, 'max')),
      'both-mean': forward.map((f, k) => combineStrands(f, reverse[k]!, 'mean')),
      '+': forward,
      '-': reverse,
    },
    main: 'both-max',
  };
}

/** Thresholds for each way scan can combine strands. */
function calibrate(windows: WindowScores, positiveRate: number): Record<string, ThresholdChoice> {
  return Object.fromEntries(
    Object.entries(windows.scores).map(([key, scores]) => [key, bestF1Threshold(scores, windows.isPositive, positiveRate)]),
  );
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
