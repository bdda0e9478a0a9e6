/**
 * Training curves: loss, and every other per-epoch metric, train against validation, with the best epoch
 * (the one best/ holds) marked. Metric columns are found by name (trainX / validX), so a task that logs other
 * metrics (perplexity, correlation) gets its curves without a change here.
 */
import { type EpochRecord, column, hasColumn } from './history.js';
import { type Series, type VerticalMarker, lineChart } from './line-chart.js';
import { PALETTE, type Figure } from './svg.js';

const METRIC_LABELS: Record<string, string> = {
  Accuracy: 'accuracy',
  Auroc: 'AUROC',
};

export function lossFigure(history: readonly EpochRecord[], bestEpoch: number | undefined): Figure | undefined {
  const series: Series[] = [];
  if (hasColumn(history, 'trainLoss')) series.push({ label: 'train loss', points: column(history, 'trainLoss'), colour: PALETTE[0]! });
  if (hasColumn(history, 'validLoss')) series.push({ label: 'validation loss', points: column(history, 'validLoss'), colour: PALETTE[1]! });
  if (series.length === 0) return undefined;
  return lineChart({
    name: 'loss',
    title: 'Loss per epoch',
    xLabel: 'epoch',
    yLabel: 'loss',
    yFromZero: true,
    series,
    xIntegers: true,
    markers: bestMarker(bestEpoch),
  });
}

/** Accuracy, AUROC and any other metric logged for train and validation but loss; train dashed, validation solid. */
export function metricsFigure(history: readonly EpochRecord[], bestEpoch: number | undefined): Figure | undefined {
  const names = new Set<string>();
  for (const record of history) {
    for (const key of Object.keys(record)) {
      const match = /^(train|valid)([A-Z]\w*)$/.exec(key);
      if (match && match[2] !== 'Loss' && Number.isFinite(record[key])) names.add(match[2]!);
    }
  }
  const series: Series[] = [];
  [...names].sort().forEach((metric, i) => {
    const colour = PALETTE[(i + 2) % PALETTE.length]!;
    const label = METRIC_LABELS[metric] ?? metric.replace(/^[A-Z]/, (c) => c.toLowerCase());
    if (hasColumn(history, `train${metric}`))
      series.push({ label: `train ${label}`, points: column(history, `train${metric}`), colour, dash: '5 3' });
    if (hasColumn(history, `valid${metric}`))
      series.push({ label: `validation ${label}`, points: column(history, `valid${metric}`), colour });
  });
  if (series.length === 0) return undefined;
  const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const unitInterval = values.every((v) => v >= 0 && v <= 1);
  return lineChart({
    name: 'metrics',
    title: 'Metrics per epoch',
    xLabel: 'epoch',
    yLabel: unitInterval ? 'value (0-1)' : 'value',
    series,
    xIntegers: true,
    ...(unitInterval ? { yDomain: [Math.min(0.5, ...values) >= 0.5 ? 0.5 : 0, 1] as [number, number] } : {}),
    markers: bestMarker(bestEpoch),
  });
}

function bestMarker(bestEpoch: number | undefined): VerticalMarker[] {
  return bestEpoch === undefined ? [] : [{ x: bestEpoch, label: `best epoch ${bestEpoch}` }];
}
