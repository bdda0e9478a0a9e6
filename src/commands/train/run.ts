import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Architecture } from '../../engine/architecture.js';
import {
  type BaselineReport,
  type BaselineRun,
  describeBaseline,
  kmerBaselineForRun,
  modelMetricFor,
} from '../../engine/baseline-check.js';
import { startFromBaseline } from '../../engine/kmer-branch.js';
import { resolveBudget } from '../../engine/budget.js';
import { positionalSignal } from '../../engine/positional-kmers.js';
import { type FoldedFit, crossValidatedChoices } from '../../engine/cross-validated-choices.js';
import { type KmerBaselineOptions, describeFeatures } from '../../engine/kmer-baseline.js';
import { packTensors, unpackTensors, type TensorEntry } from '../../engine/checkpoint.js';
import { SequenceModel } from '../../engine/sequence-model.js';
import { type EpochReport, type NamedTensor, type TrainConfig, type TrainerState, lastEpoch, trainModel } from '../../engine/trainer.js';
import type { TrainingSet } from '../../seq/training-set.js';
import type { KmerStrands } from '../../seq/kmer-counts.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError } from '../../errors.js';
import { exists, removeStaleTemps, writeFileAtomically } from '../../io/atomic.js';
import { CHECKPOINT_FILES } from '../../io/checkpoint-store.js';
import { listenForStop } from '../../io/interrupt.js';
import type { Task } from '../../engine/architecture.js';
import { fastaInput } from '../../io/fasta.js';
import { idTableInput } from '../../io/id-table.js';
import type { Logger } from '../../log.js';
import type { Alphabet, AlphabetName } from '../../seq/alphabet.js';
import { prepareLmData } from '../../seq/lm-training.js';
import { prepareRecordData, withReverseComplements } from '../../seq/record-training.js';
import { removeDecoyPrior } from './decoy-prior.js';
import { addDecoys } from './decoys.js';
import { type PreparedData, type ResumedData, lengthRange } from '../../seq/training-data.js';
import { METRICS_FILE, loadModel, readSpec, saveModel } from '../shared/checkpoints.js';
import { createLogger, startRuntime } from '../shared/runtime.js';
import {
  AUTO_ENSEMBLE_BELOW,
  SMALL_DATA_WEIGHT_DECAY,
  TINY_DATA_BELOW,
  ensembleSize,
  finishEnsemble,
  isSmallData,
  markMemberDone,
  smallDataWeightDecay,
  undoAssembly,
} from './ensemble.js';
import { addClassifierNull } from './null-scores.js';
import { type RunOutcome, shortfall, trainCandidates, wantsCandidates } from './candidates.js';
import { refitKept, restoreHeldOut, wantsRefit } from './refit.js';
import { validPredictions } from './valid-predictions.js';
import type { TrainOptions } from './options.js';
import { prepareGenomeData } from './scanner-calibration.js';
import { fitCompositionSpec } from '../../engine/composition.js';
import { MAX_POSITION_BIAS, resolveDataChoices } from './recipe.js';
import { prepareTagger } from './tagger-calibration.js';
import { type EpochRecord, parseMetricsTsv } from '../../report/history.js';

