/**
 * How much background a genome scanner samples when the user gives no --negatives BED and no count
 * (`train --genome`, `--negatives-per-positive auto`, the default).
 *
 * Background is what a scanner must learn to reject, and its variety is the genome's, not a multiple of the
 * positives: one sampled window per positive (the default until 2026-12-07) left the CRP scanner
 * (scripts/dev-calling.sh, 18 known sites planted into E. coli) scoring so much background as high as its sites
 * that `scan --fdr` called nothing at any level up to 0.2, and its calibrated threshold made 237-867 false calls
 * per Mbp (seeds 1-3). So the sample is a fixed amount of DNA: AUTO_NEGATIVE_BASES, at least one window per positive
 * (a large peak set keeps its 1:1 sample and its cost) and at most AUTO_MAX_PER_POSITIVE (a handful of positives
 * among tens of thousands of negatives would teach little but "no"). Measured: README, "Calling at a false-discovery
 * rate".
 */

/** Sampled background under auto: 2 Mbp, e.g. 20,000 windows of 100 bp or 2,000 of 1 kb. */
export const AUTO_NEGATIVE_BASES = 2_000_000;
export const AUTO_MAX_PER_POSITIVE = 64;

/** Sampled negatives per positive window under auto, to two decimals (fractions spread evenly, genome-training.ts). */
export function autoNegativesPerPositive(positiveWindows: number, windowBp: number): number {
  const ratio = AUTO_NEGATIVE_BASES / (windowBp * Math.max(1, positiveWindows));
  return Math.round(100 * Math.min(AUTO_MAX_PER_POSITIVE, Math.max(1, ratio))) / 100;
}
