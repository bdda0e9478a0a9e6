/**
 * The baseline inside every classifier run: `rnnseq train` fits the k-mer linear model on the same training and
 * validation split as the recurrent model and reports both validation metrics side by side, with one plain line
 * when the baseline wins. A yardstick: the model that ships is always the recurrent one (a k-mer branch candidate,
 * kmer-branch.ts, starts from the baseline's weights and trains them with the recurrent layers).
 */
import type { Alphabet } from '../seq/alphabet.js';
import { type BaselineMetric, type KmerBaselineOptions, fitKmerBaselineEncoded } from './kmer-baseline.js';
import type { TrainingSet } from '../seq/training-set.js';
import type { SoftmaxModel } from './softmax-regression.js';

export interface BaselineReport {
  name: 'kmer';
  /** e.g. "canonical 5-mers, lambda 1e-3" */
  description: string;
  k: number;
  strands: string;
  /** counted at each of this many positions (kmer-baseline.ts positionalSpecs); absent: over the whole sequence */
  bins?: number;
  lambda: number;
  metric: BaselineMetric;
  validMetric: number;
  seconds: number;
}

/** The report, and the fitted weights the k-mer branch starts from (kmer-branch.ts): never logged or stored. */
export interface BaselineRun {
  report: BaselineReport;
  model: SoftmaxModel;
}

/**
 * Fits the baseline on a classifier's split, or returns undefined when there is nothing to compare on (no
 * validation set, no class labels, or a validation set with a single class and hence no AUROC).
 */
export function kmerBaselineForRun(
  train: TrainingSet,
  valid: TrainingSet | undefined,
  alphabet: Alphabet,
  numClasses: number,
  options: KmerBaselineOptions = {},
): BaselineRun | undefined {
  if (!valid || !train.labels || !valid.labels || valid.items.length === 0 || train.items.length === 0) return undefined;
  const started = performance.now();
  const baseline = fitKmerBaselineEncoded(
    { items: train.items, labels: train.labels },
    { items: valid.items, labels: valid.labels },
    alphabet,
    { numClasses, ...options },
  );
  if (Number.isNaN(baseline.validMetric)) return undefined;
  return {
    report: {
      name: 'kmer',
      description: baseline.describe(),
      k: baseline.k,
      strands: baseline.strands,
      ...(baseline.bins !== undefined ? { bins: baseline.bins } : {}),
      lambda: baseline.lambda,
      metric: baseline.metric,
      validMetric: baseline.validMetric,
      seconds: (performance.now() - started) / 1000,
    },
    model: baseline.model,
  };
}

/** The model's number to set beside the baseline's: validation AUROC for two classes, accuracy for more. */
export function modelMetricFor(metric: BaselineMetric, best: { validAuroc: number; validAccuracy: number }): number {
  return metric === 'auroc' ? best.validAuroc : best.validAccuracy;
}

/** One line for the log, e.g. "k-mer baseline (canonical 5-mers, lambda 1e-3): validation AUROC 0.9123 (0.8 s)". */
export function describeBaseline(report: BaselineReport): string {
  return `k-mer baseline (${report.description}): validation ${metricName(report.metric)} ${report.validMetric.toFixed(4)} (${report.seconds.toFixed(1)} s)`;
}

/**
 * The plain warning when the recurrent model does worse than the baseline on validation, else undefined. A tie
 * is not a loss: the model must fall below the baseline by more than `margin`.
 */
export function baselineVerdict(report: BaselineReport, modelMetric: number, margin = 0): string | undefined {
  if (!(modelMetric < report.validMetric - margin) && !Number.isNaN(modelMetric)) return undefined;
  const name = metricName(report.metric);
  const model = Number.isNaN(modelMetric) ? '-' : modelMetric.toFixed(4);
  return `the k-mer baseline beats the model on validation (${name} ${report.validMetric.toFixed(4)} vs ${model})`;
}

/** The metric's name as log lines print it. */
export function metricName(metric: BaselineMetric): string {
  return metric === 'auroc' ? 'AUROC' : 'accuracy';
}