/** rnnseq train: labelled FASTA -> a run directory with best/ and last/ checkpoints and metrics.tsv. */
export async function run(options: TrainOptions): Promise<RunOutcome | undefined> {
  const log = await createLogger(options);
  const lastDir = join(options.out, 'last');
  const resumeFrom = options.resume ? await readSpec(lastDir).catch(() => undefined) : undefined;
  if (options.resume && !resumeFrom) throw new RnnseqError(`--resume: ${lastDir} holds no checkpoint to resume from`, EXIT_USAGE);
  if (!options.resume && (await exists(join(options.out, 'last', CHECKPOINT_FILES.spec)))) {
    throw new RnnseqError(`${options.out} already holds a training run; use --resume to continue it or choose another -o`, EXIT_USAGE);
  }
  // A run killed with -9 mid-save left its temp copies; --resume is when someone comes back to this directory.
  for (const name of ['last', 'best', METRICS_FILE]) await removeStaleTemps(join(options.out, name));

  if (resumeFrom?.spec.window && !options.genome && !options.tag) {
    throw new RnnseqError(`${options.out} trains a scanner: resume it with the same --genome, --positives and window options`, EXIT_USAGE);
  }
  // A scanner (--genome) cuts its labelled windows from a genome and BED files; see scanner-calibration.ts.
  // A tagger (--task tag) tiles windows over a genome with per-base labels; see tagger-calibration.ts.
  const tagData = options.tag
    ? await prepareTagger(options.tag, resumeFrom ? (resumeFrom.spec.alphabet as AlphabetName) : options.alphabet, log)
    : undefined;
  const genomeData = options.genome
    ? await prepareGenomeData(options.genome, resumeFrom ? (resumeFrom.spec.alphabet as AlphabetName) : options.alphabet, log)
    : undefined;
  const prepared: PreparedData = tagData
    ? tagData
    : genomeData
      ? {
          ...genomeData,
          architecture: {},
          summary: { genomeWindows: genomeData.summary, lengthRange: lengthRange(genomeData.train.items) },
          trainItems: genomeData.train.items.length,
        }
      : await prepareFastaData(options, resumeFrom?.spec, log);
  const { alphabet, classes, valid, validDescription } = prepared;
  let { inputLength, train } = prepared;
  const unit = options.task === 'lm' || options.genome ? 'windows' : 'sequences';
  const what = options.task === 'lm' ? `${prepared.trainItems} training windows per epoch` : `${prepared.trainItems} training`;
  log.info(
    `${what} and ${valid?.items.length ?? 0} validation ${unit}, alphabet ${alphabet.name}${options.task === 'classify' ? `, classes ${classes.join(', ')}` : ''}`,
  );

  // Sequences of one length (as the recipe's per-position bias needs) also get the positional baseline candidates.
  const common = commonLength(train, valid);
  const fixedLength = inputLength ?? common;
  const baselinePositions =
    options.genome === undefined && fixedLength !== null && fixedLength <= MAX_POSITION_BIAS ? fixedLength : undefined;
  // A refit trains on its validation sequences too: count them once.
  const labelled = labelledSize(prepared.train, options.refit ? undefined : valid);
  const smallData = isSmallData(labelled, options.config.budget === 'auto' && 'items' in train);
  const wantBaseline = options.baseline && options.task === 'classify' && 'items' in train;

  // The recipe's data-driven choices (recipe.ts) rest on the k-mer model. On small data its answers come from
  // cross-validation over every labelled sequence (cross-validated-choices.ts), and so do the baseline's features
  // and penalty: ~10-40 validation sequences cannot choose among k-mer sizes, the positional candidates' 1,000
  // columns and their penalties (splice at 100: 2-mers at each position with almost no penalty, a fit the k-mer
  // branch then carried into the model; protein-remote: 2-mers on one split, where 3-mers classify 98% of its
  // held-out folds). A resumed run repeats the cross-validation (it is deterministic), as its baseline rests on it;
  // its recipe choices are read from the checkpoint.
  const reuse = options.reuse;
  const crossValidated = reuse
    ? reuse.crossValidated
    : smallData && wantBaseline
      ? crossValidatedFacts(options, train, valid, fixedLength, baselinePositions, alphabet, classes.length, log)
      : undefined;
  const search: KmerBaselineOptions = crossValidated
    ? { specs: [crossValidated.baseline.spec], lambdas: [crossValidated.baseline.lambda] }
    : baselinePositions === undefined
      ? {}
      : { positions: baselinePositions };
  // A refit fits the baseline again on every labelled sequence, for its k-mer branch to start from (its
  // validation is then in-sample, so it is not logged).
  const baselineRun =
    reuse?.baselineRun ??
    (wantBaseline && 'items' in train
      ? options.refit
        ? kmerBaselineForRun(train, valid, alphabet, classes.length, search)
        : runBaseline(train, valid, alphabet, classes.length, search, log)
      : undefined);
  const baseline = baselineRun?.report;
  const positionFacts = resumeFrom
    ? undefined
    : (crossValidated?.facts ??
      reuse?.positionFact ??
      positionFact(options, baseline, train, valid, fixedLength, alphabet, classes.length, log));

  const chosen = resumeFrom
    ? undefined
    : resolveDataChoices(options.choices, options.architecture.conv, options.architecture.embedDim, {
        alphabet: alphabet.name,
        inputLength,
        commonLength: common,
        medianLength: medianLength(train),
        ...(baseline ? { baselineStrands: baseline.strands } : {}),
        ...positionFacts,
        // Scanners and taggers show both strands unless --no-rc: their own flag decides, either way.
        strandsDecided: options.rcAugment || options.genome !== undefined || options.tag !== undefined,
        scanner: options.genome !== undefined,
      });
  // Reverse complements the recipe chose (not --rc-augment, which prepareRecordData applied); a resumed run reads
  // the choice from its checkpoint.
  const rcAugmented = chosen
    ? chosen.rcAugment && !options.rcAugment
    : (resumeFrom?.spec.training as { rcAugmented?: boolean } | undefined)?.rcAugmented === true;
  if (rcAugmented && 'items' in train) train = withReverseComplements(train);
  // The classifier's null (null-scores.ts) shuffles the real sequences, not the decoys added below.
  const realTrain = train;
  const decoys = addDecoys(options, resumeFrom?.spec, prepared, fixedLength, train, log);
  if (decoys) train = decoys.set;
  if (chosen) {
    inputLength = chosen.inputLength;
    if (chosen.reasons.length > 0) log.info(`recipe: ${chosen.reasons.join('; ')}`);
  }
  // A branch over positional features reads one length, as a per-position bias does.
  if (chosen && baseline?.bins !== undefined && options.choices.kmerBranch !== false && inputLength === null) inputLength = fixedLength;

  const ensembleCount = options.ensemble.member === undefined ? ensembleSize(options.ensemble.count, smallData) : 1;
  if (options.ensemble.count === 'auto' && ensembleCount > 1)
    log.info(
      `recipe: an ensemble of ${ensembleCount} models (seeds ${options.config.seed}..${options.config.seed + ensembleCount - 1}), averaged: ${labelled.sequences} labelled sequences, ${labelled.residues} residues (members below ${AUTO_ENSEMBLE_BELOW.sequences} and ${AUTO_ENSEMBLE_BELOW.residues})`,
    );

  // Small data under the step budget also gets more weight decay, more again for DNA or RNA under 200 sequences (ensemble.ts).
  const smallDecay = options.choices.weightDecayAuto && smallData ? smallDataWeightDecay(labelled.sequences, alphabet.name) : undefined;
  if (smallDecay !== undefined)
    log.info(
      `recipe: weight decay ${smallDecay} (small data, as for the ensemble${smallDecay > SMALL_DATA_WEIGHT_DECAY ? `; ${alphabet.name}, ${labelled.sequences} labelled sequences, under ${TINY_DATA_BELOW}` : ''})`,
    );

  const runtime = await startRuntime(options, log);
  // An epoch's items after any reverse complements the recipe added: the step budget counts what is trained.
  const epochItems = 'items' in train ? train.items.length : prepared.trainItems;
  const budgeted = resolveBudget(smallDecay !== undefined ? { ...options.config, weightDecay: smallDecay } : options.config, epochItems);
  // A refit follows the held-out run's schedule to the epoch that run chose, with nothing held out to stop it early.
  const requested = options.refit
    ? { ...budgeted, epochs: options.refit.epochs, patience: 0, stopAfter: options.refit.stopAfter }
    : budgeted;
  const config = resumeFrom ? { ...(resumeFrom.spec.training.config as TrainConfig), epochs: requested.epochs } : requested;
  if (options.config.budget === 'auto' && !options.refit)
    log.info(`--epochs auto: ${config.epochs} epochs, patience ${config.patience}, for ${epochItems} training items per epoch`);
  let model: SequenceModel;
  let resume: { state: TrainerState; optimizer: NamedTensor[] } | undefined;
  if (resumeFrom) {
    const loaded = await loadModel(lastDir, runtime.engine.core);
    model = loaded.model;
    resume = {
      state: loaded.spec.training.state as TrainerState,
      optimizer: readOptimizer(
        loaded.files.get(CHECKPOINT_FILES.optimizer),
        loaded.spec.training.optimizerTensors as TensorEntry[],
        lastDir,
      ),
    };
    resume.state.history = await withRecordedTimings(resume.state.history, join(options.out, METRICS_FILE));
    log.info(`resuming ${options.out} after epoch ${resume.state.epochsDone}`);
  } else {
    const { conv: _conv, embedDim: _embedDim, ...flagArchitecture } = options.architecture;
    const architecture: Architecture = {
      ...flagArchitecture,
      ...(chosen?.conv ? { conv: chosen.conv } : {}),
      ...(chosen?.embedDim !== undefined ? { embedDim: chosen.embedDim } : {}),
      ...prepared.architecture,
      inputSize: alphabet.size,
      numClasses: classes.length,
    };
    const branch = kmerBranchStart(options, baselineRun);
    if (branch) {
      architecture.kmers = {
        k: branch.report.k,
        strands: branch.report.strands as KmerStrands,
        ...(branch.report.bins !== undefined ? { bins: branch.report.bins } : {}),
      };
      log.info(`recipe: a k-mer branch in the head, started from the baseline's fit (${branch.report.description})`);
    }
    if (options.compositionK !== undefined) {
      // DNA shown on both strands gets strand-merged words: the reverse complements would carry the same weights.
      const canonical = alphabet.name === 'dna' && (rcAugmented || options.rcAugment || options.genome?.reverseComplement === true);
      architecture.composition = fitCompositionSpec('items' in train ? train.items : [], alphabet.size, options.compositionK, canonical);
    }
    model = SequenceModel.create({ alphabet: alphabet.name, classes, architecture, inputLength }, config.seed, runtime.engine.core);
    if (branch) startFromBaseline(model.params, architecture, branch.model);
  }

  const data = {
    sources: prepared.sources,
    trainSequences: prepared.trainItems,
    validSequences: valid?.items.length ?? 0,
    validation: validDescription,
    ...(genomeData ? { classCounts: Object.fromEntries(classes.map((c, i) => [c, countLabel(genomeData.train.labels, i)])) } : {}),
    ...prepared.summary,
    ...(baseline ? { baseline: storedBaseline(baseline) } : {}),
  };
  const progress = await log.progress(Math.ceil(epochItems / config.batchSize), 'batches');
  const stop = listenForStop();
  let outcome: RunOutcome | undefined;
  let classifierNullSets: Parameters<typeof addClassifierNull>[2] | undefined;
  try {
    const state = await trainModel(
      model,
      train,
      valid,
      config,
      {
        signal: stop.signal,
        onBatch: (done, _total, loss) => progress.update(done, { status: `loss ${loss.toFixed(4)}` }),
        onEpoch: async (report, trainerState, optimizerState, validation) => {
          progress.update(0);
          logEpoch(log, report, config.epochs, model.info.architecture.task ?? 'classify');
          const extras = {
            training: {
              command: options.command,
              config,
              ...(rcAugmented ? { rcAugmented: true } : {}),
              ...(decoys ? { decoys: decoys.record } : {}),
              architecture: model.info.architecture,
              state: withoutTimings(trainerState),
              epoch: report.epoch,
            },
            data,
            metrics: withoutTiming(report),
            backend: runtime.backend.name,
            engine: runtime.engine.description,
            ...(genomeData || tagData ? { window: (genomeData ?? tagData)!.window } : {}),
          };
          const predictions = validation && valid ? validPredictions(validation, valid, classes) : undefined;
          // A refit's validation sequences are trained on: its model is the one at the epoch it stops after.
          if (options.refit ? report.epoch === lastEpoch(config) : report.improved)
            await saveModel(
              join(options.out, 'best'),
              model,
              extras,
              predictions ? [{ name: CHECKPOINT_FILES.validPredictions, data: predictions }] : [],
            );
          const optimizer = await optimizerState();
          const packed = packTensors(optimizer.map((t, i) => ({ name: `optimizer.${i}`, tensor: t.tensor })));
          await saveModel(lastDir, model, { ...extras, training: { ...extras.training, optimizerTensors: packed.entries } }, [
            { name: CHECKPOINT_FILES.optimizer, data: packed.data },
          ]);
          await writeMetrics(join(options.out, METRICS_FILE), trainerState.history, baseline);
        },
      },
      resume,
    );
    progress.stop();
    if (stop.signal.aborted) {
      log.warn(
        state.epochsDone > 0
          ? `interrupted; ${join(options.out, 'last')} holds epoch ${state.epochsDone}: continue with --resume`
          : 'interrupted during the first epoch; nothing was saved (start again without --resume)',
      );
      process.exitCode = stop.exitCode();
      return undefined;
    }
    // --resume of a finished run replays the steps after training: best/ first goes back to the first model.
    if (options.resume && !options.refit) {
      if (options.ensemble.member === undefined) await undoAssembly(options.out);
      await restoreHeldOut(options.out);
    }
    await (genomeData ?? tagData)?.finish(join(options.out, 'best'), runtime.engine.core, config.batchSize);
    // Before the null: it must score the model classify and scan will load.
    const unleaned =
      decoys && (await removeDecoyPrior(join(options.out, 'best'), runtime.engine.core, decoys.prior, valid, config.batchSize, log));
    const classifierNull =
      !genomeData &&
      !tagData &&
      options.task === 'classify' &&
      inputLength !== null &&
      (options.nullWindows ?? 0) > 0 &&
      'items' in train &&
      !prepared.architecture.conditions &&
      !prepared.architecture.covariates;
    if (classifierNull && 'items' in realTrain) {
      // Validation sequences join the null as they are only where no model trained on them (refit.ts).
      const sets = { train: realTrain, ...(valid && !options.refit ? { valid } : {}) };
      classifierNullSets = sets;
      // An ensemble's first member: the ensemble scores its own null once assembled (finishEnsemble).
      if (ensembleCount < 2)
        await addClassifierNull(
          join(options.out, 'best'),
          runtime.engine.core,
          sets,
          alphabet,
          options.nullWindows!,
          config.seed,
          config.batchSize,
          log,
        );
    }
    const trained = state.history.find((r) => r.epoch === state.bestEpoch);
    const best = trained && unleaned ? { ...trained, ...unleaned } : trained;
    log.record(
      'done',
      {
        out: options.out,
        bestEpoch: state.bestEpoch,
        validAccuracy: best?.validAccuracy,
        validLoss: best?.validLoss,
        ...(best?.validExtra ? { valid: best.validExtra } : {}),
      },
      `rnnseq: done: best epoch ${state.bestEpoch}${best ? bestSummary(best, options.task) : ''}; model in ${join(options.out, 'best')}`,
    );
    outcome = best
      ? {
          bestEpoch: state.bestEpoch,
          validLoss: best.validLoss,
          ...(baseline ? { validMetric: modelMetricFor(baseline.metric, best) } : {}),
        }
      : undefined;
  } finally {
    progress.stop();
    stop.release();
    model.dispose();
  }
  if (!outcome) return undefined;
  const reason = baseline && !options.refit ? shortfall(baseline, outcome, smallData) : undefined;
  let final: RunOutcome | undefined = outcome;
  const fits = { crossValidated, baselineRun, positionFact: positionFacts };
  // in an ensemble, a candidate or refit is a member's: the ensemble scores the null (above)
  const nullWindows = ensembleCount < 2 ? options.nullWindows : 0;
  if (reason && baseline && wantsCandidates(options, alphabet.name)) {
    const request = { options: { ...options, reuse: fits, nullWindows }, baseline, alphabet: alphabet.name, smallData, train: run, log };
    final = await trainCandidates(request, outcome, reason);
  } else if (baseline && options.reuse === undefined) {
    // a candidate's caller says where the kept model stands; a tie is no warning
    const behind = shortfall(baseline, outcome, false);
    if (behind) log.warn(behind);
  }
  if (!final || process.exitCode) return final;
  if (wantsRefit(options, smallData)) {
    const refitFits = { ...fits, baselineRun: undefined };
    final = await refitKept({
      options: { ...options, reuse: refitFits, nullWindows },
      kept: final,
      epochs: config.epochs,
      train: run,
      log,
    });
    if (!final || process.exitCode) return final;
  }
  if (options.ensemble.member !== undefined) {
    await markMemberDone(options.out, { seed: config.seed, ...final });
    return final;
  }
  if (ensembleCount < 2) return final;
  return finishEnsemble({
    options,
    count: ensembleCount,
    first: { seed: config.seed, ...final },
    valid,
    core: runtime.engine.core,
    batchSize: config.batchSize,
    ...(classifierNullSets
      ? {
          addNull: (bestDir: string, refitted: boolean) =>
            addClassifierNull(
              bestDir,
              runtime.engine.core,
              refitted ? { train: classifierNullSets.train } : classifierNullSets,
              alphabet,
              options.nullWindows!,
              config.seed,
              config.batchSize,
              log,
            ),
        }
      : {}),
    log,
    train: run,
  });
}

