/**
 * `rnnseq train --task tag`: the tagger path of train. Opens the genome and the --labels BED for the windows
 * (src/seq/tag-training.ts), and after training calibrates a per-base threshold on the validation windows,
 * combined as `rnnseq scan` combines them (src/scan/track-calibrate.ts), and writes it into best/rnnseq.json.
 */
import type { WindowSpec } from '../../engine/checkpoint.js';
import type { RecurrentCore } from '../../engine/core.js';
import type { Logger } from '../../log.js';
import { type ScoredTagWindow, type TrackCalibration, calibrateTrack } from '../../scan/track-calibrate.js';
import type { AlphabetName } from '../../seq/alphabet.js';
import { packBatch } from '../../seq/batch.js';
import type { RcCombine, StrandMode } from '../../seq/strands.js';
import { type PreparedTagData, type TagWindow, prepareTagData } from '../../seq/tag-training.js';
import { LABELLED_TAG, defaultTrackStride } from '../../seq/tag-windows.js';
import type { TrainingSet } from '../../seq/training-set.js';
import { loadModel, rewriteSpec } from '../shared/checkpoints.js';
import { openTrainingGenome, withExcludedBeds } from './genome-input.js';
import type { TagTrainOptions } from './options.js';
import { bedInput } from '../../io/bed.js';

export interface PreparedTagger extends PreparedTagData {
  window: WindowSpec;
  /** After training: calibrates the per-base threshold on the validation windows and writes it into best/. */
  finish(bestDir: string, core: RecurrentCore, batchSize: number): Promise<void>;
}

export async function prepareTagger(
  requested: TagTrainOptions,
  requestedAlphabet: AlphabetName | 'auto',
  log: Logger,
): Promise<PreparedTagger> {
  const { genome, alphabet } = await openTrainingGenome(
    requested.genome,
    requestedAlphabet,
    'a tagger needs a nucleotide genome (the sequence looks like protein)',
  );
  const options = await withExcludedBeds(requested, genome, log);
  const prepared = await prepareTagData(options, { genome, labels: bedInput(options.labels) }, alphabet, log);
  const { trainWindows, validWindows, train, valid, validDescription } = prepared;
  const W = options.windowBp;
  const strand: StrandMode = options.reverseComplement ? 'both' : '+';
  // Per base, the mean of the two strands: both read the same base, and averaging two views steadies the track.
  const rcCombine: RcCombine = 'mean';
  const window: WindowSpec = {
    lengthBp: W,
    positiveClass: options.positiveClass,
    threshold: 0.5,
    strand,
    rcCombine,
    reverseComplement: options.reverseComplement,
  };
  return {
    ...prepared,
    window,
    finish: async (bestDir, core, batchSize) => {
      const calibrationWindows = validWindows.length > 0 ? validWindows : trainWindows;
      const calibrationSet = valid ?? train;
      if (validWindows.length === 0)
        log.warn('no validation windows: the threshold is calibrated on the training windows and will be optimistic');
      const scored = await scoreWindows(bestDir, core, batchSize, calibrationWindows, calibrationSet, options.reverseComplement);
      // When the tiles include scan's default grid, calibrate on exactly the track scan writes (two windows per
      // base); else on all tiles, whose average is a little smoother than scan's.
      const onGrid = scored.filter((_, i) => calibrationWindows[i]!.onScanGrid);
      const exact = defaultTrackStride(W) % options.tileStrideBp === 0 && onGrid.length > 0;
      const track = exact ? onGrid : scored;
      const modes: Array<[string, StrandMode, RcCombine]> = options.reverseComplement
        ? [
            ['both-mean', 'both', 'mean'],
            ['both-max', 'both', 'max'],
            ['+', '+', 'mean'],
            ['-', '-', 'mean'],
          ]
        : [['+', '+', 'mean']];
      const results = new Map<string, TrackCalibration>(modes.map(([key, s, how]) => [key, calibrateTrack(track, W, s, how)]));
      const mainKey = options.reverseComplement ? 'both-mean' : '+';
      const main = results.get(mainKey)!;
      await rewriteSpec(bestDir, (spec) => ({
        ...spec,
        window: {
          ...window,
          threshold: main.choice.threshold,
          thresholds: Object.fromEntries([...results].map(([key, c]) => [key, c.choice.threshold])),
          calibration: {
            metric: exact
              ? `best F1 over validation bases, on the per-base track scan writes at its default stride (${defaultTrackStride(W)} bp)`
              : `best F1 over validation bases, on the per-base track of the windows tiled every ${options.tileStrideBp} bp (scan's default stride is ${defaultTrackStride(W)} bp)`,
            set: validWindows.length > 0 ? validDescription : 'training windows (no validation set)',
            bases: main.bases,
            labelledShare: round(main.labelledShare),
            auroc: round(main.auroc),
            precision: round(main.choice.precision),
            recall: round(main.choice.recall),
            f1: round(main.choice.f1),
          },
        },
      }));
      log.record(
        'calibrated',
        {
          threshold: main.choice.threshold,
          precision: main.choice.precision,
          recall: main.choice.recall,
          f1: main.choice.f1,
          auroc: main.auroc,
          bases: main.bases,
        },
        `rnnseq: threshold ${main.choice.threshold} (best F1 on ${main.bases} ${validWindows.length > 0 ? 'validation' : 'training'} bases${options.reverseComplement ? ', both strands, mean' : ''}, ` +
          `${(100 * main.labelledShare).toFixed(1)}% labelled): precision ${main.choice.precision.toFixed(3)}, recall ${main.choice.recall.toFixed(3)}, ` +
          `F1 ${main.choice.f1.toFixed(3)}; base-level AUROC ${main.auroc.toFixed(4)}`,
      );
    },
  };
}

/** The tagged class's probability at every position of each window (and of its reverse complement). */
async function scoreWindows(
  bestDir: string,
  core: RecurrentCore,
  batchSize: number,
  windows: readonly TagWindow[],
  set: TrainingSet,
  pairs: boolean,
): Promise<ScoredTagWindow[]> {
  const { model } = await loadModel(bestDir, core);
  const classes = model.info.classes.length;
  const W = model.info.inputLength!;
  const perItem: Float32Array[] = [];
  try {
    for (let start = 0; start < set.items.length; start += batchSize) {
      const items = set.items.slice(start, start + batchSize);
      const probs = model.predictPositions(packBatch(items, model.info.architecture.inputSize));
      for (let r = 0; r < items.length; r++) {
        const row = new Float32Array(W);
        for (let t = 0; t < W; t++) row[t] = probs[(r * W + t) * classes + LABELLED_TAG]!;
        perItem.push(row);
      }
    }
  } finally {
    model.dispose();
  }
  const step = pairs ? 2 : 1;
  return windows.map((w, i) => ({
    chrom: w.chrom,
    start: w.start,
    tags: w.tags,
    forward: perItem[i * step]!,
    ...(pairs ? { reverse: perItem[i * step + 1]! } : {}),
  }));
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
