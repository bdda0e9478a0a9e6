/**
 * A tagger's training windows (`rnnseq train --task tag`): windows tiled across every sequence of a genome
 * (src/seq/tag-windows.ts), each base labelled by whether a --labels region covers it. Windows are split for
 * validation as a scanner's are (src/seq/genome-training.ts).
 */
import { EXIT_DATA, RnnseqError } from '../errors.js';
import type { BedInput } from '../io/bed.js';
import type { GenomeSource } from '../io/genome-source.js';
import type { Logger } from '../log.js';
import type { Alphabet } from './alphabet.js';
import type { EncodedSequence } from './batch.js';
import { type GenomeSplit, type Split, measureGenome, regionsOnGenome, splitter } from './genome-training.js';
import { visitWindows } from './genome.js';
import { Random } from './random.js';
import { formatRegion, normaliseIntervals } from './regions.js';
import { LABELLED_TAG, countN, defaultTrackStride, reverseTags, tileStarts, windowTags } from './tag-windows.js';
import type { PreparedData } from './training-data.js';
import type { TrainingSet } from './training-set.js';
import { byteEncodingTable, encodeBytes, reverseComplementEncoded } from './windows.js';

export const TAG_NEGATIVE_CLASS = 'background';

/** What `train --task tag` says about the windows; the genome and the labels BED come opened (TagTrainingInputs). */
export interface TagTrainingPlan extends GenomeSplit {
  windowBp: number;
  tileStrideBp: number;
  reverseComplement: boolean;
  seed: number;
  positiveClass: string;
}

export interface TagTrainingInputs {
  genome: GenomeSource;
  /** BED of the regions whose bases are the positive class */
  labels: BedInput;
}

export interface PreparedTagData extends PreparedData {
  train: TrainingSet;
  /** the windows behind train and valid, in the same order (each followed by its reverse complement there) */
  trainWindows: TagWindow[];
  validWindows: TagWindow[];
}

export interface TagWindow {
  chrom: string;
  start: number;
  split: Split;
  item: EncodedSequence;
  tags: Int8Array;
  /** a window scan's default grid (every half window, and one flush with the end) also has */
  onScanGrid: boolean;
}

export async function prepareTagData(
  options: TagTrainingPlan,
  inputs: TagTrainingInputs,
  alphabet: Alphabet,
  log: Logger,
): Promise<PreparedTagData> {
  const W = options.windowBp;
  const windows = await collectWindows(options, inputs, alphabet, log);
  const heldOut = options.validChroms.length > 0 || options.validRegions.length > 0;
  let validDescription: string;
  if (heldOut) {
    validDescription = `held out: ${[...options.validChroms, ...options.validRegions.map((r) => formatRegion(r.chrom, r.start, r.end))].join(', ')}`;
  } else if (options.validFraction > 0) {
    log.warn(
      'no --valid-chroms or --valid-region: validating on a random fraction of windows, which overlap the training windows; the threshold will be optimistic',
    );
    const random = new Random(options.seed);
    const order = random.shuffle(windows.map((_, i) => i));
    for (const i of order.slice(0, Math.round(windows.length * options.validFraction))) windows[i]!.split = 'valid';
    validDescription = `random ${options.validFraction} of the windows, seed ${options.seed}`;
  } else {
    validDescription = 'none';
  }
  const trainWindows = windows.filter((w) => w.split === 'train');
  const validWindows = windows.filter((w) => w.split === 'valid');
  if (trainWindows.length === 0)
    throw new RnnseqError(
      `${inputs.genome.path}: no ${W} bp training windows are left outside the validation and excluded regions`,
      EXIT_DATA,
    );
  if (heldOut && validWindows.length === 0)
    throw new RnnseqError(
      `no ${W} bp window lies wholly inside the validation chromosomes or regions; choose larger ones or a smaller --window`,
      EXIT_DATA,
    );
  const labelledShare = (list: TagWindow[]) => round(share(list));
  if (heldOut && share(validWindows) === 0)
    throw new RnnseqError(
      `${inputs.labels.name}: no labelled base falls in the validation windows; choose other validation chromosomes or regions`,
      EXIT_DATA,
    );

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
    genome: inputs.genome.path,
    labels: inputs.labels.name,
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

  return {
    alphabet,
    classes: [TAG_NEGATIVE_CLASS, options.positiveClass],
    inputLength: W,
    train,
    ...(valid ? { valid } : {}),
    validDescription,
    sources: `genome ${inputs.genome.path}, labels ${inputs.labels.name}`,
    architecture: { task: 'tag' },
    summary: { tagWindows: summary },
    trainItems: train.items.length,
    trainWindows,
    validWindows,
  };
}

/**
 * Every tiled window that is neither excluded nor straddling a validation edge and is at most half N, in genome
 * order, encoded with its tags. One streaming pass after measuring the sequences, so no chromosome is held whole.
 */
async function collectWindows(options: TagTrainingPlan, inputs: TagTrainingInputs, alphabet: Alphabet, log: Logger): Promise<TagWindow[]> {
  const W = options.windowBp;
  const { genome } = inputs;
  const { lengths, lengthOf } = measureGenome(options, genome);
  const report = { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m) };
  const labelled = normaliseIntervals(
    (await regionsOnGenome(inputs.labels, genome, report)).map((r) => ({ chrom: r.chrom, start: r.start, end: r.end })),
  );
  if (labelled.size === 0) throw new RnnseqError(`${inputs.labels.name}: no regions on the sequences of ${genome.path}`, EXIT_DATA);

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
  await visitWindows(genome, requests, W, (chrom, start, bases) => {
    if (countN(bases) > W / 2) {
      mostlyN++;
      return;
    }
    const encoded = new Float32Array(W * alphabet.size);
    encodeBytes(bases, 0, W, encoding, alphabet.size, encoded);
    const onScanGrid = start % defaultTrackStride(W) === 0 || start === lengthOf.get(chrom)! - W;
    windows.push({
      chrom,
      start,
      split: splits.get(`${chrom}\t${start}`)!,
      item: { encoded, length: W },
      tags: windowTags(start, bases, labelled.get(chrom) ?? []),
      onScanGrid,
    });
  });
  if (mostlyN > 0) log.warn(`${mostlyN} window(s) more than half N were left out`);
  return windows;
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
