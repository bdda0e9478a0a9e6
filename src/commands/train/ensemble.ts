/**
 * train --ensemble N: members 2..N trained as runs of their own in RUN/members/K (seeds seed+1 .., the first
 * member's validation split), member 1 being the run itself; then RUN/best becomes one checkpoint holding every
 * member (src/engine/checkpoint.ts `ensemble`), which classify, scan and explain average. Its validation numbers
 * and, for fixed-length classifiers, its null are computed again for the average: a member's say nothing of it.
 *
 * Members trained elsewhere (--member K, one per array job) leave RUN/members/K/member.json when done; the main
 * run skips those and trains only what is missing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENSEMBLE_CHECKPOINT_VERSION, type EnsembleMember, type ModelSpec, validateSpec } from '../../engine/checkpoint.js';
import type { RecurrentCore } from '../../engine/core.js';
import { evaluate } from '../../engine/evaluate.js';
import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import { exists, writeFileAtomically } from '../../io/atomic.js';
import { CHECKPOINT_FILES, checkpointFileNames, readCheckpoint, writeCheckpoint } from '../../io/checkpoint-store.js';
import type { Logger } from '../../log.js';
import type { AlphabetName } from '../../seq/alphabet.js';
import type { TrainingSet } from '../../seq/training-set.js';
import { loadModel, readSpec } from '../shared/checkpoints.js';
import { MEMBER_DONE_FILE, memberDir, memberSeed } from './ensemble-layout.js';
import { HELD_OUT_BEST_DIR } from './refit.js';
import type { TrainOptions } from './options.js';
import { validPredictions } from './valid-predictions.js';

/** What a finished member reports (member.json), so a later run can assemble without retraining it. */
export interface MemberOutcome {
  seed: number;
  bestEpoch: number;
  validLoss: number;
  validMetric?: number;
}

type TrainRun = (options: TrainOptions) => Promise<Omit<MemberOutcome, 'seed'> | undefined>;

/** Marks a member run finished (written last, atomically: its presence means best/ is complete). */
export async function markMemberDone(out: string, outcome: MemberOutcome): Promise<void> {
  await writeFileAtomically(join(out, MEMBER_DONE_FILE), `${JSON.stringify(outcome, null, 2)}\n`);
}

async function readMemberDone(dir: string): Promise<MemberOutcome | undefined> {
  const path = join(dir, MEMBER_DONE_FILE);
  if (!(await exists(path))) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as MemberOutcome;
}

/**
 * --ensemble auto trains members below both sizes: where seed-to-seed spread is largest (splice at 250
 * sequences: 0.78-0.82 accuracy by seed) and each member is cheap. Long sequences make members expensive (EP300
 * enhancers, 375 of ~900 bp: three members, each with its k-mer branch candidate, took 16 minutes for no gain).
 */
export const AUTO_ENSEMBLE_BELOW = { sequences: 1000, residues: 250_000 };
export const AUTO_ENSEMBLE_MEMBERS = 3;

/**
 * The recipe's weight decay on the same small sets (no --weight-decay given): at least 1 instead of 0.01 (AdamW's
 * decay is per unit learning rate, so at 0.01 a weight shrinks by at most 1% a step). One model fits 250 splice
 * sequences by epoch 20; stronger decay kept helping as it rose. Ensemble of 3, 3 seeds, test metric at decay
 * 0.1 / 0.3 / 1: splice at 250 0.850 / 0.876 / 0.929 (one-hot MLP 0.874), clip-pum2 at 250 0.809 / 0.816 / 0.836
 * (gkm-SVM 0.827), oct4-mafk at 250 0.924 / 0.950 / 0.960 (gkm-SVM 0.944); at 500 and on the other small tasks:
 * README.
 *
 * DNA and RNA under TINY_DATA_BELOW labelled sequences, 3: at 100 sequences decay 3 instead of 1 raised all three
 * tasks measured there (5 seeds: splice 0.860 -> 0.872, oct4-mafk 0.904 -> 0.916, promoter-boxes 0.795 -> 0.820;
 * decay 6 alike), and at 150 two CLIP tasks it was not chosen on (clip-nova 0.822 -> 0.855, clip-qki 0.872 ->
 * 0.902). Proteins at 150 lost by it (coiled-coil 0.648 -> 0.617, protein-remote 0.860 -> 0.852), so they keep 1.
 * Not a smooth 1/n: 300 / n, i.e. 1.2 at 250, lost at 250 on all three of splice, oct4-mafk and clip-pum2 (3 seeds,
 * -0.005 to -0.016), so 250 keeps 1 and the step sits between the two measured sizes.
 */
export const SMALL_DATA_WEIGHT_DECAY = 1;
export const TINY_DATA_BELOW = 200;
export const TINY_DATA_WEIGHT_DECAY = 3;

/** The small-data weight decay for this many labelled sequences (before reverse complements) of this alphabet. */
export function smallDataWeightDecay(sequences: number, alphabet: AlphabetName): number {
  return sequences < TINY_DATA_BELOW && alphabet !== 'protein' ? TINY_DATA_WEIGHT_DECAY : SMALL_DATA_WEIGHT_DECAY;
}

