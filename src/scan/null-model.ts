/**
 * A window score's p-value under the null: how often background windows score at least this high. The
 * distribution is built once (at training, from background windows scored as scan scores them) and stored in
 * the model (src/engine/null-spec.ts); scan only evaluates it, so every job and shard uses the same null.
 *
 * Below the tail threshold u (the null's 1 - TAIL_RATE quantile) p is the empirical survival, interpolated
 * between stored quantiles; above it, TAIL_RATE times the generalised Pareto survival fitted to the
 * exceedances (src/scan/tail-fit.ts). The two meet at u, and p never increases with the score.
 */
import type { NullDistribution } from '../engine/null-spec.js';
import { fitGpd, gpdLogSurvival } from './tail-fit.js';

/** Share of the null above the tail threshold: 5% of 20,000 windows is 1,000 exceedances to fit. */
export const TAIL_RATE = 0.05;
const QUANTILES = 200;
/** The smallest p written: below this, float64 and the tail model mean nothing. */
export const MIN_P = 1e-300;
/** float32 probabilities reach 1 - 2^-24 below 1: logits are capped just past it so p stays finite and ordered. */
const MAX_LOGIT = 17;

export function logit(prob: number): number {
  const p = Math.min(Math.max(prob, 0), 1);
  const value = Math.log(p) - Math.log1p(-p);
  return Math.min(MAX_LOGIT, Math.max(-MAX_LOGIT, value));
}

/** Builds the stored null from background window probabilities (of the called class). */
export function buildNullDistribution(probs: ArrayLike<number>): NullDistribution {
  const n = probs.length;
  if (n < 20) throw new Error(`a null needs at least 20 background windows, got ${n}`);
  const scores = Float64Array.from(probs, logit).sort();
  const quantiles: number[] = [];
  for (let i = 0; i <= QUANTILES; i++) quantiles.push(round(quantileOf(scores, i / QUANTILES)));
  const u = quantileOf(scores, 1 - TAIL_RATE);
  const excesses: number[] = [];
  for (let i = scores.length - 1; i >= 0 && scores[i]! > u; i--) excesses.push(scores[i]! - u);
  const fit = fitGpd(excesses);
  return {
    n,
    quantiles,
    tail: { u: round(u), rate: TAIL_RATE, shape: round(fit.shape), scale: round(Math.max(fit.scale, 1e-6)), exceedances: excesses.length },
  };
}

/** P(background score >= this window's), from its probability of the called class. */
export function nullPValue(dist: NullDistribution, prob: number): number {
  const s = logit(prob);
  const { tail, quantiles } = dist;
  if (s >= tail.u) return Math.max(MIN_P, tail.rate * Math.exp(gpdLogSurvival(s - tail.u, tail)));
  // Empirical survival 1 - F(s), F interpolated linearly between the stored quantiles.
  const Q = quantiles.length - 1;
  if (s <= quantiles[0]!) return 1;
  let lo = 0;
  let hi = Q;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (quantiles[mid]! <= s) lo = mid;
    else hi = mid;
  }
  const a = quantiles[lo]!;
  const b = quantiles[hi]!;
  const level = (lo + (b > a ? (s - a) / (b - a) : 1)) / Q;
  return Math.max(tail.rate, Math.min(1, 1 - level));
}

/** The lowest probability whose p-value is <= alpha: windows scoring at least this are candidates at alpha. */
export function probabilityAtP(dist: NullDistribution, alpha: number): number {
  let lo = 0;
  let hi = 1;
  if (nullPValue(dist, hi) > alpha) return Infinity;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (nullPValue(dist, mid) <= alpha) hi = mid;
    else lo = mid;
  }
  return hi;
}

function quantileOf(sorted: Float64Array, level: number): number {
  const at = level * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
