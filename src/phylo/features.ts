/**
 * Turns sequence windows into fixed-size feature vectors. phylo averages them per group; the k-mer baseline and
 * a language model's hidden states are two implementations, so both trees are built exactly the same way.
 */
export interface WindowFeaturizer {
  /** What the vectors are, for logs and the --matrix header (e.g. "4-mer frequencies"). */
  readonly description: string;
  readonly size: number;
  /** One vector per window; windows are plain residue strings (gaps already stripped), any case. */
  featurize(windows: string[]): Promise<Float32Array[]>;
  dispose(): void;
}