/**
 * The regime both small-data choices (the ensemble, the weight decay) share: a FASTA classifier trained on the step
 * budget (--epochs auto) with few enough sequences and residues that variance, not bias, limits a model.
 */
export function isSmallData(labelled: { sequences: number; residues: number }, stepBudget: boolean): boolean {
  return stepBudget && labelled.sequences < AUTO_ENSEMBLE_BELOW.sequences && labelled.residues < AUTO_ENSEMBLE_BELOW.residues;
}

/** --ensemble auto: AUTO_ENSEMBLE_MEMBERS members on small data (isSmallData), else one. A number given wins. */
export function ensembleSize(requested: number | 'auto', smallData: boolean): number {
  if (requested !== 'auto') return requested;
  return smallData ? AUTO_ENSEMBLE_MEMBERS : 1;
}

export interface EnsembleContext {
  options: TrainOptions;
  count: number;
  first: MemberOutcome;
  valid: TrainingSet | undefined;
  core: RecurrentCore;
  batchSize: number;
  /**
   * scores the assembled ensemble's null where the first member would have had one (refitted: some member trained
   * on the validation sequences, which then stay out of it)
   */
  addNull?: (bestDir: string, refitted: boolean) => Promise<void>;
  log: Logger;
  train: TrainRun;
}

/** Trains the missing members and makes RUN/best the ensemble; returns the ensemble's validation numbers. */
export async function finishEnsemble(ctx: EnsembleContext): Promise<MemberOutcome | undefined> {
  const { options, log, count } = ctx;
  const seed = options.config.seed;
  const bestDir = join(options.out, 'best');
  // Member 1 is this run: its best/ (and a refit's held-out model) is copied aside before best/ becomes the ensemble.
  const firstDir = memberDir(options.out, 1);
  const { spec: firstSpec } = await readSpec(bestDir);
  if (!firstSpec.ensemble) await copyCheckpoint(bestDir, join(firstDir, 'best'));
  if (firstSpec.training.refit !== undefined) await copyCheckpoint(join(options.out, HELD_OUT_BEST_DIR), join(firstDir, HELD_OUT_BEST_DIR));
  await markMemberDone(firstDir, ctx.first);
  const outcomes: MemberOutcome[] = [ctx.first];
  for (let k = 2; k <= count; k++) {
    const dir = memberDir(options.out, k);
    let done = await readMemberDone(dir);
    if (!done) {
      const started = await exists(join(dir, 'last', CHECKPOINT_FILES.spec));
      if (started && !options.resume) {
        throw new RnnseqError(
          `${dir} holds an unfinished member (another job may still be training it): wait for it, or continue with --resume`,
          EXIT_USAGE,
        );
      }
      log.info(`ensemble: training member ${k} of ${count} (seed ${memberSeed(seed, k)}) in ${dir}`);
      const member = await ctx.train({
        ...options,
        out: dir,
        resume: started,
        config: { ...options.config, seed: memberSeed(seed, k) },
        splitSeed: options.splitSeed ?? seed,
        ensemble: { count, member: k },
        nullWindows: 0,
      });
      if (!member || process.exitCode) return undefined;
      done = { seed: memberSeed(seed, k), ...member };
    }
    outcomes.push(done);
  }
  await assemble(options.out, outcomes, 'best', bestDir);
  // Refitted members trained on the validation split: the ensemble of their held-out models measures them.
  const refitted = await heldOutMembers(options.out, count);
  const heldOutDir = join(options.out, HELD_OUT_BEST_DIR);
  if (refitted) await assemble(options.out, outcomes, refitted, heldOutDir);
  const { model, spec } = await loadModel(refitted ? heldOutDir : bestDir, ctx.core);
  try {
    const validation = ctx.valid ? evaluate(model, ctx.valid, ctx.batchSize) : undefined;
    const binary = spec.classes.length === 2;
    const metric = validation ? (binary ? validation.auroc : validation.accuracy) : undefined;
    const name = binary ? 'AUROC' : 'accuracy';
    const each = outcomes.map((o) => (o.validMetric === undefined ? '-' : o.validMetric.toFixed(4))).join(', ');
    log.info(
      validation
        ? `ensemble of ${count}: validation ${name} ${metric!.toFixed(4)}, loss ${validation.loss.toFixed(4)} (members: ${name} ${each}); model in ${bestDir}`
        : `ensemble of ${count} in ${bestDir} (no validation set to score it on)`,
    );
    if (validation) {
      // the numbers scored on the held-out ensemble go into it and into the refitted one beside it
      if (refitted) await storeValidation(heldOutDir, spec, validation, ctx.valid!, outcomes);
      await storeValidation(bestDir, refitted ? (await readSpec(bestDir)).spec : spec, validation, ctx.valid!, outcomes);
    }
    await ctx.addNull?.(bestDir, refitted !== undefined);
    return {
      seed,
      bestEpoch: ctx.first.bestEpoch,
      validLoss: validation?.loss ?? ctx.first.validLoss,
      ...(metric !== undefined ? { validMetric: metric } : {}),
    };
  } finally {
    model.dispose();
  }
}