/** Labelled FASTA or a language model's sequences: the files opened here, the data prepared in src/seq. */
function prepareFastaData(options: TrainOptions, resumed: ResumedData | undefined, log: Logger): Promise<PreparedData> {
  const { config, alphabet, validFraction } = options;
  if (options.task === 'lm') {
    const lm = { ...options.lm!, sources: options.lm!.sources.map((source) => ({ ...source, input: fastaInput(source.file) })) };
    return prepareLmData({ lm, alphabet, validFraction, seed: config.seed }, resumed, log);
  }
  const { valid, targetsFile, covariatesFile, refit, ...rest } = options;
  const plan = {
    ...rest,
    inputs: options.inputs.map(fastaInput),
    classFiles: options.classFiles.map(({ name, file }) => ({ name, file: fastaInput(file) })),
    ...(targetsFile !== undefined ? { targets: idTableInput(targetsFile) } : {}),
    ...(covariatesFile !== undefined ? { covariates: idTableInput(covariatesFile) } : {}),
    ...(valid !== undefined ? { valid: fastaInput(valid) } : {}),
    seed: options.splitSeed ?? config.seed,
    ...(refit ? { refit: true } : {}),
  };
  return prepareRecordData(plan, resumed, log);
}

function readOptimizer(data: Buffer | undefined, entries: TensorEntry[] | undefined, dir: string): NamedTensor[] {
  if (!data || !entries) throw new RnnseqError(`${dir}: optimizer state is missing; cannot resume exactly (start a new run)`, EXIT_DATA);
  return [...unpackTensors(entries, data, dir)].map(([name, tensor]) => ({ name, tensor }));
}

