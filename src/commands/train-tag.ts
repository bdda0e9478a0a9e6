/**
 * `rnnseq train --task tag`: the tagger path of train. A tagger predicts a class for every base (background or
 * the --positive-class). Its training windows are tiled across every sequence of a genome (src/seq/tag-windows.ts),
 * each base labelled by whether a --labels region covers it; after training, a per-base threshold is calibrated
 * on the validation windows, combined as `rnnseq scan` combines them (src/scan/track-calibrate.ts), and written
 * into best/rnnseq.json with the window.
 */
import type { WindowSpec } from '../engine/checkpoint.js';
import type { RecurrentCore } from '../engine/core.js';
import { Random } from '../seq/random.js';
import type { TrainingSet } from '../seq/training-set.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RcCombine, StrandMode } from '../seq/strands.js';
import { type ScoredTagWindow, type TrackCalibration, calibrateTrack } from '../scan/track-calibrate.js';
import { defaultTrackStride } from '../scan/track-combine.js';
import { type Alphabet, type AlphabetName, getAlphabet } from '../seq/alphabet.js';
import { type EncodedSequence, packBatch } from '../seq/batch.js';
import { detectGenomeAlphabet, visitWindows } from '../seq/genome.js';
import { type GenomeSplit, type Split, measureGenome, regionsOnGenome, splitter } from '../seq/genome-training.js';
import { formatRegion, normaliseIntervals } from '../seq/regions.js';
import { LABELLED_TAG, countN, reverseTags, tileStarts, windowTags } from '../seq/tag-windows.js';
import { byteEncodingTable, encodeBytes, reverseComplementEncoded } from '../seq/windows.js';
import type { PreparedData } from './train-data.js';
import { type RawGenomeFlags, parseGenomeSplit } from './train-genome.js';
import { loadModel, rewriteSpec } from './checkpoints.js';
import { parseNumber } from './runtime.js';

export interface TagTrainOptions extends GenomeSplit {
  genome: string;
  /** BED of the regions whose bases are the positive class */
  labels: string;
  windowBp: number;
  tileStrideBp: number;
  reverseComplement: boolean;
  seed: number;
  positiveClass: string;
}

export interface RawTagFlags extends RawGenomeFlags {
  labels?: string;
}

export const TAG_DEFAULT_WINDOW_BP = 1000;
const NEGATIVE_CLASS = 'background';

