/**
 * The refit: on small data, once the recipe has kept a model with a k-mer branch (after its candidates), the same
 * configuration is trained again on every labelled sequence, the validation split included, for the schedule the
 * held-out run followed up to the epoch it chose. RUN/best becomes the refit; the held-out model moves to RUN/held-out-best/,
 * and its validation numbers, curves and predictions stay the run's: the refit has no held-out data left to be
 * measured on, so they are the estimate of what it does (as cross-validation estimates a model refitted on all).
 *
 * Why: a validation split of ~10% is a tenth of the data on sets where every sequence counts. On protein-remote at
 * 150 sequences (12 families) the k-mer fit that the kept models carry classifies 0.84 of the test set from the 138
 * training sequences and 0.88 from all 150, the whole gap to a cross-validated k-mer model (README "Model quality").
 *
 * Why only the k-mer branch: such a model is mostly its penalised k-mer fit, which the refit starts again from a
 * fit to every sequence, so it gains directly from the data. A recurrent-only model chosen by early stopping on
 * 10-25 validation sequences depends on its training run, and a refit draws a new run without the check that chose
 * the old one: refitting every kept model moved coiled-coil at 150 from 0.688 to 0.664 and promoter-boxes from 0.820
 * to 0.811 (5 seeds) while protein-remote rose from 0.860 to 0.875 (README "Model quality").
 *
 * Where: FASTA classifiers on small data (ensemble.ts isSmallData) whose validation split is drawn from the input
 * (a --valid file is the user's own yardstick, and stays held out). Each ensemble member refits itself.
 */
import { join } from 'node:path';
import type { ModelSpec } from '../../engine/checkpoint.js';
import { exists } from '../../io/atomic.js';
import { CHECKPOINT_FILES } from '../../io/checkpoint-store.js';
import type { Logger } from '../../log.js';
import { METRICS_FILE, readSpec } from '../shared/checkpoints.js';
import { type RunOutcome, replaceBest, restoreReplaced, resumable } from './candidates.js';
import type { TrainOptions } from './options.js';

export const REFIT_DIR = 'refit';
/** Where the held-out model goes when its refit becomes RUN/best. */
export const HELD_OUT_BEST_DIR = 'held-out-best';

/** Whether a finished run may refit its kept model (refitKept then asks whether it has a k-mer branch). */
export function wantsRefit(options: TrainOptions, smallData: boolean): boolean {
  return (
    options.choices.refit &&
    smallData &&
    options.refit === undefined &&
    options.task === 'classify' &&
    options.genome === undefined &&
    options.tag === undefined &&
    options.valid === undefined &&
    options.validFraction > 0
  );
}

export interface RefitRequest {
  /** the run's options (with its data fits to reuse) */
  options: TrainOptions;
  /** the kept model's outcome, and the schedule length its run followed */
  kept: RunOutcome;
  epochs: number;
  train: (options: TrainOptions) => Promise<RunOutcome | undefined>;
  log: Logger;
}

/**
 * Where the kept model has a k-mer branch, trains its configuration on every labelled sequence in RUN/refit and
 * makes it RUN/best; returns the kept model's outcome (its validation numbers stand for the refit), or undefined
 * where interrupted.
 */
export async function refitKept(request: RefitRequest): Promise<RunOutcome | undefined> {
  const { options, kept, log } = request;
  const best = join(options.out, 'best');
  const { spec } = await readSpec(best);
  if (spec.architecture.kmers === undefined) return kept;
  const dir = join(options.out, REFIT_DIR);
  log.info(
    `recipe: refitting the kept model on every labelled sequence (validation included), ${kept.bestEpoch} epoch(s) of its schedule, in ${dir}`,
  );
  const outcome = await request.train({
    ...options,
    ...keptConfiguration(options, spec),
    out: dir,
    resume: await resumable(options, dir),
    refit: { epochs: request.epochs, stopAfter: kept.bestEpoch },
    ensemble: { count: 1 },
  });
  if (!outcome || process.exitCode) return undefined;
  const history = (await exists(join(best, METRICS_FILE))) ? join(best, METRICS_FILE) : join(options.out, METRICS_FILE);
  const heldOut = join(options.out, HELD_OUT_BEST_DIR);
  await replaceBest(options.out, dir, heldOut, {
    history,
    files: [CHECKPOINT_FILES.validPredictions],
    rewrite: (refit) => heldOutNumbers(refit, spec, kept.bestEpoch),
  });
  log.info(`recipe: ${best} is now the refit; the held-out model, whose validation numbers it reports, is in ${HELD_OUT_BEST_DIR}/`);
  return kept;
}

/**
 * The kept model's configuration, read from its checkpoint: its pooling and its k-mer branch, with no candidates
 * of its own. Everything else the recipe decides again from the same data facts, to the same answers.
 */
function keptConfiguration(options: TrainOptions, spec: ModelSpec): Partial<TrainOptions> {
  const { pool } = spec.architecture;
  return {
    architecture: { ...options.architecture, ...(pool !== undefined ? { pool } : {}) },
    choices: { ...options.choices, poolAuto: false, kmerBranch: true, refit: false },
  };
}

/** The refit's spec with the held-out model's validation numbers, and a note of what it is. */
function heldOutNumbers(refit: ModelSpec, heldOut: ModelSpec, stopAfter: number): ModelSpec {
  return {
    ...refit,
    metrics: heldOut.metrics,
    data: { ...refit.data, ...(heldOut.data.baseline !== undefined ? { baseline: heldOut.data.baseline } : {}) },
    training: { ...refit.training, refit: { heldOut: HELD_OUT_BEST_DIR, epochs: stopAfter, heldOutEpoch: heldOut.training.epoch } },
  };
}

/**
 * --resume: a refit that already replaced RUN/best (its spec says so) goes back, so the steps before it replay
 * from the held-out model.
 */
export async function restoreHeldOut(out: string): Promise<void> {
  const { spec } = await readSpec(join(out, 'best')).catch(() => ({ spec: undefined }));
  if (spec?.training.refit !== undefined && !spec.ensemble) await restoreReplaced(out, HELD_OUT_BEST_DIR);
}
