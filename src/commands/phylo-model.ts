import type { SparseVector, WindowFeaturizer } from '../phylo/features.js';
import type { GroupAdapter } from '../phylo/cross-entropy.js';
import type { Embedder } from '../engine/embedding.js';
import type { Alphabet } from '../seq/alphabet.js';
import { EXIT_USAGE, RnnseqError } from '../errors.js';
import type { Logger } from '../log.js';
import { type AlphabetName, getAlphabet } from '../seq/alphabet.js';
import { encodeSequence } from '../seq/dataset.js';
import { loadModel, readSpec } from './checkpoints.js';
import { type RuntimeOptions, createLogger, startRuntime } from './runtime.js';

export interface ModelFeaturizerOptions extends Partial<RuntimeOptions> {
  /** checkpoint dir, run dir or shipped model name */
  model: string;
  /** how per-position hidden states become one vector per window */
  pool: 'mean' | 'max' | 'last' | 'first';
  /**
   * codes: each position's state as its pattern of active (positive) units, counted per window, a
   * histogram of the contexts the model tells apart; mean: the pooled state itself.
   */
  features?: 'codes' | 'mean';
  batchSize: number;
  log?: Logger;
}

/**
 * Hidden-state features from a trained model (normally a --task lm model): each window's last-layer states,
 * pooled, exactly as `rnnseq embed` computes them.
 */
export async function createModelFeaturizer(options: ModelFeaturizerOptions): Promise<WindowFeaturizer> {
  const { spec } = await readSpec(options.model);
  const arch = spec.architecture;
  if (arch.conditions || arch.covariates) throw new RnnseqError(`${options.model} needs a condition or covariates per sequence; phylo cannot supply them`, EXIT_USAGE);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const log = options.log ?? (await createLogger(options));
  const runtime = await startRuntime({ backend: options.backend ?? 'auto', engine: options.engine ?? 'auto', ...(options.threads !== undefined ? { threads: options.threads } : {}) }, log);
  const { model } = await loadModel(options.model, runtime.engine.core);
  const { Embedder } = await import('../engine/embedding.js');
  const embedder = new Embedder(model, { layer: arch.layers, chunkBp: 100_000, laps: 1 });
  const task = arch.task ?? 'classify';
  const what = task === 'lm' ? 'language-model' : task;
  if ((options.features ?? 'codes') === 'codes') return codeFeaturizer(embedder, alphabet, options.batchSize, `${what} state codes (which of ${embedder.size} units are active, per position)`, () => model.dispose());
  return {
    description: `${what} hidden states (${options.pool} over each window, ${embedder.size} values)`,
    size: embedder.size,
    async featurize(windows) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < windows.length; start += options.batchSize) {
        // Windows are gap-stripped residues, already checked against the alphabet by the reader.
        const items = windows.slice(start, start + options.batchSize).map((w) => encodeSequence(w.toUpperCase(), alphabet, null));
        const pooled = embedder.pooled(items, options.pool);
        for (let i = 0; i < items.length; i++) vectors.push(pooled.slice(i * embedder.size, (i + 1) * embedder.size));
      }
      return vectors;
    },
    dispose: () => model.dispose(),
  };
}

/**
 * A window as the frequencies of its positions' state codes. Mean states blur what a model distinguishes into a
 * few dimensions; the pattern of active units keeps it, like a k-mer whose length and alphabet the model chose.
 * Codes are numbered in order of first appearance, so the same input gives the same numbering.
 */
function codeFeaturizer(embedder: Embedder, alphabet: Alphabet, batchSize: number, description: string, dispose: () => void): WindowFeaturizer<SparseVector> {
  const codes = new Map<string, number>();
  const size = embedder.size;
  const bits = new Uint16Array(Math.ceil(size / 16));
  return {
    description,
    get size() {
      return Math.max(codes.size, 1);
    },
    async featurize(windows) {
      const vectors: SparseVector[] = [];
      for (let start = 0; start < windows.length; start += batchSize) {
        const items = windows.slice(start, start + batchSize).map((w) => encodeSequence(w.toUpperCase(), alphabet, null));
        const block = embedder.positions(items);
        items.forEach((item, row) => {
          const counts = new Map<number, number>();
          for (let t = 0; t < item.length; t++) {
            const at = (row * block.steps + t) * size;
            bits.fill(0);
            for (let k = 0; k < size; k++) if (block.data[at + k]! > 0) bits[k >> 4]! |= 1 << (k & 15);
            const key = String.fromCharCode(...bits);
            let id = codes.get(key);
            if (id === undefined) codes.set(key, (id = codes.size));
            counts.set(id, (counts.get(id) ?? 0) + 1);
          }
          const indices = Uint32Array.from(counts.keys());
          vectors.push({ indices, weights: Float32Array.from(indices, (id) => counts.get(id)! / item.length) });
        });
      }
      return vectors;
    },
    dispose,
  };
}

/**
 * Adaptation batches are small: a group has ~100 windows, and more updates per pass memorise it better than
 * bigger batches of the same windows (measured on the shared primate and lungfish sets).
 */
const ADAPT_BATCH = 8;

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
  const arch = spec.architecture;
  if ((arch.task ?? 'classify') !== 'lm') throw new RnnseqError(`${options.model} is not a language model (--task lm); the cross-entropy divergence needs one`, EXIT_USAGE);
  if (arch.conditions || arch.covariates) throw new RnnseqError(`${options.model} needs a condition or covariates per sequence; phylo cannot supply them`, EXIT_USAGE);
  const alphabet = getAlphabet(spec.alphabet as AlphabetName);
  const log = options.log ?? (await createLogger(options));
  const runtime = await startRuntime({ backend: options.backend ?? 'auto', engine: options.engine ?? 'auto', ...(options.threads !== undefined ? { threads: options.threads } : {}) }, log);
  const { model: base } = await loadModel(options.model, runtime.engine.core);
  const { adaptedCopy, itemBits } = await import('../engine/adapt.js');
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
        score: async (scored) => itemBits(model, encode(scored), options.batchSize),
        dispose: () => {
          if (model !== base) model.dispose();
        },
      };
    },
    dispose: () => base.dispose(),
  };
}
