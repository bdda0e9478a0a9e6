/**
 * What a model stores about its window score under the null (background DNA), so `rnnseq scan` can turn each
 * window's score into a p-value without seeing any background itself. Plain data in rnnseq.json (`nullScores`);
 * the p-value arithmetic lives in src/scan/null-model.ts.
 *
 * Scores are logits of the called class's probability (log p / (1 - p)): probabilities crowd against 1 where
 * the calls are made, logits keep the upper tail spread out for the tail fit.
 */
export interface NullDistribution {
  /** background windows scored */
  n: number;
  /** logit quantiles at levels 0, 1/Q, ..., 1 (Q = quantiles.length - 1): the bulk of the distribution */
  quantiles: number[];
  /** the upper tail above `u` (the quantile at 1 - rate): generalised Pareto with this shape and scale */
  tail: { u: number; rate: number; shape: number; scale: number; exceedances: number };
}

export interface NullScores {
  /** how the background was made, for people reading rnnseq.json */
  source: string;
  seed: number;
  /** key `CLASS|STRAND`, STRAND one of '+', '-', 'both-max', 'both-mean' (how scan combines the two strands) */
  distributions: Record<string, NullDistribution>;
}

export function nullKey(positiveClass: string, strandKey: string): string {
  return `${positiveClass}|${strandKey}`;
}

/** A shape check for rnnseq.json: false means the stored null cannot be used. */
export function isNullScores(raw: unknown): raw is NullScores {
  if (typeof raw !== 'object' || raw === null) return false;
  const value = raw as Partial<NullScores>;
  if (typeof value.distributions !== 'object' || value.distributions === null) return false;
  return Object.values(value.distributions).every(
    (d) =>
      typeof d === 'object' &&
      d !== null &&
      Number.isInteger(d.n) &&
      d.n > 0 &&
      Array.isArray(d.quantiles) &&
      d.quantiles.length >= 2 &&
      d.quantiles.every((q, i) => Number.isFinite(q) && (i === 0 || q >= d.quantiles[i - 1]!)) &&
      typeof d.tail === 'object' &&
      Number.isFinite(d.tail.u) &&
      d.tail.rate > 0 &&
      d.tail.rate < 1 &&
      d.tail.scale > 0 &&
      Number.isFinite(d.tail.shape),
  );
}
