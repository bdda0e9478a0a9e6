import { Command, Option, type OptionValues } from '@commander-js/extra-typings';
// Type-only: the CLI adds these options without loading the engine.
import type { Architecture, ConvSpec, Task } from '../engine/architecture.js';
import type { LearningRateSchedule } from '../engine/schedule.js';
import type { TrainConfig } from '../engine/trainer.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import { parseNumber } from './runtime.js';

/**
 * The model-quality options of `rnnseq train` (issue 14): a convolutional front-end, a learned input embedding,
 * the learning-rate schedule, weight decay and weight averaging. Kept apart from train-options.ts so the recipe
 * can grow without touching the command's other flags.
 */
export function withRecipeOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(command: Command<Args, Opts, Globals>) {
  return command
    .addOption(new Option('--conv', 'convolutional front-end before the recurrent layers (DanQ): filters, ReLU, max-pool, dropout').default(false))
    .addOption(new Option('--conv-filters <n>', `with --conv: convolution filters (default ${CONV_DEFAULTS.filters})`))
    .addOption(new Option('--conv-width <bp>', `with --conv: filter width in positions (default ${CONV_DEFAULTS.width})`))
    .addOption(new Option('--conv-pool <n>', `with --conv: max-pool over runs of n positions; the recurrent layers read one step per n (default ${CONV_DEFAULTS.pool})`))
    .addOption(new Option('--conv-dropout <rate>', `with --conv: dropout on the pooled filters while training (default ${CONV_DEFAULTS.dropout})`))
    .addOption(new Option('--embed-dim <n>', 'learned dense projection of each one-hot position to n values, before --conv and the recurrent layers (protein)'))
    .addOption(new Option('--lr-schedule <how>', 'plateau: halve after --lr-patience epochs without improvement; cosine: warm-up then cosine decay over --epochs').choices(['plateau', 'cosine'] as const).default('plateau' as const))
    .addOption(new Option('--warmup <epochs>', 'with --lr-schedule cosine: epochs of linear warm-up (may be fractional)').default('1'))
    .addOption(new Option('--weight-decay <x>', 'decoupled weight decay (AdamW) on weight matrices, per unit learning rate (0: off)').default('0'))
    .addOption(new Option('--ema <decay>', 'validate and save an exponential moving average of the weights with this decay, e.g. 0.99 (0: off)').default('0'));
}

export const CONV_DEFAULTS: Readonly<ConvSpec> = { filters: 64, width: 11, pool: 4, dropout: 0.1 };

export interface RawRecipeFlags {
  conv: boolean;
  convFilters?: string;
  convWidth?: string;
  convPool?: string;
  convDropout?: string;
  embedDim?: string;
  lrSchedule: LearningRateSchedule;
  warmup: string;
  weightDecay: string;
  ema: string;
}

export interface Recipe {
  architecture: Pick<Architecture, 'conv' | 'embedDim'>;
  config: Pick<TrainConfig, 'lrSchedule' | 'warmupEpochs' | 'weightDecay' | 'ema'>;
}

/** Validates the recipe flags against the task; absent options leave the checkpoint exactly as before. */
export function parseRecipeFlags(raw: RawRecipeFlags, task: Task): Recipe {
  const convFlags = (['convFilters', 'convWidth', 'convPool', 'convDropout'] as const).filter((k) => raw[k] !== undefined);
  if (!raw.conv && convFlags.length > 0) {
    throw new RnnseqError(`--${convFlags[0]!.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} shapes the convolutional front-end: add --conv`, EXIT_USAGE);
  }
  const architecture: Recipe['architecture'] = {};
  if (raw.conv) {
    const conv: ConvSpec = {
      filters: raw.convFilters === undefined ? CONV_DEFAULTS.filters : parseNumber('--conv-filters', raw.convFilters, { min: 1, max: 4096, integer: true }),
      width: raw.convWidth === undefined ? CONV_DEFAULTS.width : parseNumber('--conv-width', raw.convWidth, { min: 1, max: 1001, integer: true }),
      pool: raw.convPool === undefined ? CONV_DEFAULTS.pool : parseNumber('--conv-pool', raw.convPool, { min: 1, max: 1000, integer: true }),
      dropout: raw.convDropout === undefined ? CONV_DEFAULTS.dropout : parseNumber('--conv-dropout', raw.convDropout, { min: 0, max: 0.95 }),
    };
    if (task === 'lm') throw new RnnseqError('--conv: a language model cannot have a convolutional front-end (its window would see the base it predicts)', EXIT_USAGE);
    if (task === 'tag' && conv.pool > 1) throw new RnnseqError(`--conv with --task tag needs --conv-pool 1: a tagger predicts every base, and pooling keeps one step per ${conv.pool}`, EXIT_USAGE);
    architecture.conv = conv;
  }
  if (raw.embedDim !== undefined) architecture.embedDim = parseNumber('--embed-dim', raw.embedDim, { min: 1, max: 4096, integer: true });

  const config: Recipe['config'] = {};
  if (raw.lrSchedule === 'cosine') {
    config.lrSchedule = 'cosine';
    config.warmupEpochs = parseNumber('--warmup', raw.warmup, { min: 0 });
  }
  const weightDecay = parseNumber('--weight-decay', raw.weightDecay, { min: 0, max: 10 });
  if (weightDecay > 0) config.weightDecay = weightDecay;
  const ema = parseNumber('--ema', raw.ema, { min: 0, max: 0.99999 });
  if (ema > 0) config.ema = ema;
  return { architecture, config };
}
