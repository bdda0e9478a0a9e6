/**
 * Decision thresholds for scanners, chosen on validation windows. A window is called when its probability is
 * >= the threshold; the threshold maximising F1 balances missed and false calls without assuming the genome's
 * positive rate equals the training set's (it does not: negatives are sampled).
 */
export interface ThresholdChoice {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
  windows: number;
  positives: number;
}

/** The threshold with the best F1 over scores[i] (probability of the positive class) and positive[i]. */
export function bestF1Threshold(scores: ArrayLike<number>, positive: ArrayLike<boolean>): ThresholdChoice {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i]) positives++;
  let best: ThresholdChoice = { threshold: 0.5, f1: 0, precision: 0, recall: 0, windows: n, positives };
  if (positives === 0) return best;
  let truePositives = 0;
  for (let k = 0; k < n; ) {
    // Cut only between distinct scores: tied windows are called together.
    let j = k;
    while (j < n && scores[order[j]!] === scores[order[k]!]) {
      if (positive[order[j]!]) truePositives++;
      j++;
    }
    const called = j;
    const precision = truePositives / called;
    const recall = truePositives / positives;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    if (f1 > best.f1) {
      // Halfway to the next lower score, so a window scoring a hair under the cut is not called by rounding.
      const here = scores[order[k]!]!;
      const below = j < n ? scores[order[j]!]! : 0;
      best = { threshold: roundThreshold((here + below) / 2, here), f1, precision, recall, windows: n, positives };
    }
    k = j;
  }
  return best;
}

/** Six decimals (as written in rnnseq.json), never above the lowest score it must still call. */
function roundThreshold(value: number, mustCall: number): number {
  const rounded = Math.round(value * 1e6) / 1e6;
  return rounded <= mustCall ? rounded : Math.floor(value * 1e6) / 1e6;
}