function logEpoch(log: import('../../log.js').Logger, r: EpochReport, epochs: number, task: Task): void {
  const pct = (v: number) => (Number.isNaN(v) ? '-' : `${(100 * v).toFixed(2)}%`);
  const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(4));
  const extra = r.validExtra ?? {};
  const measures =
    task === 'lm'
      ? `valid ${num(extra.bitsPerBase)} bits/base  perplexity ${num(extra.perplexity)}  acc ${pct(r.validAccuracy)}`
      : task === 'regress'
        ? `valid loss ${num(r.validLoss)}  mse ${num(extra.mse)}  pearson ${num(extra.pearson)}  spearman ${num(extra.spearman)}`
        : `acc ${pct(r.trainAccuracy)}  valid loss ${num(r.validLoss)}  acc ${pct(r.validAccuracy)}  auroc ${num(r.validAuroc)}`;
  log.record(
    'epoch',
    { ...r },
    `epoch ${r.epoch}/${epochs}  loss ${num(r.trainLoss)}  ${measures}  ${r.seconds.toFixed(1)}s ${Math.round(r.tokensPerSecond)} tok/s${r.improved ? '  *' : ''}`,
  );
}

function bestSummary(best: EpochReport, task: Task): string {
  const extra = best.validExtra ?? {};
  if (task === 'lm' && extra.bitsPerBase !== undefined)
    return `, validation ${extra.bitsPerBase.toFixed(4)} bits per base (perplexity ${extra.perplexity!.toFixed(3)})`;
  if (task === 'regress' && extra.pearson !== undefined)
    return `, validation Pearson ${extra.pearson.toFixed(4)}, Spearman ${extra.spearman!.toFixed(4)}`;
  return Number.isNaN(best.validAccuracy) ? '' : `, validation accuracy ${(100 * best.validAccuracy).toFixed(2)}%`;
}

