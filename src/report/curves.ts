/**
 * Training curves: loss, and every other per-epoch metric, train against validation, with the best epoch
 * (the one best/ holds) marked. Metric columns are found by name (trainX / validX), so a task that logs other
 * metrics (perplexity, correlation) gets its curves without a change here.
 */
import { type EpochRecord, column, hasColumn } from './history.js';
import { type LineChartSpec, type Series, type VerticalMarker, lineChart } from './line-chart.js';
import { PALETTE, type Figure } from './svg.js';

const METRIC_LABELS: Record<string, string> = {
  Accuracy: 'accuracy',
  Auroc: 'AUROC',
};

/** One model's history in an ensemble's figures (train --ensemble): member 1 is the run's own. */
export interface MemberHistory {
  member: number;
  history: readonly EpochRecord[];
  bestEpoch: number | undefined;
}

/**
 * Loss per epoch; with an ensemble's members (two or more), one colour per member, train dashed and validation
 * solid, so a member that stopped early or overfitted reads apart from the others.
 */
export function lossFigure(
  history: readonly EpochRecord[],
  bestEpoch: number | undefined,
  members?: readonly MemberHistory[],
): Figure | undefined {
  if (members && members.length > 1) return membersFigure(members, ['Loss'], 'loss', 'Loss per epoch, each member', true);
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

/**
 * Accuracy, AUROC and any other metric logged for train and validation but loss; train dashed, validation solid.
 * An ensemble's members: their validation curves only (one colour per member, one dash per metric), as train and
 * validation for three members would be more lines than a reader can follow.
 */
export function metricsFigure(
  history: readonly EpochRecord[],
  bestEpoch: number | undefined,
  members?: readonly MemberHistory[],
): Figure | undefined {
  if (members && members.length > 1) {
    const validated = [...new Set(members.flatMap((m) => metricNames(m.history)))].sort();
    return validated.length > 0
      ? membersFigure(members, validated, 'metrics', 'Validation metrics per epoch, each member', false)
      : undefined;
  }
  const names = metricNames(history);
  const series: Series[] = [];
  names.forEach((metric, i) => {
    const colour = PALETTE[(i + 2) % PALETTE.length]!;
    const label = metricLabel(metric);
    if (hasColumn(history, `train${metric}`))
      series.push({ label: `train ${label}`, points: column(history, `train${metric}`), colour, dash: '5 3' });
    if (hasColumn(history, `valid${metric}`))
      series.push({ label: `validation ${label}`, points: column(history, `valid${metric}`), colour });
  });
  if (series.length === 0) return undefined;
  return lineChart({
    name: 'metrics',
    title: 'Metrics per epoch',
    xLabel: 'epoch',
    ...valueAxis(series),
    series,
    xIntegers: true,
    markers: bestMarker(bestEpoch),
  });
}

function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric.replace(/^[A-Z]/, (c) => c.toLowerCase());
}

/** A metrics chart's y axis: 0-1 (from 0.5 where every value is above it) when the values are shares, else free. */
function valueAxis(series: readonly Series[]): Pick<LineChartSpec, 'yLabel' | 'yDomain'> {
  const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  if (!values.every((v) => v >= 0 && v <= 1)) return { yLabel: 'value' };
  return { yLabel: 'value (0-1)', yDomain: [Math.min(0.5, ...values) >= 0.5 ? 0.5 : 0, 1] };
}

/** The metrics (Accuracy, Auroc, ...) a history logs for train or validation, loss aside, sorted. */
function metricNames(history: readonly EpochRecord[]): string[] {
  const names = new Set<string>();
  for (const record of history) {
    for (const key of Object.keys(record)) {
      const match = /^(train|valid)([A-Z]\w*)$/.exec(key);
      if (match && match[2] !== 'Loss' && Number.isFinite(record[key])) names.add(match[2]!);
    }
  }
  return [...names].sort();
}

const METRIC_DASHES = [undefined, '6 3', '2 2', '8 2 2 2'];

function membersFigure(
  members: readonly MemberHistory[],
  metrics: readonly string[],
  name: 'loss' | 'metrics',
  title: string,
  withTrain: boolean,
): Figure | undefined {
  const series: Series[] = [];
  for (const { member, history } of members) {
    const colour = PALETTE[(member - 1) % PALETTE.length]!;
    metrics.forEach((metric, i) => {
      const label = metricLabel(metric);
      if (withTrain && hasColumn(history, `train${metric}`))
        series.push({ label: `member ${member} train ${label}`, points: column(history, `train${metric}`), colour, dash: '5 3' });
      if (hasColumn(history, `valid${metric}`)) {
        const dash = withTrain ? undefined : METRIC_DASHES[i % METRIC_DASHES.length];
        series.push({
          label: `member ${member} validation ${label}`,
          points: column(history, `valid${metric}`),
          colour,
          ...(dash ? { dash } : {}),
        });
      }
    });
  }
  if (series.length === 0) return undefined;
  return lineChart({
    name,
    title,
    xLabel: 'epoch',
    ...(name === 'loss' ? { yLabel: 'loss', yFromZero: true } : valueAxis(series)),
    series,
    xIntegers: true,
    markers: memberMarkers(members),
  });
}

/** Each member's best epoch; members that chose the same epoch share one marker. */
function memberMarkers(members: readonly MemberHistory[]): VerticalMarker[] {
  const byEpoch = new Map<number, number[]>();
  for (const { member, bestEpoch } of members)
    if (bestEpoch !== undefined) byEpoch.set(bestEpoch, [...(byEpoch.get(bestEpoch) ?? []), member]);
  return [...byEpoch]
    .sort(([a], [b]) => a - b)
    .map(([x, chose]) => ({
      x,
      label: `best epoch ${x} (member${chose.length > 1 ? 's' : ''} ${chose.join(', ')})`,
      ...(chose.length === 1 ? { colour: PALETTE[(chose[0]! - 1) % PALETTE.length]! } : {}),
    }));
}

function bestMarker(bestEpoch: number | undefined): VerticalMarker[] {
  return bestEpoch === undefined ? [] : [{ x: bestEpoch, label: `best epoch ${bestEpoch}` }];
}
