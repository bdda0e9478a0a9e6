/** Classification metrics computed in plain JS on probabilities already read back from the engine. */

export function accuracy(probs: Float32Array, numClasses: number, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    if (argmax(probs, i * numClasses, numClasses) === labels[i]) correct++;
  }
  return labels.length === 0 ? NaN : correct / labels.length;
}

export function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let k = 1; k < count; k++) if (values[offset + k]! > values[offset + best]!) best = k;
  return best;
}

/**
 * Area under the ROC curve by the rank-sum (Mann-Whitney) statistic, with ties counted as half, so it equals the
 * trapezoidal ROC area exactly. NaN when one class is absent.
 */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPositive = 0;
  let positives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive[order[k]!]) {
        rankSumPositive += midRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Macro one-vs-rest AUROC for more than two classes; the positive-class AUROC for two. */
export function multiclassAuroc(probs: Float32Array, numClasses: number, labels: Int32Array): number {
  const classes = numClasses === 2 ? [1] : Array.from({ length: numClasses }, (_, k) => k);
  let sum = 0;
  let counted = 0;
  for (const k of classes) {
    const scores = new Float32Array(labels.length);
    const positive = new Array<boolean>(labels.length);
    for (let i = 0; i < labels.length; i++) {
      scores[i] = probs[i * numClasses + k]!;
      positive[i] = labels[i] === k;
    }
    const area = auroc(scores, positive);
    if (!Number.isNaN(area)) {
      sum += area;
      counted++;
    }
  }
  return counted === 0 ? NaN : sum / counted;
}

/** Pearson correlation; NaN when either side is constant or there are fewer than two pairs. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n < 2) return NaN;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  return varA === 0 || varB === 0 ? NaN : cov / Math.sqrt(varA * varB);
}

/** Spearman rank correlation: Pearson on mid-ranks, so ties are handled as in scipy.stats.spearmanr. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(midRanks(a), midRanks(b));
}

export function midRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => values[x]! - values[y]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}
