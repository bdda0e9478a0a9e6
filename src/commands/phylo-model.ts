import type { WindowFeaturizer } from '../phylo/features.js';
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
  return {
    description: `${task === 'lm' ? 'language-model' : task} hidden states (${options.pool} over each window, ${embedder.size} values)`,
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
