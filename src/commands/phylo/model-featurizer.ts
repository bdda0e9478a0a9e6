import type { SparseVector, WindowFeaturizer } from '../../phylo/features.js';
import type { Embedder } from '../../engine/embedding.js';
import type { Alphabet } from '../../seq/alphabet.js';
import type { Logger } from '../../log.js';
import { encodeSequence } from '../../seq/dataset.js';
import type { RuntimeOptions } from '../shared/runtime.js';
import { openPhyloModel } from './open-model.js';

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
  const { arch, alphabet, model } = await openPhyloModel(options);
  const { Embedder } = await import('../../engine/embedding.js');
  const embedder = new Embedder(model, { layer: arch.layers, chunkBp: 100_000, laps: 1 });
  const task = arch.task ?? 'classify';
  const what = task === 'lm' ? 'language-model' : task;
  if ((options.features ?? 'codes') === 'codes')
    return codeFeaturizer(
      embedder,
      alphabet,
      options.batchSize,
      `${what} state codes (which of ${embedder.size} units are active, per position)`,
      () => model.dispose(),
    );
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
function codeFeaturizer(
  embedder: Embedder,
  alphabet: Alphabet,
  batchSize: number,
  description: string,
  dispose: () => void,
): WindowFeaturizer<SparseVector> {
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