async function copyCheckpoint(from: string, to: string): Promise<void> {
  const names = await checkpointFileNames(from);
  const { spec, files } = await readCheckpoint(from, names);
  await writeCheckpoint(
    to,
    spec,
    [...files].map(([name, data]) => ({ name, data })),
  );
}

/**
 * `target` (RUN/best): member 1's checkpoint plus every other member's architecture and weights
 * (member-K.weights.bin), each member's from its folder `checkpoint` (one name for all, or one per member).
 */
async function assemble(
  out: string,
  outcomes: readonly MemberOutcome[],
  checkpoint: string | readonly string[],
  target: string,
): Promise<void> {
  const count = outcomes.length;
  const dirOf = (k: number) => join(memberDir(out, k), typeof checkpoint === 'string' ? checkpoint : checkpoint[k - 1]!);
  const first = await readCheckpoint(dirOf(1), await checkpointFileNames(dirOf(1)));
  const firstSpec = validateSpec(first.spec, first.dir);
  const members: EnsembleMember[] = [];
  const files = [...first.files].map(([name, data]) => ({ name, data }));
  for (let k = 2; k <= count; k++) {
    const dir = dirOf(k);
    const read = await readCheckpoint(dir, [CHECKPOINT_FILES.weights]);
    const spec = validateSpec(read.spec, read.dir);
    if (spec.ensemble) throw new RnnseqError(`${dir}: a member cannot itself be an ensemble`, EXIT_USAGE);
    if (
      spec.alphabet !== firstSpec.alphabet ||
      spec.classes.join('\t') !== firstSpec.classes.join('\t') ||
      spec.inputLength !== firstSpec.inputLength
    ) {
      throw new RnnseqError(
        `${dir}: its alphabet, classes or input length differ from member 1's: train every member on the same data`,
        EXIT_USAGE,
      );
    }
    const file = `member-${k}.weights.bin`;
    files.push({ name: file, data: read.files.get(CHECKPOINT_FILES.weights)! });
    members.push({
      architecture: spec.architecture,
      weights: { ...spec.weights, file },
      seed: outcomes[k - 1]!.seed,
      bestEpoch: outcomes[k - 1]!.bestEpoch,
    });
  }
  const spec: ModelSpec = { ...firstSpec, formatVersion: ENSEMBLE_CHECKPOINT_VERSION, ensemble: { members } };
  delete spec.nullScores; // the first member's: the ensemble gets its own below, where it gets one
  await writeCheckpoint(target, validateSpec(spec, target), files);
}

/**
 * Where any member was refitted (refit.ts), each member's held-out model: its held-out-best/, or its best/ where it
 * was not refitted (a member trained elsewhere with --no-refit); undefined where none was.
 */
async function heldOutMembers(out: string, count: number): Promise<string[] | undefined> {
  const names: string[] = [];
  for (let k = 1; k <= count; k++)
    names.push((await exists(join(memberDir(out, k), HELD_OUT_BEST_DIR, CHECKPOINT_FILES.spec))) ? HELD_OUT_BEST_DIR : 'best');
  return names.includes(HELD_OUT_BEST_DIR) ? names : undefined;
}

/**
 * --resume of a run whose best/ is already the assembled ensemble: member 1's own models go back to RUN/best (and
 * RUN/held-out-best), so the steps after training replay from them and the ensemble is assembled again.
 */
export async function undoAssembly(out: string): Promise<void> {
  const bestDir = join(out, 'best');
  const first = memberDir(out, 1);
  const { spec } = await readSpec(bestDir).catch(() => ({ spec: undefined }));
  if (!spec?.ensemble || !(await exists(join(first, 'best', CHECKPOINT_FILES.spec)))) return;
  await copyCheckpoint(join(first, 'best'), bestDir);
  if (await exists(join(first, HELD_OUT_BEST_DIR, CHECKPOINT_FILES.spec)))
    await copyCheckpoint(join(first, HELD_OUT_BEST_DIR), join(out, HELD_OUT_BEST_DIR));
}

/** The ensemble's validation numbers in rnnseq.json (metrics.ensemble) and its predictions for `rnnseq report`. */
async function storeValidation(
  bestDir: string,
  spec: ModelSpec,
  validation: ReturnType<typeof evaluate>,
  valid: TrainingSet,
  outcomes: MemberOutcome[],
): Promise<void> {
  const names = await checkpointFileNames(bestDir);
  const { files } = await readCheckpoint(bestDir, names);
  const predictions = validPredictions(validation, valid, spec.classes);
  if (predictions) files.set(CHECKPOINT_FILES.validPredictions, predictions);
  const updated: ModelSpec = {
    ...spec,
    metrics: {
      ...spec.metrics,
      ensemble: {
        members: outcomes.length,
        validLoss: validation.loss,
        validAccuracy: validation.accuracy,
        validAuroc: validation.auroc,
        memberValidMetric: outcomes.map((o) => o.validMetric ?? null),
      },
    },
  };
  await writeCheckpoint(
    bestDir,
    updated,
    [...files].map(([name, data]) => ({ name, data })),
  );
}
