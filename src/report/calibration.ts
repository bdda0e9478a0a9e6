/**
 * Calibration, two ways. The decision threshold: precision, recall and F1 of calling a class at p >= t, for every
 * t, with the model's own threshold (a scanner's calibrated one) and the best-F1 one on these rows marked.
 * Reliability: do predicted probabilities mean what they say? Rows binned by the probability of their predicted
 * class, against how often that prediction was right, summarised as the expected calibration error (ECE).
 */
import { type Series, type VerticalMarker, lineChart } from './line-chart.js';
import { type ValidPredictions, predictedClass, probability, rowCount } from './predictions.js';
import type { ScoredClass } from './roc.js';
import { PALETTE, type Figure } from './svg.js';

export interface ThresholdPoint {
  threshold: number;
  precision: number; // NaN when nothing is called
  recall: number;
  f1: number;
}

const STEPS = 100;

/** Precision, recall and F1 at thresholds 0, 0.01, ..., 1 (calls are p >= t, as scan makes them). */
export function thresholdSweep(scores: ArrayLike<number>, positives: ArrayLike<number>): ThresholdPoint[] {
  let totalPositive = 0;
  for (let i = 0; i < positives.length; i++) if (positives[i]) totalPositive++;
  const points: ThresholdPoint[] = [];
  for (let step = 0; step <= STEPS; step++) {
    const threshold = step / STEPS;
    let tp = 0;
    let called = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i]! >= threshold) {
        called++;
        if (positives[i]) tp++;
      }
    }
    const precision = called > 0 ? tp / called : Number.NaN;
    const recall = totalPositive > 0 ? tp / totalPositive : Number.NaN;
    const f1 = tp > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    points.push({ threshold, precision, recall, f1 });
  }
  return points;
}

export function bestF1(points: readonly ThresholdPoint[]): ThresholdPoint {
  return points.reduce((best, p) => (p.f1 > best.f1 ? p : best), points[0]!);
}

/**
 * One class (binary models): its precision, recall and F1 against the threshold. Several (multi-class): each
 * class's F1 against the rest; such a model decides by the most probable class, so no threshold is marked.
 */
export function thresholdFigure(classes: readonly ScoredClass[], modelThreshold?: { value: number; label: string }): Figure | undefined {
  if (classes.length === 0) return undefined;
  const markers: VerticalMarker[] = [];
  const series: Series[] = [];
  const notes: string[] = [];
  if (classes.length === 1) {
    const points = thresholdSweep(classes[0]!.scores, classes[0]!.positives);
    const best = bestF1(points);
    series.push(
      { label: 'precision', points: points.map((p) => [p.threshold, p.precision]), colour: PALETTE[0]! },
      { label: 'recall', points: points.map((p) => [p.threshold, p.recall]), colour: PALETTE[1]! },
      { label: 'F1', points: points.map((p) => [p.threshold, p.f1]), colour: PALETTE[2]! },
    );
    markers.push({ x: best.threshold, label: `best F1 ${best.f1.toFixed(2)} at ${best.threshold.toFixed(2)}`, colour: PALETTE[2]! });
    if (modelThreshold) {
      const at = points[Math.round(modelThreshold.value * STEPS)]!;
      markers.push({ x: modelThreshold.value, label: 'model', colour: '#000000' });
      notes.push(`${modelThreshold.label}: precision ${fmt(at.precision)}, recall ${fmt(at.recall)}, F1 ${fmt(at.f1)}`);
    }
  } else {
    classes.forEach((c, i) => {
      const points = thresholdSweep(c.scores, c.positives);
      series.push({ label: `F1 ${c.name}`, points: points.map((p) => [p.threshold, p.f1]), colour: PALETTE[i % PALETTE.length]! });
    });
  }
  return lineChart({
    name: 'threshold',
    title: classes.length === 1 ? `Decision threshold (${classes[0]!.name})` : 'F1 by threshold, each class against the rest',
    xLabel: `threshold: call when p >= threshold`,
    yLabel: 'precision / recall / F1',
    series,
    xDomain: [0, 1],
    yDomain: [0, 1.02],
    markers,
    notes,
  });
}

export interface ReliabilityBin {
  confidence: number; // mean predicted probability of the predicted class
  accuracy: number; // share of the bin's rows predicted right
  rows: number;
}

/** Top-label reliability in `bins` equal-width bins over [0, 1]; empty bins are left out. */
export function reliability(predictions: ValidPredictions, bins = 10): { bins: ReliabilityBin[]; ece: number } {
  const sums = Array.from({ length: bins }, () => ({ confidence: 0, correct: 0, rows: 0 }));
  const n = rowCount(predictions);
  for (let row = 0; row < n; row++) {
    const predicted = predictedClass(predictions, row);
    const confidence = probability(predictions, row, predicted);
    const bin = sums[Math.min(bins - 1, Math.floor(confidence * bins))]!;
    bin.confidence += confidence;
    bin.correct += predictions.labels[row] === predicted ? 1 : 0;
    bin.rows++;
  }
  const filled = sums
    .filter((b) => b.rows > 0)
    .map((b) => ({ confidence: b.confidence / b.rows, accuracy: b.correct / b.rows, rows: b.rows }));
  const ece = filled.reduce((sum, b) => sum + (b.rows / n) * Math.abs(b.accuracy - b.confidence), 0);
  return { bins: filled, ece };
}

export function reliabilityFigure(predictions: ValidPredictions): Figure {
  const { bins, ece } = reliability(predictions);
  return lineChart({
    name: 'reliability',
    title: 'Reliability of predicted probabilities',
    xLabel: 'probability of the predicted class (10 bins)',
    yLabel: 'share predicted right',
    series: [{ label: 'model', points: bins.map((b) => [b.confidence, b.accuracy]), colour: PALETTE[0]!, dots: true }],
    xDomain: [0, 1],
    yDomain: [0, 1],
    reference: [
      [0, 0],
      [1, 1],
    ],
    notes: [`expected calibration error ${ece.toFixed(3)} (0: perfectly calibrated; diagonal)`],
  });
}

function fmt(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '-';
}
