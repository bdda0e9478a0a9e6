/**
 * Turns sequence windows into fixed-size feature vectors. phylo averages them per group; the k-mer baseline and
 * a language model's hidden states are two implementations, so both trees are built exactly the same way.
 */
export interface WindowFeaturizer<V extends WindowVector = WindowVector> {
  /** What the vectors are, for logs and the --matrix header (e.g. "4-mer frequencies"). */
  readonly description: string;
  readonly size: number;
  /** One vector per window; windows are plain residue strings (gaps already stripped), any case. */
  featurize(windows: string[]): Promise<V[]>;
  dispose(): void;
}

/**
 * A window's vector: dense, or sparse over a vocabulary too large to hold densely per window (the hidden-state
 * codes of a model: see commands/phylo/model-featurizer.ts). Sparse vectors index dimensions 0 .. size − 1; `size` may grow while
 * windows are featurized and is read after the last call.
 */
export type WindowVector = Float32Array | SparseVector;

export interface SparseVector {
  indices: Uint32Array;
  weights: Float32Array;
}

export function isSparse(vector: WindowVector): vector is SparseVector {
  return !(vector instanceof Float32Array);
}
