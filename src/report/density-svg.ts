/**
 * Where along each chromosome the calls fall: one row per sequence, drawn to a shared bp scale so lengths
 * compare, with bars counting the calls whose midpoint lies in each bin. Bins are a round size near 1/200 of
 * the longest sequence; all rows share one count scale, so a dense stretch stands out across chromosomes.
 */
import { max, tickStep } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import { type Figure, PALETTE, approximateTextWidth, element, svgDocument, text } from './svg.js';

export interface ChromosomeCalls {
  name: string;
  lengthBp: number;
  /** calls as 0-based half-open [start, end) */
  calls: ReadonlyArray<readonly [number, number]>;
}

export interface DensityOptions {
  title?: string;
  /** rows drawn at most; the longest sequences are kept, in genome order */
  maxRows?: number;
  plotWidth?: number;
}

export interface DensityBins {
  binBp: number;
  /** per chromosome, calls per bin */
  counts: number[][];
}

export function binCalls(chromosomes: readonly ChromosomeCalls[], targetBins = 200): DensityBins {
  const longest = Math.max(1, ...chromosomes.map((c) => c.lengthBp));
  const binBp = Math.max(1, Math.ceil(tickStep(0, longest, targetBins)));
  const counts = chromosomes.map((chromosome) => {
    const bins = new Array<number>(Math.max(1, Math.ceil(chromosome.lengthBp / binBp))).fill(0);
    for (const [start, end] of chromosome.calls) {
      const bin = Math.min(bins.length - 1, Math.floor((start + end) / 2 / binBp));
      bins[bin]!++;
    }
    return bins;
  });
  return { binBp, counts };
}

export function densityFigure(all: readonly ChromosomeCalls[], options: DensityOptions = {}): Figure {
  const maxRows = options.maxRows ?? 40;
  const kept = new Set([...all].sort((a, b) => b.lengthBp - a.lengthBp).slice(0, maxRows));
  const chromosomes = all.filter((c) => kept.has(c));
  const { binBp, counts } = binCalls(chromosomes);
  const peak = max(counts.flat()) ?? 0;
  const totalCalls = all.reduce((sum, c) => sum + c.calls.length, 0);

  const labelWidth = Math.min(180, Math.max(40, ...chromosomes.map((c) => approximateTextWidth(c.name, 11)))) + 10;
  const left = 12 + labelWidth;
  const plotWidth = options.plotWidth ?? 640;
  const rowHeight = 34;
  const top = 52;
  const width = left + plotWidth + 24;
  const height = top + Math.max(1, chromosomes.length) * rowHeight + 44;
  const longest = Math.max(1, ...chromosomes.map((c) => c.lengthBp));
  const x = scaleLinear()
    .domain([0, longest])
    .range([left, left + plotWidth]);
  const barHeight = scaleLinear()
    .domain([0, Math.max(1, peak)])
    .range([0, rowHeight - 10]);

  let body = text(options.title ?? 'Call density along each sequence', { x: 12, y: 18, 'font-size': 13, 'font-weight': 'bold' });
  const omitted = all.length - chromosomes.length;
  body += text(
    `${totalCalls} calls on ${all.length} sequence${all.length === 1 ? '' : 's'}; bars: calls per ${formatBp(binBp)} bin (midpoints), tallest ${peak}` +
      (omitted > 0 ? `; ${omitted} shorter sequences not drawn` : ''),
    { class: 'note', x: 12, y: 36, 'font-size': 11 },
  );
  chromosomes.forEach((chromosome, row) => {
    const baseline = top + (row + 1) * rowHeight - 4;
    let bars = '';
    counts[row]!.forEach((count, bin) => {
      if (count === 0) return;
      const x0 = x(bin * binBp);
      const x1 = x(Math.min(chromosome.lengthBp, (bin + 1) * binBp));
      bars += element('rect', {
        x: x0,
        y: baseline - barHeight(count),
        width: Math.max(0.5, x1 - x0),
        height: barHeight(count),
        fill: PALETTE[0]!,
      });
    });
    body += element(
      'g',
      { class: 'chromosome', 'data-name': chromosome.name, 'data-length': chromosome.lengthBp, 'data-calls': chromosome.calls.length },
      element('rect', { x: x(0), y: baseline - 1, width: x(chromosome.lengthBp) - x(0), height: 2, fill: '#bbbbbb' }) +
        bars +
        text(chromosome.name, { x: left - 8, y: baseline, 'text-anchor': 'end' }),
    );
  });
  const axisY = top + chromosomes.length * rowHeight + 4;
  let axis = element('line', { x1: x(0), x2: x(longest), y1: axisY, y2: axisY, stroke: '#000000' });
  for (const tick of x.ticks(6)) {
    axis += element('line', { x1: x(tick), x2: x(tick), y1: axisY, y2: axisY + 5, stroke: '#000000' });
    axis += text(formatBp(tick), { x: x(tick), y: axisY + 16, 'text-anchor': 'middle' });
  }
  axis += text('position (bp)', { x: left + plotWidth / 2, y: axisY + 32, 'text-anchor': 'middle', 'font-size': 12 });
  body += element('g', { class: 'axis x-axis' }, axis);
  const title = options.title ?? 'Call density';
  return { name: 'density', title, svg: svgDocument(width, height, title, body, { 'data-figure': 'density' }), width, height };
}

export function formatBp(bp: number): string {
  if (bp === 0) return '0';
  if (bp >= 1e6) return `${Number((bp / 1e6).toPrecision(3))} Mb`;
  if (bp >= 1e3) return `${Number((bp / 1e3).toPrecision(3))} kb`;
  return `${bp} bp`;
}