/** Validates the flags of `train --task tag` (--genome is known to be given). */
export function parseTagFlags(inputs: readonly string[], raw: RawTagFlags): TagTrainOptions {
  if (inputs.length > 0 || raw.class.length > 0) throw new RnnseqError('--task tag trains from a genome and a BED: give no FASTA inputs or --class with it', EXIT_USAGE);
  if (raw.labels !== undefined && raw.positives !== undefined && raw.labels !== raw.positives) {
    throw new RnnseqError('--labels and --positives name the same thing for --task tag (the labelled regions): give one', EXIT_USAGE);
  }
  const labels = raw.labels ?? raw.positives;
  if (labels === undefined) throw new RnnseqError('--task tag needs --labels BED: the regions whose bases are the positive class', EXIT_USAGE);
  if (raw.negatives !== undefined) throw new RnnseqError('--task tag labels every base: bases outside --labels are background, so there is no --negatives', EXIT_USAGE);
  if (raw.extent !== 'window') throw new RnnseqError("--extent is a window scanner's setting; a tagger's calls are runs of bases", EXIT_USAGE);
  if (raw.length !== undefined) throw new RnnseqError('with --task tag, the input length is --window', EXIT_USAGE);
  if (raw.valid !== undefined) throw new RnnseqError('with --task tag, hold out validation windows with --valid-chroms or --valid-region, not --valid', EXIT_USAGE);
  if (raw.genome === '-') throw new RnnseqError('--genome must be a file: it is read more than once', EXIT_USAGE);
  if (raw.positiveClass === NEGATIVE_CLASS || raw.positiveClass === '' || /\s/.test(raw.positiveClass)) {
    throw new RnnseqError(`--positive-class must be a single word other than '${NEGATIVE_CLASS}', got '${raw.positiveClass}'`, EXIT_USAGE);
  }
  const windowBp = parseNumber('--window', raw.window ?? String(TAG_DEFAULT_WINDOW_BP), { min: 8, max: 100_000, integer: true });
  return {
    genome: raw.genome!,
    labels,
    windowBp,
    tileStrideBp: raw.tileStride === undefined ? Math.max(1, Math.floor(windowBp / 2)) : parseNumber('--tile-stride', raw.tileStride, { min: 1, max: windowBp, integer: true }),
    ...parseGenomeSplit(raw),
    reverseComplement: raw.rc,
    seed: parseNumber('--seed', raw.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
    positiveClass: raw.positiveClass,
  };
}

export interface PreparedTagData extends PreparedData {
  window: WindowSpec;
  /** After training: calibrates the per-base threshold on the validation windows and writes it into best/. */
  finish(bestDir: string, core: RecurrentCore, batchSize: number): Promise<void>;
}

interface TagWindow {
  chrom: string;
  start: number;
  split: Split;
  item: EncodedSequence;
  tags: Int8Array;
  /** a window scan's default grid (every half window, and one flush with the end) also has */
  onScanGrid: boolean;
}

export async function prepareTagData(options: TagTrainOptions, requestedAlphabet: AlphabetName | 'auto', log: Logger): Promise<PreparedTagData> {
  const alphabet = requestedAlphabet === 'auto' ? getAlphabet(await detectGenomeAlphabet(options.genome)) : getAlphabet(requestedAlphabet);
  if (alphabet.name === 'protein') throw new RnnseqError(`--genome ${options.genome}: a tagger needs a nucleotide genome (the sequence looks like protein); give --alphabet dna`, EXIT_USAGE);
  const W = options.windowBp;
  const windows = await collectWindows(options, alphabet, log);
  const heldOut = options.validChroms.length > 0 || options.validRegions.length > 0;
  let validDescription: string;
  if (heldOut) {
    validDescription = `held out: ${[...options.validChroms, ...options.validRegions.map((r) => formatRegion(r.chrom, r.start, r.end))].join(', ')}`;
  } else if (options.validFraction > 0) {
    log.warn('no --valid-chroms or --valid-region: validating on a random fraction of windows, which overlap the training windows; the threshold will be optimistic');
    const random = new Random(options.seed);
    const order = random.shuffle(windows.map((_, i) => i));
    for (const i of order.slice(0, Math.round(windows.length * options.validFraction))) windows[i]!.split = 'valid';
    validDescription = `random ${options.validFraction} of the windows, seed ${options.seed}`;
  } else {
    validDescription = 'none';
  }
  const trainWindows = windows.filter((w) => w.split === 'train');
  const validWindows = windows.filter((w) => w.split === 'valid');
  if (trainWindows.length === 0) throw new RnnseqError(`${options.genome}: no ${W} bp training windows are left outside the validation and excluded regions`, EXIT_DATA);
  if (heldOut && validWindows.length === 0) throw new RnnseqError(`no ${W} bp window lies wholly inside the validation chromosomes or regions; choose larger ones or a smaller --window`, EXIT_DATA);
  const labelledShare = (list: TagWindow[]) => round(share(list));
  if (heldOut && share(validWindows) === 0) throw new RnnseqError(`${options.labels}: no labelled base falls in the validation windows; choose other validation chromosomes or regions`, EXIT_DATA);

  const toSet = (list: TagWindow[]): TrainingSet => {
    const items: EncodedSequence[] = [];
    const tags: Int8Array[] = [];
    for (const w of list) {
      items.push(w.item);
      tags.push(w.tags);
      if (options.reverseComplement) {
        // Right after its forward window: finish() reads the pair back together.
        items.push({ encoded: reverseComplementEncoded(w.item.encoded), length: W });
        tags.push(reverseTags(w.tags));
      }
    }
    return { items, tags };
  };
  const train = toSet(trainWindows);
  const valid = validWindows.length > 0 ? toSet(validWindows) : undefined;
  const summary = {
    genome: options.genome,
    labels: options.labels,
    windowBp: W,
    tileStrideBp: options.tileStrideBp,
    reverseComplement: options.reverseComplement,
    windows: { train: trainWindows.length, valid: validWindows.length },
    labelledShare: { train: labelledShare(trainWindows), valid: labelledShare(validWindows) },
  };
  log.info(
    `tagger windows of ${W} bp every ${options.tileStrideBp} bp: ${trainWindows.length} training, ${validWindows.length} validation ` +
      `(${(100 * summary.labelledShare.train).toFixed(1)}% / ${(100 * summary.labelledShare.valid).toFixed(1)}% of bases labelled ${options.positiveClass})` +
      (options.reverseComplement ? ', each also reverse-complemented' : ''),
  );

  const strand: StrandMode = options.reverseComplement ? 'both' : '+';
  // Per base, the mean of the two strands: both read the same base, and averaging two views steadies the track.
  const rcCombine: RcCombine = 'mean';
  const window: WindowSpec = { lengthBp: W, positiveClass: options.positiveClass, threshold: 0.5, strand, rcCombine, reverseComplement: options.reverseComplement };
  return {
    alphabet,
    classes: [NEGATIVE_CLASS, options.positiveClass],
    inputLength: W,
    train,
    ...(valid ? { valid } : {}),
    validDescription,
    sources: `genome ${options.genome}, labels ${options.labels}`,
    architecture: { task: 'tag' },
    summary: { tagWindows: summary },
    trainItems: train.items.length,
    window,
    finish: async (bestDir, core, batchSize) => {
      const calibrationWindows = validWindows.length > 0 ? validWindows : trainWindows;
      const calibrationSet = valid ?? train;
      if (validWindows.length === 0) log.warn('no validation windows: the threshold is calibrated on the training windows and will be optimistic');
      const scored = await scoreWindows(bestDir, core, batchSize, calibrationWindows, calibrationSet, options.reverseComplement);
      // When the tiles include scan's default grid, calibrate on exactly the track scan writes (two windows per
      // base); else on all tiles, whose average is a little smoother than scan's.
      const onGrid = scored.filter((_, i) => calibrationWindows[i]!.onScanGrid);
      const exact = defaultTrackStride(W) % options.tileStrideBp === 0 && onGrid.length > 0;
      const track = exact ? onGrid : scored;
      const modes: Array<[string, StrandMode, RcCombine]> = options.reverseComplement
        ? [['both-mean', 'both', 'mean'], ['both-max', 'both', 'max'], ['+', '+', 'mean'], ['-', '-', 'mean']]
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
        { threshold: main.choice.threshold, precision: main.choice.precision, recall: main.choice.recall, f1: main.choice.f1, auroc: main.auroc, bases: main.bases },
        `rnnseq: threshold ${main.choice.threshold} (best F1 on ${main.bases} ${validWindows.length > 0 ? 'validation' : 'training'} bases${options.reverseComplement ? ', both strands, mean' : ''}, ` +
          `${(100 * main.labelledShare).toFixed(1)}% labelled): precision ${main.choice.precision.toFixed(3)}, recall ${main.choice.recall.toFixed(3)}, ` +
          `F1 ${main.choice.f1.toFixed(3)}; base-level AUROC ${main.auroc.toFixed(4)}`,
      );
    },
  };
}

