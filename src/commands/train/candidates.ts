/**
 * The recipe's further candidates, trained only where the k-mer baseline beat the first model on validation (or,
 * on small data, tied it), so runs the recurrent model wins cost nothing more. Each candidate is a run of its own
 * in a folder of the run directory, with the same data, split and baseline fit; RUN/best becomes whichever model
 * validated best, and the model it replaced is kept beside it.
 *
 * - Protein under the recipe's max pooling: a mean-pooled candidate first. A max over positions lets a protein
 *   family model fit its training set on a few residues and generalise no further (protein-remote, 150
 *   sequences: fitted by epoch 24, validation at chance, test 0.16; mean pooling 0.64-0.77; at 360: 0.75 and
 *   0.99), while localisation signals, short peptides at one end, need the max (extracell-mito at 250: 0.96 with
 *   max, 0.91 with mean). The max-pooled family models lose to the k-mers on validation and the localisation
 *   models do not, so the validation verdict tells the two apart.
 * - Then, still behind, a k-mer branch started from the baseline's fit (engine/kmer-branch.ts).
 */
import { cp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BaselineReport, baselineVerdict, metricName } from '../../engine/baseline-check.js';
import { exists } from '../../io/atomic.js';
import { CHECKPOINT_FILES } from '../../io/checkpoint-store.js';
import type { Logger } from '../../log.js';
import type { AlphabetName } from '../../seq/alphabet.js';
import type { ModelSpec } from '../../engine/checkpoint.js';
import { METRICS_FILE, rewriteSpec } from '../shared/checkpoints.js';
import type { TrainOptions } from './options.js';

/** What a finished run reports to a caller comparing candidates: its best epoch's validation numbers. */
export interface RunOutcome {
  bestEpoch: number;
  validLoss: number;
  /** AUROC (two classes) or accuracy, where a baseline was fitted */
  validMetric?: number;
}

type TrainRun = (options: TrainOptions) => Promise<RunOutcome | undefined>;

/** The candidate runs' directories inside a run directory. */
export const MEAN_POOL_CANDIDATE_DIR = 'mean-pool';
export const BRANCH_CANDIDATE_DIR = 'kmer-branch';
/** Where the max-pooled model goes when the mean-pooled candidate replaces it as best/. */
export const MAX_POOL_BEST_DIR = 'max-pool-best';
/** Where the recurrent-only model goes when the k-mer branch candidate replaces it as best/. */
export const RECURRENT_BEST_DIR = 'recurrent-best';

/**
 * Why the model falls short of the baseline on validation, or undefined where it does not. On small data a tie
 * counts too: a validation set of ~10 sequences ties often (splice at 100: 9 of 9 right for both), and the tie
 * then says nothing about test.
 */
export function shortfall(baseline: BaselineReport, outcome: RunOutcome, smallData: boolean): string | undefined {
  if (outcome.validMetric === undefined) return undefined;
  const verdict = baselineVerdict(baseline, outcome.validMetric);
  if (verdict || !smallData || outcome.validMetric !== baseline.validMetric) return verdict;
  return `the model only ties the k-mer baseline on validation (${fixed(outcome.validMetric)})`;
}

export interface CandidateRequest {
  /** the run's options, with its baseline fits to reuse and the null windows a candidate scores */
  options: TrainOptions;
  baseline: BaselineReport;
  alphabet: AlphabetName;
  smallData: boolean;
  train: TrainRun;
  log: Logger;
}

/** One rival for the run's place: where it trains, what it changes, and the words its log lines use. */
interface Candidate {
  dir: string;
  /** where the model it replaces goes */
  keep: string;
  /** what the log says it trains with */
  what: string;
  /** its name and the replaced model's, in the verdict */
  with: string;
  without: string;
  /** no further candidates or refit of its own (poolAuto, kmerBranch, refit): this run decides what comes next */
  changes(options: TrainOptions): Partial<TrainOptions>;
}

const MEAN_POOL: Candidate = {
  dir: MEAN_POOL_CANDIDATE_DIR,
  keep: MAX_POOL_BEST_DIR,
  what: 'mean pooling (protein)',
  with: 'mean pooling',
  without: 'max',
  changes: (options) => ({
    architecture: { ...options.architecture, pool: 'mean' },
    choices: { ...options.choices, poolAuto: false, kmerBranch: false, refit: false },
  }),
};

/**
 * Why not the branch from the start: started from a baseline that already fits the training set (small data, a
 * small penalty), the recurrent layers see almost no training loss left to learn from (splice at 500 sequences:
 * 0.93 accuracy without the branch, 0.80 with it), while on composition-driven sets it is what reaches the baseline
 * (ep300-enhancers: 0.77 without, 0.90 with, k-mers 0.90).
 */
const KMER_BRANCH: Candidate = {
  dir: BRANCH_CANDIDATE_DIR,
  keep: RECURRENT_BEST_DIR,
  what: 'a k-mer branch started from its fit',
  with: 'the k-mer branch',
  without: 'recurrent-only',
  changes: (options) => ({ choices: { ...options.choices, poolAuto: false, kmerBranch: true, refit: false } }),
};

/**
 * Trains the candidates `first` (the run's model, behind for `reason`) calls for, in order, until one is no longer
 * behind; returns the outcome of the model RUN/best then holds, or undefined where a candidate was interrupted.
 */
