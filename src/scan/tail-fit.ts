/**
 * The upper tail of a null score distribution as a generalised Pareto distribution (GPD), so p-values far
 * below 1 / (null size) are extrapolated from the shape of the tail rather than stuck at the smallest empirical
 * value (Knijnenburg et al. 2009, "Fewer permutations, more accurate P-values").
 *
 * Estimator: Zhang & Stephens (2009), the one PSIS uses: a quasi-Bayesian average over a grid of profile
 * likelihoods, with no iteration to diverge and sensible answers on a few dozen exceedances.
 */

export interface GpdFit {
  /** xi: > 0 heavy tail, 0 exponential, < 0 bounded */
  shape: number;
  /** sigma > 0 */
  scale: number;
}

/**
 * Fits a GPD to excesses over a threshold (values >= 0, any order). A bounded fit (shape < 0) is replaced by the
 * exponential (shape 0, scale = mean excess): a bounded tail would give p = 0 beyond its end point, and a window
 * scoring above every background window is exactly the case that needs a small but finite p. The exponential
 * lies above every bounded tail with the same mean, so this errs towards larger p-values (fewer calls).
 */
export function fitGpd(excesses: ArrayLike<number>): GpdFit {
  const x = Float64Array.from(excesses).sort();
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const exponential = { shape: 0, scale: Math.max(mean, 1e-9) };
  if (n < 10 || !(x[n - 1]! > 0)) return exponential;
  const m = 30 + Math.floor(Math.sqrt(n));
  const quartile = x[Math.max(0, Math.floor(n / 4 + 0.5) - 1)]!;
  if (!(quartile > 0)) return exponential;
  const b = new Float64Array(m);
  const k = new Float64Array(m);
  const logLik = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    b[j] = (1 - Math.sqrt(m / (j + 1 - 0.5))) / (3 * quartile) + 1 / x[n - 1]!;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.log1p(-b[j]! * x[i]!);
    k[j] = sum / n;
    logLik[j] = n * (Math.log(-b[j]! / k[j]!) - k[j]! - 1);
  }
  let bPost = 0;
  for (let j = 0; j < m; j++) {
    let denominator = 0;
    for (let l = 0; l < m; l++) denominator += Math.exp(logLik[l]! - logLik[j]!);
    const weight = 1 / denominator;
    if (Number.isFinite(weight)) bPost += b[j]! * weight;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log1p(-bPost * x[i]!);
  const kPost = sum / n;
  const scale = -kPost / bPost;
  // Weakly informative prior on the shape (towards 0.5, weight 10), as Zhang & Stephens and PSIS do.
  const shape = (n * kPost + 10 * 0.5) / (n + 10);
  if (!Number.isFinite(shape) || !Number.isFinite(scale) || scale <= 0 || shape < 0) return exponential;
  return { shape: Math.min(shape, 1), scale };
}

/** log P(X > excess) under the GPD. */
export function gpdLogSurvival(excess: number, fit: GpdFit): number {
  if (excess <= 0) return 0;
  if (fit.shape === 0) return -excess / fit.scale;
  return (-1 / fit.shape) * Math.log1p((fit.shape * excess) / fit.scale);
}