/**
 * Wall-clock numbers stay out of checkpoints, so the same seed and data write byte-identical files; they are
 * in metrics.tsv and the log.
 */
function withoutTiming(report: EpochReport): Omit<EpochReport, 'seconds' | 'tokensPerSecond'> {
  const { seconds: _seconds, tokensPerSecond: _tokens, ...rest } = report;
  return rest;
}

function withoutTimings(state: TrainerState): TrainerState {
  return { ...state, history: state.history.map((r) => withoutTiming(r) as EpochReport) };
}

const METRIC_COLUMNS: Array<keyof EpochReport> = [
  'epoch',
  'trainLoss',
  'trainAccuracy',
  'validLoss',
  'validAccuracy',
  'validAuroc',
  'learningRate',
  'seconds',
  'tokensPerSecond',
  'improved',
];

/**
 * A resumed run's earlier epochs with the timings its metrics.tsv recorded: checkpoints hold none (withoutTiming),
 * and the file is rewritten from the history at every epoch. A missing or unreadable file leaves them blank.
 */
async function withRecordedTimings(history: EpochReport[], path: string): Promise<EpochReport[]> {
  let recorded: EpochRecord[];
  try {
    recorded = parseMetricsTsv(await readFile(path, 'utf8'), path);
  } catch {
    return history;
  }
  const byEpoch = new Map(recorded.map((r) => [r.epoch, r]));
  return history.map((r) => {
    const seen = byEpoch.get(r.epoch);
    if (!seen || !Number.isFinite(seen.seconds) || !Number.isFinite(seen.tokensPerSecond)) return r;
    return { ...r, seconds: seen.seconds!, tokensPerSecond: seen.tokensPerSecond! };
  });
}

