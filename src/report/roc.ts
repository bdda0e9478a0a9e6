/**
 * ROC and precision-recall curves of one score against a binary truth, and the areas under them. Rows with
 * equal scores move together (one threshold cannot separate them), so the curves and areas do not depend on the
 * order of ties: ROC AUC equals the Mann-Whitney probability that a positive outscores a negative, ties half.
 */
import { lineChart } from './line-chart.js';
import { PALETTE, type Figure } from './svg.js';

export interface RocCurve {
  /** [false positive rate, true positive rate], from (0, 0) to (1, 1) */
  points: Array<[number, number]>;
  auc: number;
}

export interface PrCurve {
  /** [recall, precision], recall ascending, starting at (0, 1) as scikit-learn does */
  points: Array<[number, number]>;
  /** average precision: sum over thresholds of (recall gain) x precision, the area of the step curve */
  averagePrecision: number;
  /** the precision of a random ranking: the share of positives */
  baseline: number;
}

/** Thresholds from the highest score down: cumulative true and false positives after each distinct score. */
function thresholdCounts(
  scores: ArrayLike<number>,
  positives: ArrayLike<number>,
): { tp: number[]; fp: number[]; thresholds: number[]; totalPositive: number; totalNegative: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const tp: number[] = [];
  const fp: number[] = [];
  const thresholds: number[] = [];
  let truePositive = 0;
  let falsePositive = 0;
  order.forEach((row, k) => {
    if (positives[row]) truePositive++;
    else falsePositive++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[row]) {
      tp.push(truePositive);
      fp.push(falsePositive);
      thresholds.push(scores[row]!);
    }
  });
  return { tp, fp, thresholds, totalPositive: truePositive, totalNegative: falsePositive };
}

/** undefined when one of the two classes is absent: there is no curve to draw. */
export function rocCurve(scores: ArrayLike<number>, positives: ArrayLike<number>): RocCurve | undefined {
  const { tp, fp, totalPositive, totalNegative } = thresholdCounts(scores, positives);
  if (totalPositive === 0 || totalNegative === 0) return undefined;
  const points: Array<[number, number]> = [[0, 0]];
  let auc = 0;
  for (let i = 0; i < tp.length; i++) {
    const point: [number, number] = [fp[i]! / totalNegative, tp[i]! / totalPositive];
    const previous = points[points.length - 1]!;
    auc += ((point[0] - previous[0]) * (point[1] + previous[1])) / 2;
    points.push(point);
  }
  return { points, auc };
}

export function prCurve(scores: ArrayLike<number>, positives: ArrayLike<number>): PrCurve | undefined {
  const { tp, fp, totalPositive, totalNegative } = thresholdCounts(scores, positives);
  if (totalPositive === 0) return undefined;
  const points: Array<[number, number]> = [[0, 1]];
  let averagePrecision = 0;
  let previousRecall = 0;
  for (let i = 0; i < tp.length; i++) {
    const recall = tp[i]! / totalPositive;
    const precision = tp[i]! / (tp[i]! + fp[i]!);
    averagePrecision += (recall - previousRecall) * precision;
    previousRecall = recall;
    points.push([recall, precision]);
  }
  return { points, averagePrecision, baseline: totalPositive / (totalPositive + totalNegative) };
}

export interface ScoredClass {
  name: string;
  scores: ArrayLike<number>;
  positives: ArrayLike<number>;
}

/** One curve per class (one-vs-rest); the note gives the AUC, or the mean over classes (macro) for several. */
export function rocFigure(classes: readonly ScoredClass[]): Figure | undefined {
  const curves = classes.map((c) => ({ name: c.name, curve: rocCurve(c.scores, c.positives) })).filter((c) => c.curve !== undefined);
  if (curves.length === 0) return undefined;
  const aucs = curves.map((c) => c.curve!.auc);
  const note =
    curves.length === 1 ? `AUC ${aucs[0]!.toFixed(3)}` : `macro AUC ${(aucs.reduce((a, b) => a + b, 0) / aucs.length).toFixed(3)}`;
  return lineChart({
    name: 'roc',
    title: curves.length === 1 ? `ROC curve (${curves[0]!.name})` : 'ROC curves, each class against the rest',
    xLabel: 'false positive rate',
    yLabel: 'true positive rate',
    series: curves.map((c, i) => ({
      label: `${c.name} (AUC ${c.curve!.auc.toFixed(3)})`,
      points: c.curve!.points,
      colour: PALETTE[i % PALETTE.length]!,
    })),
    xDomain: [0, 1],
    yDomain: [0, 1],
    reference: [
      [0, 0],
      [1, 1],
    ],
    notes: [note],
  });
}

export function prFigure(classes: readonly ScoredClass[]): Figure | undefined {
  const curves = classes.map((c) => ({ name: c.name, curve: prCurve(c.scores, c.positives) })).filter((c) => c.curve !== undefined);
  if (curves.length === 0) return undefined;
  const aps = curves.map((c) => c.curve!.averagePrecision);
  const note =
    curves.length === 1
      ? `PR AUC (average precision) ${aps[0]!.toFixed(3)}`
      : `macro average precision ${(aps.reduce((a, b) => a + b, 0) / aps.length).toFixed(3)}`;
  return lineChart({
    name: 'pr',
    title: curves.length === 1 ? `Precision-recall curve (${curves[0]!.name})` : 'Precision-recall, each class against the rest',
    xLabel: 'recall',
    yLabel: 'precision',
    series: curves.map((c, i) => ({
      label: `${c.name} (AP ${c.curve!.averagePrecision.toFixed(3)}, base ${c.curve!.baseline.toFixed(2)})`,
      points: c.curve!.points,
      colour: PALETTE[i % PALETTE.length]!,
      step: true,
    })),
    xDomain: [0, 1],
    yDomain: [0, 1.02],
    notes: [note],
  });
}
