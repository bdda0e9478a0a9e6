/**
 * After a null is stored: how far the validation positives stand out from background, said once at the end of
 * `train --genome` (a scanner) or of a fixed-length classifier's training (each class, as `scan --class` would
 * call it). A model trained on balanced data often scores some background as high as its sites, and then
 * `scan --fdr` over a genome calls nothing: the user should learn that from train, not from an empty BED.
 * (Development cases, README "Calling at a false-discovery rate": planted CRP sites in E. coli reached FDR calls
 * only with 16-64 sampled negatives per positive.)
 */
import type { NullDistribution } from '../../engine/null-spec.js';
import type { Logger } from '../../log.js';
import { nullPValue } from '../../scan/null-model.js';

/** p-value levels reported: 1e-4 is about what Benjamini-Hochberg at 0.05 asks of a site among ~500 windows. */
const LEVELS = [1e-3, 1e-4, 1e-5] as const;
/** Below this share of validation positives at p <= 1e-4 the summary comes with advice. */
const FEW = 0.25;
/** A classifier's class with fewer validation sequences says too little to warn about (splice at 100: 2-5). */
const MIN_JUDGED = 10;
/**
 * A class with at least this many times every other class's sequences is the background: the class null check
 * does not warn about it, and decoys (decoys.ts) are labelled with it.
 */
export const BACKGROUND_RATIO = 3;

/** A share as a percentage, one decimal below 10%. */
export function formatShare(v: number): string {
  return `${(100 * v).toFixed(v < 0.1 ? 1 : 0)}%`;
}

export interface NullCheck {
  positives: number;
  medianP: number;
  /** share of validation positives with p <= each of LEVELS */
  shares: number[];
}

/** `scores`: the validation windows' scores as scan combines them (scanner-calibration.ts windowScores). */
export function checkNull(scores: ArrayLike<number>, isPositive: readonly boolean[], dist: NullDistribution): NullCheck | undefined {
  const p = Array.from(scores)
    .filter((_, i) => isPositive[i])
    .map((s) => nullPValue(dist, s))
    .sort((a, b) => a - b);
  if (p.length === 0) return undefined;
  return {
    positives: p.length,
    medianP: p[Math.floor((p.length - 1) / 2)]!,
    shares: LEVELS.map((level) => p.filter((v) => v <= level).length / p.length),
  };
}

/**
 * `sampledPerPositive`: the negatives sampled per positive window (undefined: cut from a --negatives BED), so more
 * can be asked for.
 */
export function reportNullCheck(check: NullCheck, sampledPerPositive: number | undefined, log: Logger): void {
  const levels = LEVELS.map((level, i) => `${formatShare(check.shares[i]!)} at p <= ${level}`).join(', ');
  log.record(
    'null-check',
    { positives: check.positives, medianP: check.medianP, levels: [...LEVELS], shares: check.shares },
    `rnnseq: validation positives against the null: ${levels} (median p ${check.medianP.toPrecision(2)}, ${check.positives} windows)`,
  );
  if (check.shares[1]! < FEW) {
    const more =
      sampledPerPositive !== undefined
        ? `more sampled background than ${sampledPerPositive} per positive (--negatives-per-positive, up to 100) makes a scanner more specific`
        : 'more background in --negatives makes a scanner more specific';
    log.warn(
      `few validation positives stand out from background (${formatShare(check.shares[1]!)} at p <= 1e-4): scan --fdr over a genome may call ` +
        `little; ${more}, or call with --threshold`,
    );
  }
}

/**
 * A classifier's check, one per class with a null: its own validation sequences against the null `scan --class`
 * would use. The warning names each class (of those with MIN_JUDGED validation sequences) that does not stand
 * out: the model does not know which class a user will scan for, and a background class may stand out or not
 * (repeat-family cases: 15% in E. coli, 95% in human DNA). The one class far larger than every other (the ~1,000
 * background windows beside ~100 family copies) is the background: nobody scans for it, so it gets no warning
 * (a family of human DNA in human DNA: bg 5% beside te 90%, and a warning naming bg read as trouble).
 */
export function reportClassNullChecks(checks: ReadonlyArray<{ name: string; check: NullCheck }>, log: Logger): void {
  if (checks.length === 0) return;
  log.record(
    'class-null-check',
    {
      levels: [...LEVELS],
      classes: checks.map(({ name, check }) => ({ class: name, positives: check.positives, medianP: check.medianP, shares: check.shares })),
    },
    `rnnseq: validation sequences against their class's null (scan --class): ${checks
      .map(
        ({ name, check }) =>
          `${name} ${formatShare(check.shares[1]!)} at p <= 1e-4 (median p ${check.medianP.toPrecision(2)}, ${check.positives})`,
      )
      .join('; ')}`,
  );
  const background = checks.find(({ check }) =>
    checks.every((other) => other.check === check || check.positives >= BACKGROUND_RATIO * other.check.positives),
  );
  const weak = checks.filter(({ check }) => check !== background?.check && check.positives >= MIN_JUDGED && check.shares[1]! < FEW);
  if (weak.length === 0) return;
  const named = weak.map(({ name, check }) => `${name} (${formatShare(check.shares[1]!)} at p <= 1e-4)`).join(', ');
  log.warn(
    `few validation sequences of ${named} stand out from background: scan --class ${weak[0]!.name} --fdr over a genome may call ` +
      'little; more background sequences in training make the model more specific, or call with --threshold',
  );
}