async function writeMetrics(path: string, history: EpochReport[], baseline: BaselineReport | undefined): Promise<void> {
  // Task-specific validation numbers (bits per base, Pearson, ...) become extra columns: validBitsPerBase, ...
  const extras = [...new Set(history.flatMap((r) => Object.keys(r.validExtra ?? {})))];
  // The k-mer baseline's validation metric is one number per run: a constant column, to plot beside the model's.
  const baselineColumn = baseline ? [baseline.metric === 'auroc' ? 'kmerValidAuroc' : 'kmerValidAccuracy'] : [];
  const header = [...METRIC_COLUMNS, ...extras.map((k) => `valid${k[0]!.toUpperCase()}${k.slice(1)}`), ...baselineColumn];
  const cell = (v: unknown) => (v === undefined ? '' : String(v)); // blank: a resumed run's lost metrics.tsv
  const baselineCells = baseline ? [cell(baseline.validMetric)] : [];
  const lines = [
    header.join('\t'),
    ...history.map((r) =>
      [...METRIC_COLUMNS.map((c) => cell(r[c])), ...extras.map((k) => cell(r.validExtra?.[k])), ...baselineCells].join('\t'),
    ),
  ];
  await writeFileAtomically(path, `${lines.join('\n')}\n`);
}

/**
 * The k-mer linear baseline on the run's own split (engine/baseline-check.ts): a yardstick logged and stored beside
 * the model, never the model that ships (the k-mer branch candidate starts from its fit and trains on). Undefined
 * when there is nothing to compare on (no validation set, or a single class in it).
 */
