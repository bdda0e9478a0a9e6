import type { WindowFeaturizer } from '../phylo/features.js';

export interface ModelFeaturizerOptions {
  /** checkpoint dir, run dir or shipped model name */
  model: string;
  /** how per-position hidden states become one vector per window */
  pool: 'mean' | 'max' | 'last' | 'first';
  batchSize: number;
}

/**
 * Hidden-state features from a trained model (normally a --task lm model). Written by the lead with `rnnseq embed`;
 * until then it refuses clearly.
 */
export async function createModelFeaturizer(options: ModelFeaturizerOptions): Promise<WindowFeaturizer> {
  throw new Error(`model features are not available yet (${options.model})`);
}
