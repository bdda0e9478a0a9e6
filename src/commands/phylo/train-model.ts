import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { SequenceGroup } from '../../seq/read-groups.js';
import type { AlphabetName } from '../../seq/alphabet.js';
import type { RuntimeOptions } from '../shared/runtime.js';
import type { TrainOptions } from '../train/options.js';

/** Longest training window. */
const TRAIN_WINDOW_BP = 200;

export interface PhyloTrainOptions extends RuntimeOptions {
  /** gap-stripped sequences of every group: the language model learns from all of them */
  groups: SequenceGroup[];
  alphabet: AlphabetName;
  /** the windows phylo will featurize */
  windowBp: number;
  seed: number;
  log: Logger;
  /** keep the trained model here (a run directory) instead of a temporary one */
  trainOut?: string;
  /** training budget: epochs of windowsPerEpoch windows */
  epochs?: number;
  windowsPerEpoch?: number;
  hiddenSize?: number;
}

/**
 * `rnnseq phylo --train`: one next-base language model over all groups' sequences, trained with defaults that
 * suit a few kilobases to megabases per group, then used for the tree. Returns the model directory.
 */
export async function trainPhyloModel(options: PhyloTrainOptions): Promise<string> {
  const out = options.trainOut ?? mkdtempSync(join(tmpdir(), 'rnnseq-phylo-'));
  if (!options.trainOut) process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  const { run } = await import('../train/run.js');
  const train: TrainOptions = {
    backend: options.backend,
    engine: options.engine,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    quiet: options.quiet ?? false,
    json: options.json ?? false,
    inputs: [],
    out,
    classFiles: [],
    labelTag: 'label',
    alphabet: options.alphabet,
    length: null,
    task: 'lm',
    architecture: { cell: 'lstm', hiddenSize: options.hiddenSize ?? 64, layers: 1, bidirectional: false, dropout: 0, pool: 'mean' },
    targetTag: 'value',
    loss: 'mse',
    lm: {
      sources: [],
      rule: { kind: 'record' },
      // Whole-sequence features (--all-positions) need no whole-sequence training: context beyond a few hundred bases adds little.
      windowBp: Math.min(options.windowBp, TRAIN_WINDOW_BP),
      windowsPerEpoch: options.windowsPerEpoch ?? 2000,
      preloaded: { groups: options.groups, alphabet: options.alphabet },
    },
    rcAugment: false,
    choices: {
      positionBias: false,
      convSkip: false,
      rcAugment: false,
      convAuto: false,
      convPoolAuto: false,
      embedDimAuto: false,
      kmerBranch: false,
      weightDecayAuto: false,
      poolAuto: false,
      refit: false,
    },
    config: {
      epochs: options.epochs ?? 10,
      batchSize: 64,
      learningRate: 0.003,
      clipNorm: 5,
      seed: options.seed,
      patience: 3,
      lrPatience: 2,
    },
    validFraction: 0.1,
    resume: false,
    ensemble: { count: 1 },
    baseline: false, // a language model has no classes to compare
    command: `phylo --train (language model: lstm 64, window ${Math.min(options.windowBp, TRAIN_WINDOW_BP)})`,
  };
  options.log.info(`training a language model on ${options.groups.length} groups for the tree${options.trainOut ? ` into ${out}` : ''}`);
  await run(train);
  return join(out, 'best');
}
