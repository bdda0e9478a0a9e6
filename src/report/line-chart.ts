/**
 * The one chart most report figures are: lines over x, with axes, a legend and optional vertical markers.
 * Training curves, ROC, precision-recall and threshold curves are all this with different data.
 */
import { extent } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import {
  type Figure,
  type LegendItem,
  type Margin,
  PALETTE,
  approximateTextWidth,
  axisBottom,
  axisLeft,
  element,
  gridLines,
  legend,
  svgDocument,
  text,
} from './svg.js';

export interface Series {
  label: string;
  /** [x, y]; points with a non-finite y leave a gap (an epoch without validation, say) */
  points: ReadonlyArray<readonly [number, number]>;
  colour?: string;
  dash?: string;
  /** a step function (precision-recall between thresholds) rather than straight segments */
  step?: boolean;
  /** mark each point (binned estimates, where the points are the data and the line only guides the eye) */
  dots?: boolean;
}

export interface VerticalMarker {
  x: number;
  label: string;
  colour?: string;
}

export interface LineChartSpec {
  name: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** start the y axis at 0 (a loss), still fitting the top to the data */
  yFromZero?: boolean;
  /** integer ticks only (epochs) */
  xIntegers?: boolean;
  markers?: readonly VerticalMarker[];
  /** e.g. the chance diagonal of a ROC plot, drawn dashed and grey under the data */
  reference?: ReadonlyArray<readonly [number, number]>;
  /** extra lines printed under the title (an AUC) */
  notes?: readonly string[];
  width?: number;
  height?: number;
}

const MARGIN: Margin = { top: 30, right: 16, bottom: 46, left: 60 };

export function lineChart(spec: LineChartSpec): Figure {
  const drawn = spec.series.filter((s) => s.points.some(([, y]) => Number.isFinite(y)));
  // The legend sits right of the plot, never over a curve or a marker's label.
  const legendWidth = drawn.length > 0 ? 30 + Math.max(...drawn.map((s) => approximateTextWidth(s.label, 11))) : 0;
  const width = (spec.width ?? 500) + (legendWidth > 0 ? legendWidth + 12 : 0);
  const height = spec.height ?? 340;
  const left = MARGIN.left;
  const right = width - MARGIN.right - (legendWidth > 0 ? legendWidth + 12 : 0);
  // Notes (an AUC) sit under the title, above the plot, where no curve can hide them.
  const top = MARGIN.top + 15 * (spec.notes?.length ?? 0);
  const bottom = height - MARGIN.bottom;

  const allX = drawn.flatMap((s) => s.points.map(([x]) => x));
  const allY = drawn.flatMap((s) => s.points.map(([, y]) => y).filter(Number.isFinite));
  const xDomain = spec.xDomain ?? paddedExtent(allX);
  const yDomain = spec.yDomain ?? paddedExtent(allY);
  if (spec.yFromZero && !spec.yDomain) yDomain[0] = Math.min(0, ...allY);
  const x = scaleLinear().domain(xDomain).range([left, right]);
  const y = scaleLinear().domain(yDomain).range([bottom, top]);
  if (!spec.yDomain) y.nice();
  if (!spec.xDomain && !spec.xIntegers) x.nice();

  const xTicks = spec.xIntegers ? Math.min(8, Math.max(1, Math.round(xDomain[1] - xDomain[0]))) : 6;
  const xFormat = spec.xIntegers ? (v: number) => (Number.isInteger(v) ? String(v) : '') : undefined;
  let body = gridLines(y, left, right);
  if (spec.reference) {
    body += element('path', {
      class: 'reference',
      d: pathOf(spec.reference, x, y, false),
      fill: 'none',
      stroke: '#999999',
      'stroke-dasharray': '4 4',
    });
  }
  for (const [i, marker] of (spec.markers ?? []).entries()) {
    if (marker.x < x.domain()[0]! || marker.x > x.domain()[1]!) continue;
    const colour = marker.colour ?? '#555555';
    body += element(
      'g',
      { class: 'marker' },
      element('line', { x1: x(marker.x), x2: x(marker.x), y1: top, y2: bottom, stroke: colour, 'stroke-dasharray': '2 3' }) +
        // Near the right edge the label goes left of its line, so it stays inside the figure.
        (x(marker.x) > right - 140
          ? text(marker.label, { x: x(marker.x) - 3, y: top + 10 + 12 * i, fill: colour, 'font-size': 10, 'text-anchor': 'end' })
          : text(marker.label, { x: x(marker.x) + 3, y: top + 10 + 12 * i, fill: colour, 'font-size': 10 })),
    );
  }
  const items: LegendItem[] = [];
  drawn.forEach((series, i) => {
    const colour = series.colour ?? PALETTE[i % PALETTE.length]!;
    body += element('path', {
      class: 'curve',
      'data-series': series.label,
      d: pathOf(series.points, x, y, series.step ?? false),
      fill: 'none',
      stroke: colour,
      'stroke-width': 2,
      'stroke-dasharray': series.dash,
      'stroke-linejoin': 'round',
    });
    if (series.dots) {
      const dots = series.points
        .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
        .map(([px, py]) => element('circle', { cx: x(px), cy: y(py), r: 3.5, fill: colour }));
      body += element('g', { class: 'dots' }, dots.join(''));
    }
    items.push({ label: series.label, colour, ...(series.dash ? { dash: series.dash } : {}) });
  });
  body += axisBottom(x, bottom, { ticks: xTicks, ...(xFormat ? { format: xFormat } : {}), label: spec.xLabel });
  body += axisLeft(y, left, { label: spec.yLabel });
  (spec.notes ?? []).forEach((note, i) => {
    body += text(note, { class: 'note', x: left, y: 36 + i * 15, 'font-size': 12 });
  });
  if (items.length > 0) body += legend(items, right + 12, top);
  body += text(spec.title, { x: left, y: 18, 'font-size': 13, 'font-weight': 'bold' });
  return {
    name: spec.name,
    title: spec.title,
    svg: svgDocument(width, height, spec.title, body, { 'data-figure': spec.name }),
    width,
    height,
  };
}

function pathOf(
  points: ReadonlyArray<readonly [number, number]>,
  x: (v: number) => number,
  y: (v: number) => number,
  step: boolean,
): string {
  const expanded: Array<readonly [number, number]> = [];
  points.forEach((point, i) => {
    // A step takes each point's y over the interval from the previous x: how average precision integrates a
    // precision-recall curve, so the drawn area is the reported one.
    if (step && i > 0) expanded.push([points[i - 1]![0], point[1]]);
    expanded.push(point);
  });
  const path = line<readonly [number, number]>()
    .defined(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
    .x(([px]) => x(px))
    .y(([, py]) => y(py))
    .digits(2);
  return path(expanded) ?? '';
}

/** The data's range, widened by 5% (or by 0.5 when all values are equal), so lines never sit on the frame. */
function paddedExtent(values: readonly number[]): [number, number] {
  const [lo, hi] = extent(values);
  if (lo === undefined || hi === undefined) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}