function runBaseline(
  train: TrainingSet,
  valid: TrainingSet | undefined,
  alphabet: Alphabet,
  classCount: number,
  search: KmerBaselineOptions,
  log: Logger,
): BaselineRun | undefined {
  const run = kmerBaselineForRun(train, valid, alphabet, classCount, search);
  if (run) log.record('baseline', { ...run.report }, describeBaseline(run.report));
  return run;
}

/**
 * The k-mer branch (engine/kmer-branch.ts) when --kmer-branch or the recipe's second candidate asks for one: the
 * baseline's k and strands, and the fit the branch starts from; undefined when not asked (a resumed run reads it
 * from its checkpoint).
 */
function kmerBranchStart(options: TrainOptions, baselineRun: BaselineRun | undefined): BaselineRun | undefined {
  if (options.choices.kmerBranch !== true) return undefined;
  if (!baselineRun)
    throw new RnnseqError(
      '--kmer-branch: no k-mer baseline could be fitted (it needs a validation set holding more than one class)',
      EXIT_USAGE,
    );
  return baselineRun;
}

/**
 * Whether position in the sequence carries signal (engine/positional-kmers.ts), asked only where the recipe may
 * add a bias per position: a fixed input length (--length, or equal-length input) and a fitted baseline to take
 * the k-mers from.
 */
function positionFact(
  options: TrainOptions,
  baseline: BaselineReport | undefined,
  train: PreparedData['train'],
  valid: TrainingSet | undefined,
  fixedLength: number | null,
  alphabet: Alphabet,
  classCount: number,
  log: Logger,
): { positional?: boolean } {
  if (!baseline || options.choices.positionBias !== 'auto' || !options.architecture.conv || options.genome !== undefined) return {};
  if (!('items' in train) || !train.labels || !valid?.labels || fixedLength === null) return {};
  // The baseline itself chose features counted at each position: position matters, on the same validation set.
  if (baseline.bins !== undefined) return { positional: true };
  const test = positionalSignal(
    { items: train.items, labels: train.labels },
    { items: valid.items, labels: valid.labels },
    alphabet,
    { k: baseline.k, strands: baseline.strands as KmerStrands },
    classCount,
  );
  log.record(
    'position-test',
    { ...test },
    `position test: ${baseline.k}-mers per third of the sequence, validation loss ${test.binnedLoss.toFixed(4)}; over the whole, ${test.wholeLoss.toFixed(4)}`,
  );
  return { positional: test.positional };
}

