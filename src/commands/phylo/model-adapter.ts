import { EXIT_USAGE, RnnseqError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { GroupAdapter } from '../../phylo/cross-entropy.js';
import { encodeSequence } from '../../seq/dataset.js';
import { readSpec } from '../shared/checkpoints.js';
import type { RuntimeOptions } from '../shared/runtime.js';
import { openPhyloModel } from './open-model.js';

/**
 * Adaptation batches are small: a group has ~100 windows, and more updates per pass memorise it better than
 * bigger batches of the same windows (measured on the shared primate and lungfish sets).
 */
const ADAPT_BATCH = 8;

/**
 * Positions at the start of each window left out of its bits. A model starts every window blank, and for the
 * first bases it cannot yet tell which stretch of the group it is reading, so those bases cost about the same
 * under every group's model and only dilute the divergence. 20 (of 200-bp windows) lowered or kept the mean nRF
 * on every shared set (README, Trees).
 */
const BURN_IN = 20;

export interface ModelAdapterOptions extends Partial<RuntimeOptions> {
  /** a --task lm checkpoint: the shared base every group's model is adapted from */
  model: string;
  /** adaptation budget per group: passes over its windows */
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  log?: Logger;
}

/**
 * The cross-entropy divergence's models: the base language model, adapted to each group's windows in turn
 * (engine/adapt.ts), pricing every window in bits.
 */
export async function createModelAdapter(options: ModelAdapterOptions): Promise<GroupAdapter> {
  const { spec } = await readSpec(options.model);
  if ((spec.architecture.task ?? 'classify') !== 'lm')
    throw new RnnseqError(`${options.model} is not a language model (--task lm); the cross-entropy divergence needs one`, EXIT_USAGE);
  const { arch, alphabet, model: base } = await openPhyloModel(options);
  const { adaptedCopy, itemBits } = await import('../../engine/adapt.js');
  const encode = (windows: string[]) => windows.map((w) => encodeSequence(w.toUpperCase(), alphabet, null));
  return {
    description: `language-model cross-entropy (${arch.cell} ${arch.hiddenSize}, adapted to each group for ${options.epochs} epochs)`,
    async adapt(windows, group) {
      const model =
        options.epochs > 0
          ? await adaptedCopy(base, encode(windows), {
              epochs: options.epochs,
              batchSize: Math.min(ADAPT_BATCH, windows.length),
              learningRate: options.learningRate,
              clipNorm: 5,
              // Each group its own stream, so one group's adaptation does not depend on the others'.
              seed: (options.seed * 7919 + group) >>> 0,
              patience: 0,
            })
          : base;
      return {
        score: async (scored) => itemBits(model, encode(scored), options.batchSize, BURN_IN),
        dispose: () => {
          if (model !== base) model.dispose();
        },
      };
    },
    dispose: () => base.dispose(),
  };
}
