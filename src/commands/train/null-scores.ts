/**
 * Scores background windows with a trained model and stores the null distribution of its window score in the
 * checkpoint (rnnseq.json `nullScores`, src/engine/null-spec.ts), for scan's p-values and --fdr calls.
 *
 * - Scanners (train --genome): random genome windows away from the positives and any --exclude-region
 *   (src/seq/background-windows.ts), scored on both strands as scan scores them.
 * - Fixed-length classifiers (used with scan --class): for each class, seeded k-let-preserving shuffles of the
 *   training and validation sequences of the other classes (src/seq/shuffle.ts; k up to 4, the largest whose
 *   shuffles keep no long stretch of their originals: nullShuffleOrder), plus those classes' validation sequences
 *   as they are. Shuffles keep composition and short-word structure and break motifs; held-out negatives add real
 *   background the model never trained on. Shuffles of the class's own sequences are left out: in short sequences
 *   a dinucleotide shuffle keeps long pieces of a motif (measured: the null's top 1% reached the sites' scores).
 */
import { type NullScores, nullKey } from '../../engine/null-spec.js';
import type { RecurrentCore } from '../../engine/core.js';
import { Random } from '../../seq/random.js';
import type { SequenceModel } from '../../engine/sequence-model.js';
import type { TrainingSet } from '../../seq/training-set.js';
import type { GenomeSource } from '../../io/genome-source.js';
import type { Logger } from '../../log.js';
import { strandDistributions } from '../../scan/null-calibration.js';
import type { Alphabet } from '../../seq/alphabet.js';
import { packBatch } from '../../seq/batch.js';
import { visitBackgroundWindows } from '../../seq/background-windows.js';
import type { GenomeInterval, SequenceLength } from '../../seq/regions.js';
import { nullShuffleOrder, shuffleEncoded } from '../../seq/shuffle.js';
import { combineStrands } from '../../seq/strands.js';
import { checkNull, reportClassNullChecks } from './null-check.js';
import { byteEncodingTable, encodeBytes, reverseComplementEncoded } from '../../seq/windows.js';
import { loadModel, rewriteSpec } from '../shared/checkpoints.js';

const SHUFFLE_WORDS: Record<number, string> = { 2: 'dinucleotide', 3: 'trinucleotide', 4: 'tetranucleotide' };

/** Background windows per null (default of train --null-windows): 1,000 in the fitted tail. */
export const DEFAULT_NULL_WINDOWS = 20_000;

/**
 * Items per predict call at least: scoring keeps no activations for a backward pass, and at a training batch of 32
 * the per-call overhead, not the arithmetic, set the null's cost.
 */
const MIN_SCORING_BATCH = 256;

/** Scores encoded items batch by batch: every class's probability, forward and (nucleotides) reverse complement. */
class StrandScorer {
  readonly forward: number[][];
  readonly reverse: number[][] | undefined;
  private pending: Float32Array[] = [];
  private readonly batchSize: number;
  constructor(
    private readonly model: SequenceModel,
    private readonly channels: number,
    batchSize: number,
    bothStrands: boolean,
  ) {
    this.batchSize = Math.max(batchSize, MIN_SCORING_BATCH);
    const classes = model.info.classes.length;
    this.forward = Array.from({ length: classes }, () => []);
    this.reverse = bothStrands ? Array.from({ length: classes }, () => []) : undefined;
  }
  add(encoded: Float32Array): void {
    this.pending.push(encoded);
    if (this.pending.length >= this.batchSize) this.flush();
  }
  flush(): void {
    if (this.pending.length === 0) return;
    const steps = this.pending[0]!.length / this.channels;
    const run = (items: Float32Array[], into: number[][]) => {
      const probs = this.model.predict(
        packBatch(
          items.map((encoded) => ({ encoded, length: steps })),
          this.channels,
        ),
      );
      const classes = into.length;
      for (let r = 0; r < items.length; r++) for (let c = 0; c < classes; c++) into[c]!.push(probs[r * classes + c]!);
    };
    run(this.pending, this.forward);
    if (this.reverse) run(this.pending.map(reverseComplementEncoded), this.reverse);
    this.pending = [];
  }
}

export interface GenomeNullPlan {
  genome: GenomeSource;
  lengths: readonly SequenceLength[];
  windowBp: number;
  avoid: readonly GenomeInterval[];
  /** avoid holds the windows the model trained on as negatives too (scanner-calibration.ts) */
  avoidsTrainedNegatives: boolean;
  positiveClass: string;
  positiveIndex: number;
  windows: number;
  seed: number;
  bothStrands: boolean;
}