/**
 * On small data: the strand handling, (where positionFact would ask) the position test and the baseline's features
 * and penalty from 5-fold cross-validation of the k-mer model over training and validation sequences together.
 * Folds are drawn from the split's seed, so every member of an ensemble decides the same.
 */
function crossValidatedFacts(
  options: TrainOptions,
  train: PreparedData['train'],
  valid: TrainingSet | undefined,
  fixedLength: number | null,
  positions: number | undefined,
  alphabet: Alphabet,
  classCount: number,
  log: Logger,
): { facts: { baselineStrands: string; positional?: boolean }; baseline: FoldedFit } | undefined {
  if (options.task !== 'classify' || options.genome !== undefined) return undefined;
  if (!('items' in train) || !train.labels || !valid?.labels) return undefined;
  const positionTest = options.choices.positionBias === 'auto' && options.architecture.conv !== undefined && fixedLength !== null;
  const cv = crossValidatedChoices(
    { items: [...train.items, ...valid.items], labels: Int32Array.from([...train.labels, ...valid.labels]) },
    alphabet,
    classCount,
    { seed: options.splitSeed ?? options.config.seed, positionTest, ...(positions !== undefined ? { positions } : {}) },
  );
  if (!cv) return undefined;
  const name = describeFeatures(cv.spec);
  const other = cv.otherStrandsLoss === undefined ? '' : `, best with the other strand handling ${cv.otherStrandsLoss.toFixed(4)}`;
  const position = cv.position
    ? `; counted by position (each position or each third) ${cv.position.binnedLoss.toFixed(4)} (${cv.position.positional ? 'position matters' : 'position does not matter'})`
    : '';
  const metricName = classCount === 2 ? 'AUROC' : 'accuracy';
  const classifies =
    describeFeatures(cv.baseline.spec) === name
      ? ''
      : `; ${describeFeatures(cv.baseline.spec)} classify best (lambda ${cv.baseline.lambda.toExponential(0)})`;
  log.record(
    'cross-validated-choices',
    { ...cv, spec: { ...cv.spec }, baseline: { ...cv.baseline, spec: { ...cv.baseline.spec } } },
    `small data: ${cv.folds}-fold cross-validation of the k-mer model over all ${train.items.length + valid.items.length} labelled sequences: ${name} best (lambda ${cv.lambda.toExponential(0)}), log loss ${cv.loss.toFixed(4)}${other}${position}${classifies}, ${metricName} ${cv.baseline.metric.toFixed(4)}`,
  );
  return {
    facts: { baselineStrands: cv.spec.strands, ...(cv.position ? { positional: cv.position.positional } : {}) },
    baseline: cv.baseline,
  };
}

/** What rnnseq.json keeps of the baseline: no wall-clock time, so the same seed and data still write identical files. */
function storedBaseline(report: BaselineReport): Omit<BaselineReport, 'seconds'> {
  const { seconds: _seconds, ...rest } = report;
  return rest;
}

/** The length every training and validation sequence shares, or null. */
function commonLength(train: PreparedData['train'], valid: TrainingSet | undefined): number | null {
  if (!('items' in train) || train.items.length === 0) return null;
  const [min, max] = lengthRange([...train.items, ...(valid?.items ?? [])]);
  return min === max ? min : null;
}

function medianLength(train: PreparedData['train']): number {
  if (!('items' in train) || train.items.length === 0) return 0;
  const lengths = train.items.map((item) => item.length).sort((a, b) => a - b);
  return lengths[Math.floor(lengths.length / 2)]!;
}

/** The labelled data as given (before any reverse complements): what --ensemble auto sizes itself by. */
function labelledSize(train: PreparedData['train'], valid: TrainingSet | undefined): { sequences: number; residues: number } {
  const items = [...('items' in train ? train.items : []), ...(valid?.items ?? [])];
  return { sequences: items.length, residues: items.reduce((sum, item) => sum + item.length, 0) };
}

function countLabel(labels: Int32Array, k: number): number {
  let n = 0;
  for (const l of labels) if (l === k) n++;
  return n;
}
