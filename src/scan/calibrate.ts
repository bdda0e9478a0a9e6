/**
 * Decision thresholds for scanners, chosen on validation windows. A window is called when its probability is
 * >= the threshold. The threshold maximises F1, with negatives weighted so the positive rate is the genome's
 * rather than the validation set's: negatives are sampled (often 1:1), while peaks cover ~1% of a genome, and a
 * threshold tuned at 1:1 would call far too much when the scanner meets the whole genome.
 */
export interface ThresholdChoice {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
  windows: number;
  positives: number;
  /** the weight each negative counted with */
  negativeWeight: number;
}

/**
 * The threshold with the best F1 over scores[i] (probability of the positive class) and positive[i]. With
 * `positiveRate`, each negative counts as many times as makes positives that share of the windows.
 */
export function bestF1Threshold(scores: ArrayLike<number>, positive: ArrayLike<boolean>, positiveRate?: number): ThresholdChoice {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i]) positives++;
  const negatives = n - positives;
  const negativeWeight =
    positiveRate !== undefined && positiveRate > 0 && positiveRate < 1 && positives > 0 && negatives > 0
      ? ((1 - positiveRate) / positiveRate) * (positives / negatives)
      : 1;
  let best: ThresholdChoice = { threshold: 0.5, f1: 0, precision: 0, recall: 0, windows: n, positives, negativeWeight };
  if (positives === 0) return best;
  let truePositives = 0;
  for (let k = 0; k < n; ) {
    // Cut only between distinct scores: tied windows are called together.
    let j = k;
    while (j < n && scores[order[j]!] === scores[order[k]!]) {
      if (positive[order[j]!]) truePositives++;
      j++;
    }
    const falsePositives = j - truePositives;
    const precision = truePositives / (truePositives + negativeWeight * falsePositives);
    const recall = truePositives / positives;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    if (f1 > best.f1) {
      // Halfway to the next lower score, so a window scoring a hair under the cut is not called by rounding.
      const here = scores[order[k]!]!;
      const below = j < n ? scores[order[j]!]! : 0;
      best = { threshold: roundThreshold((here + below) / 2, here), f1, precision, recall, windows: n, positives, negativeWeight };
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
