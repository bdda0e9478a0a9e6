/**
 * Which figures a model's report has, and why any it lacks are missing. The inputs are already parsed: the
 * checkpoint's rnnseq.json, the per-epoch history, and the validation predictions when the run wrote them.
 */
import { dataError } from '../errors.js';
import { reliabilityFigure, thresholdFigure } from './calibration.js';
import { confusionFigure } from './confusion.js';
import { type MemberHistory, lossFigure, metricsFigure } from './curves.js';
import type { EpochRecord } from './history.js';
import { type ValidPredictions, oneVsRest } from './predictions.js';
import { type ScoredClass, prFigure, rocFigure } from './roc.js';
import type { Figure } from './svg.js';

import type { FigureName } from './figure-names.js';

export { FIGURE_NAMES, type FigureName } from './figure-names.js';

export interface ReportInput {
  /** what the user named: a run directory, a checkpoint or a shipped model */
  source: string;
  checkpointDir: string;
  /** rnnseq.json as read (validated as a checkpoint; fields the report does not know are shown as they are) */
  spec: Record<string, unknown>;
  history: EpochRecord[];
  /** where the history came from (a metrics.tsv path, or rnnseq.json) */
  historySource: string;
  /** train --ensemble: every member's history (member 1's is `history`), drawn one colour per member */
  members?: MemberHistory[];
  predictions?: ValidPredictions;
  predictionsPath: string;
}

export interface FigureSet {
  figures: Map<FigureName, Figure>;
  /** figure -> why it is not there */
  unavailable: Map<FigureName, string>;
}

interface WindowBlock {
  positiveClass?: string;
  threshold?: number;
  calibration?: unknown;
}

export function modelTask(spec: Record<string, unknown>): string {
  const architecture = spec.architecture as { task?: unknown } | undefined;
  return typeof architecture?.task === 'string' ? architecture.task : typeof spec.task === 'string' ? spec.task : 'classify';
}

export function bestEpochOf(spec: Record<string, unknown>): number | undefined {
  const training = spec.training as { state?: { bestEpoch?: unknown }; epoch?: unknown } | undefined;
  const best = training?.state?.bestEpoch ?? (spec.metrics as { epoch?: unknown } | undefined)?.epoch ?? training?.epoch;
  return typeof best === 'number' && best > 0 ? best : undefined;
}

export function buildFigures(input: ReportInput): FigureSet {
  const figures = new Map<FigureName, Figure>();
  const unavailable = new Map<FigureName, string>();
  const put = (name: FigureName, figure: Figure | undefined, why: string) =>
    figure ? figures.set(name, figure) : unavailable.set(name, why);

  const bestEpoch = bestEpochOf(input.spec);
  const noHistory = `no per-epoch history: ${input.historySource} has none`;
  const members = input.members;
  put('loss', input.history.length > 0 ? lossFigure(input.history, bestEpoch, members) : undefined, noHistory);
  put(
    'metrics',
    input.history.length > 0 ? metricsFigure(input.history, bestEpoch, members) : undefined,
    input.history.length > 0 ? 'the history logs no metric besides loss' : noHistory,
  );

  const task = modelTask(input.spec);
  const validationFigures: FigureName[] = ['roc', 'pr', 'confusion', 'threshold', 'reliability'];
  if (task !== 'classify') {
    for (const name of validationFigures) unavailable.set(name, `the model's task is '${task}', not classification`);
    return { figures, unavailable };
  }
  const predictions = input.predictions;
  if (!predictions) {
    const why = `no ${input.predictionsPath} (runs trained before rnnseq wrote validation predictions, or without a validation set, have none)`;
    for (const name of validationFigures) unavailable.set(name, why);
    return { figures, unavailable };
  }
  const classes = Array.isArray(input.spec.classes) ? (input.spec.classes as string[]) : predictions.classes;
  if (classes.join('\t') !== predictions.classes.join('\t')) {
    throw dataError(
      { file: input.predictionsPath, line: 1 },
      `classes ${predictions.classes.join(', ')} differ from the model's (${classes.join(', ')}): not this model's predictions`,
    );
  }
  const scored = scoredClasses(predictions, input.spec.window as WindowBlock | undefined);
  const noBoth = 'the validation set lacks one side of every class (all rows positive or all negative)';
  put('roc', rocFigure(scored), noBoth);
  put('pr', prFigure(scored), noBoth);
  put('confusion', confusionFigure(predictions), '');
  put('threshold', thresholdFigure(scored, modelThreshold(input.spec, scored.length)), noBoth);
  put('reliability', reliabilityFigure(predictions), '');
  return { figures, unavailable };
}

/**
 * A two-class model is judged on its positive class (a scanner's, else the second class); with more classes,
 * each class against the rest.
 */
export function scoredClasses(predictions: ValidPredictions, window: WindowBlock | undefined): ScoredClass[] {
  const names = predictions.classes;
  const picked =
    names.length === 2
      ? [window?.positiveClass && names.includes(window.positiveClass) ? names.indexOf(window.positiveClass) : 1]
      : names.map((_, i) => i);
  return picked.map((i) => ({ name: names[i]!, ...oneVsRest(predictions, i) }));
}

function modelThreshold(spec: Record<string, unknown>, scoredCount: number): { value: number; label: string } | undefined {
  if (scoredCount !== 1) return undefined;
  const window = spec.window as WindowBlock | undefined;
  if (window?.calibration && typeof window.threshold === 'number')
    return { value: window.threshold, label: `calibrated threshold ${window.threshold.toFixed(3)}` };
  // A two-class classifier picks the more probable class: the same as calling the positive class at p >= 0.5.
  return { value: 0.5, label: 'argmax decision (p >= 0.5)' };
}