/**
 * Every tiled window that is neither excluded nor straddling a validation edge and is at most half N, in genome
 * order, encoded with its tags. One streaming pass after measuring the sequences, so no chromosome is held whole.
 */
async function collectWindows(options: TagTrainOptions, alphabet: Alphabet, log: Logger): Promise<TagWindow[]> {
  const W = options.windowBp;
  const { lengths, lengthOf } = await measureGenome(options, alphabet);
  const report = { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m) };
  const labelled = normaliseIntervals((await regionsOnGenome(options.labels, options.genome, lengthOf, report)).map((r) => ({ chrom: r.chrom, start: r.start, end: r.end })));
  if (labelled.size === 0) throw new RnnseqError(`${options.labels}: no regions on the sequences of ${options.genome}`, EXIT_DATA);

  const splitOf = splitter(options, W);
  const grid = { windowBp: W, strideBp: options.tileStrideBp };
  const requests = new Map<string, number[]>();
  const splits = new Map<string, Split>();
  let short = 0;
  for (const { name, length } of lengths) {
    if (length < W) short++;
    const starts = tileStarts(length, grid).filter((start) => {
      const split = splitOf(name, start);
      if (split !== 'drop') splits.set(`${name}\t${start}`, split);
      return split !== 'drop';
    });
    if (starts.length > 0) requests.set(name, starts);
  }
  if (short > 0) log.info(`${short} sequence(s) shorter than the ${W} bp window give no windows`);

  const encoding = byteEncodingTable(alphabet);
  const windows: TagWindow[] = [];
  let mostlyN = 0;
  await visitWindows(options.genome, alphabet, requests, W, (chrom, start, bases) => {
    if (countN(bases) > W / 2) {
      mostlyN++;
      return;
    }
    const encoded = new Float32Array(W * alphabet.size);
    encodeBytes(bases, 0, W, encoding, alphabet.size, encoded);
    const onScanGrid = start % defaultTrackStride(W) === 0 || start === lengthOf.get(chrom)! - W;
    windows.push({ chrom, start, split: splits.get(`${chrom}\t${start}`)!, item: { encoded, length: W }, tags: windowTags(start, bases, labelled.get(chrom) ?? []), onScanGrid });
  });
  if (mostlyN > 0) log.warn(`${mostlyN} window(s) more than half N were left out`);
  return windows;
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
  return windows.map((w, i) => ({ chrom: w.chrom, start: w.start, tags: w.tags, forward: perItem[i * step]!, ...(pairs ? { reverse: perItem[i * step + 1]! } : {}) }));
}

function share(windows: readonly TagWindow[]): number {
  let labelled = 0;
  let counted = 0;
  for (const w of windows) {
    for (const tag of w.tags) {
      if (tag < 0) continue;
      counted++;
      if (tag === LABELLED_TAG) labelled++;
    }
  }
  return counted > 0 ? labelled / counted : 0;
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