/** Scanners: scores genome background windows with the model in bestDir and stores the null there. */
export async function addGenomeNull(
  bestDir: string,
  core: RecurrentCore,
  plan: GenomeNullPlan,
  alphabet: Alphabet,
  batchSize: number,
  log: Logger,
): Promise<NullScores | undefined> {
  const { model } = await loadModel(bestDir, core);
  const table = byteEncodingTable(alphabet);
  const scorer = new StrandScorer(model, alphabet.size, batchSize, plan.bothStrands);
  let kept: number;
  try {
    kept = await visitBackgroundWindows(
      {
        genome: plan.genome,
        lengths: plan.lengths,
        windowBp: plan.windowBp,
        avoid: plan.avoid,
        maxN: Math.floor(plan.windowBp / 10),
        count: plan.windows,
      },
      new Random(plan.seed * 104729 + 3),
      (bases) => {
        const encoded = new Float32Array(plan.windowBp * alphabet.size);
        encodeBytes(bases, 0, plan.windowBp, table, alphabet.size, encoded);
        scorer.add(encoded);
      },
    );
    scorer.flush();
  } finally {
    model.dispose();
  }
  if (kept < 100) {
    log.warn(`only ${kept} background windows away from the positives: no null stored; scan will use the threshold`);
    return undefined;
  }
  const forward = Float32Array.from(scorer.forward[plan.positiveIndex]!);
  const reverse = scorer.reverse ? Float32Array.from(scorer.reverse[plan.positiveIndex]!) : undefined;
  const nullScores: NullScores = {
    source: `${kept} random ${plan.windowBp} bp windows of ${plan.genome.path} away from the positives${plan.avoidsTrainedNegatives ? ', the training negatives' : ''} and excluded regions`,
    seed: plan.seed,
    distributions: strandDistributions(plan.positiveClass, forward, reverse),
  };
  await rewriteSpec(bestDir, (spec) => ({ ...spec, nullScores }));
  log.info(`null distribution: ${nullScores.source} (for scan p-values and --fdr)`);
  return nullScores;
}

/** Fixed-length classifiers: shuffles of all sequences, plus held-out sequences of the other classes. */
export async function addClassifierNull(
  bestDir: string,
  core: RecurrentCore,
  sets: { train: TrainingSet; valid?: TrainingSet },
  alphabet: Alphabet,
  windows: number,
  seed: number,
  batchSize: number,
  log: Logger,
): Promise<void> {
  const { model } = await loadModel(bestDir, core);
  const classes = model.info.classes;
  const bothStrands = alphabet.name !== 'protein';
  const sources = [...sets.train.items, ...(sets.valid?.items ?? [])];
  const sourceLabels = [...(sets.train.labels ?? []), ...(sets.valid?.labels ?? [])];
  const shuffledFrom: number[] = [];
  const rounds = Math.max(1, Math.ceil(windows / Math.max(1, sources.length)));
  const random = new Random(seed * 15485863 + 11);
  const order = nullShuffleOrder(
    sources.map((item) => item.encoded),
    alphabet.size,
    new Random(seed * 15485863 + 12),
  );
  const shuffled = new StrandScorer(model, alphabet.size, batchSize, bothStrands);
  const heldOut = new StrandScorer(model, alphabet.size, batchSize, bothStrands);
  let shuffles = 0;
  try {
    for (let round = 0; round < rounds && shuffles < windows; round++) {
      for (const [index, item] of sources.entries()) {
        if (shuffles >= windows) break;
        shuffled.add(shuffleEncoded(item.encoded, alphabet.size, random, order));
        shuffledFrom.push(sourceLabels[index] ?? -1);
        shuffles++;
      }
    }
    shuffled.flush();
    sets.valid?.items.forEach((item) => heldOut.add(item.encoded));
    heldOut.flush();
  } finally {
    model.dispose();
  }
  const labels = sets.valid?.labels;
  const distributions: NullScores['distributions'] = {};
  classes.forEach((name, c) => {
    const others = labels ? [...labels.keys()].filter((i) => labels[i] !== c) : [];
    const fromOthers = shuffledFrom.map((label, i) => (label !== c ? i : -1)).filter((i) => i >= 0);
    const forward = Float32Array.from([...fromOthers.map((i) => shuffled.forward[c]![i]!), ...others.map((i) => heldOut.forward[c]![i]!)]);
    const reverse = shuffled.reverse
      ? Float32Array.from([...fromOthers.map((i) => shuffled.reverse![c]![i]!), ...others.map((i) => heldOut.reverse![c]![i]!)])
      : undefined;
    if (forward.length < 100) return;
    Object.assign(distributions, strandDistributions(name, forward, reverse));
  });
  const main = bothStrands ? 'both-max' : '+'; // what scan --class combines a DNA window's strands by
  const checks = classes.flatMap((name, c) => {
    const dist = distributions[nullKey(name, main)];
    if (!labels || !dist) return [];
    const reverse = heldOut.reverse?.[c];
    const scores = heldOut.forward[c]!.map((f, i) => (reverse ? combineStrands(f, reverse[i]!, 'max') : f));
    const check = checkNull(
      scores,
      Array.from(labels, (label) => label === c),
      dist,
    );
    return check ? [{ name, check }] : [];
  });
  const nullScores: NullScores = {
    source: `${shuffles} shuffles of the training and validation sequences keeping every ${order}-let (${SHUFFLE_WORDS[order] ?? `${order}-mer`} counts); each class's null: the shuffles of the other classes' sequences and their held-out sequences`,
    seed,
    distributions,
  };
  await rewriteSpec(bestDir, (spec) => ({ ...spec, nullScores }));
  log.info(`null distribution: ${nullScores.source} (for scan --class p-values and --fdr)`);
  reportClassNullChecks(checks, log);
}
