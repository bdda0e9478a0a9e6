/**
 * Benjamini-Hochberg over every window scanned. Only windows with p <= alpha can ever be called (the BH cut
 * never exceeds alpha), so only their p-values are kept: `m` counts all windows, `candidates` the small ones.
 * BH controls the FDR for independent or positively dependent tests (Benjamini & Yekutieli 2001); overlapping
 * windows' scores are positively correlated, which is the positive dependence it allows.
 */
export interface BhResult {
  /** windows with p <= cutoff are called; -1 when none is */
  cutoff: number;
  /** BH q-value of any p-value among the candidates */
  qValue(p: number): number;
}

export function benjaminiHochberg(candidates: Float64Array, m: number, alpha: number): BhResult {
  const sorted = Float64Array.from(candidates).sort();
  const k = sorted.length;
  // q_(i) = min over j >= i of p_(j) m / j, the step-up adjustment.
  const q = new Float64Array(k);
  let running = 1;
  for (let i = k - 1; i >= 0; i--) {
    running = Math.min(running, (sorted[i]! * m) / (i + 1));
    q[i] = running;
  }
  let cutoff = -1;
  for (let i = k - 1; i >= 0; i--) {
    if (sorted[i]! <= (alpha * (i + 1)) / m) {
      cutoff = sorted[i]!;
      break;
    }
  }
  return {
    cutoff,
    qValue(p: number): number {
      // The last index with sorted[index] <= p: ties share the q of the largest rank.
      let lo = 0;
      let hi = k;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! <= p) lo = mid + 1;
        else hi = mid;
      }
      return lo === 0 ? Math.min(1, (p * m) / 1) : q[lo - 1]!;
    },
  };
}