export async function trainCandidates(request: CandidateRequest, first: RunOutcome, reason: string): Promise<RunOutcome | undefined> {
  const { options, baseline, log } = request;
  const order = [
    ...(wantsMeanPool(options, request.alphabet) ? [MEAN_POOL] : []),
    ...(options.choices.kmerBranch === 'auto' ? [KMER_BRANCH] : []),
  ];
  if (options.resume) await restoreFirstModel(options.out);
  let kept = first;
  let behind: string | undefined = reason;
  for (const candidate of order) {
    const dir = join(options.out, candidate.dir);
    log.info(`recipe: ${behind}; training a candidate with ${candidate.what}, in ${dir}`);
    const outcome = await request.train({
      ...options,
      ...candidate.changes(options),
      out: dir,
      resume: await resumable(options, dir),
      ensemble: { count: 1 }, // a candidate for one member's place, not an ensemble of its own
    });
    if (!outcome || process.exitCode) return undefined;
    kept = await keepBetter(request, kept, outcome, candidate);
    behind = shortfall(baseline, kept, request.smallData);
    if (!behind) return kept;
  }
  const still = shortfall(baseline, kept, false);
  if (still) log.warn(still);
  return kept;
}

/** Whether a run behind the baseline gets any candidate (--no-kmer-branch and --pool given: none). */
export function wantsCandidates(options: TrainOptions, alphabet: AlphabetName): boolean {
  return options.choices.kmerBranch === 'auto' || wantsMeanPool(options, alphabet);
}

/** Only where the recipe chose the max (no --pool given): a user's --pool max is a choice, not a default. */
function wantsMeanPool(options: TrainOptions, alphabet: AlphabetName): boolean {
  return alphabet === 'protein' && options.choices.poolAuto && options.architecture.pool === 'max';
}

/**
 * A resumed run replays the candidates from its first model, so best/ must hold that model again: a candidate that
 * already replaced it (interrupted later, at the next candidate) goes back, and the model it displaced returns.
 * Later candidates first: each displaced the one before.
 */
async function restoreFirstModel(out: string): Promise<void> {
  for (const candidate of [KMER_BRANCH, MEAN_POOL]) {
    if (await sameSpec(join(out, 'best'), join(out, candidate.dir, 'best'))) await restoreReplaced(out, candidate.keep);
  }
}

/** Whether the run in `dir` continues a --resume'd run's own, started there before. */
export async function resumable(options: TrainOptions, dir: string): Promise<boolean> {
  return options.resume && (await exists(join(dir, 'last', CHECKPOINT_FILES.spec)));
}

/** The model a candidate (or a refit) displaced into `keep` goes back to RUN/best, where it is kept. */
export async function restoreReplaced(out: string, keep: string): Promise<void> {
  const kept = join(out, keep);
  if (!(await exists(join(kept, CHECKPOINT_FILES.spec)))) return;
  const best = join(out, 'best');
  await rm(best, { recursive: true, force: true });
  await rename(kept, best);
}

async function sameSpec(a: string, b: string): Promise<boolean> {
  const read = (dir: string) => readFile(join(dir, CHECKPOINT_FILES.spec), 'utf8').catch(() => undefined);
  const [left, right] = await Promise.all([read(a), read(b)]);
  return left !== undefined && left === right;
}

/**
 * The candidate becomes RUN/best where its validation metric is higher (a tie: lower validation loss), the model
 * it replaces moving to RUN/`names.keep`; otherwise it stays in its own folder.
 */
async function keepBetter(request: CandidateRequest, kept: RunOutcome, candidate: RunOutcome, names: Candidate): Promise<RunOutcome> {
  const { options, baseline, log } = request;
  const better =
    (candidate.validMetric ?? Number.NEGATIVE_INFINITY) > (kept.validMetric ?? Number.NEGATIVE_INFINITY) ||
    (candidate.validMetric === kept.validMetric && candidate.validLoss < kept.validLoss);
  const numbers = `validation ${metricName(baseline.metric)} ${fixed(candidate.validMetric)} with ${names.with}, ${fixed(kept.validMetric)} for the ${names.without} model`;
  const dir = join(options.out, names.dir);
  if (!better) {
    log.info(`recipe: kept the ${names.without} model (${numbers}); the candidate stays in ${dir}`);
    return kept;
  }
  await replaceBest(options.out, dir, join(options.out, names.keep));
  log.info(`recipe: ${join(options.out, 'best')} is now the model with ${names.with} (${numbers}); the other is in ${names.keep}/`);
  return candidate;
}

/**
 * The candidate run's best checkpoint becomes `${out}/best`, with its run's history inside (METRICS_FILE; or
 * `carry.history`, and `carry.files` from the replaced best; `carry.rewrite` edits its spec); the old best moves
 * to `keep`. Staged beside its target first, so what is left after a crash is either the old best or the new one,
 * never half a checkpoint.
 */
export async function replaceBest(
  out: string,
  candidateRun: string,
  keep: string,
  carry: { history?: string; files?: readonly string[]; rewrite?: (spec: ModelSpec) => ModelSpec } = {},
): Promise<void> {
  const staged = join(out, `.best-${process.pid}.tmp`);
  const best = join(out, 'best');
  await rm(staged, { recursive: true, force: true });
  await cp(join(candidateRun, 'best'), staged, { recursive: true });
  const history = carry.history ?? join(candidateRun, METRICS_FILE);
  if (await exists(history)) await cp(history, join(staged, METRICS_FILE));
  for (const name of carry.files ?? []) if (await exists(join(best, name))) await cp(join(best, name), join(staged, name));
  if (carry.rewrite) await rewriteSpec(staged, carry.rewrite);
  await rm(keep, { recursive: true, force: true });
  await rename(best, keep);
  await rename(staged, best);
}

function fixed(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '-' : value.toFixed(4);
}
