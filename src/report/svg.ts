/**
 * SVG as strings, built in Node with no DOM: scales, ticks and paths come from d3 (d3-scale, d3-shape), and this
 * file turns them into markup. Styling is in presentation attributes, not CSS, so a figure looks the same inline in
 * the HTML report, as a standalone .svg opened in Inkscape or a browser, and as a PNG rendered by Chromium.
 */
import type { ScaleLinear } from 'd3-scale';

/** A finished figure: its file-friendly name, a title for the report, and self-contained SVG markup. */
export interface Figure {
  name: string;
  title: string;
  svg: string;
  width: number;
  height: number;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Colour-blind-safe categorical colours (Okabe & Ito 2008), in the order series are drawn. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export type Attributes = Record<string, string | number | undefined>;

/** One element; undefined attributes are left out, numbers are rounded to keep files small and stable. */
export function element(name: string, attributes: Attributes, children = ''): string {
  let text = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    text += ` ${key}="${typeof value === 'number' ? formatCoordinate(value) : escapeXml(value)}"`;
  }
  return children === '' ? `${text}/>` : `${text}>${children}</${name}>`;
}

export function text(content: string, attributes: Attributes): string {
  return element('text', attributes, escapeXml(content));
}

/** Two decimals are below a pixel's hundredth: enough for print, and output stays byte-stable across runs. */
export function formatCoordinate(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A standalone SVG document (xmlns included, so the same string is a valid .svg file and inline HTML). */
export function svgDocument(width: number, height: number, title: string, body: string, attributes: Attributes = {}): string {
  return element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${formatCoordinate(width)} ${formatCoordinate(height)}`,
      role: 'img',
      'font-family': FONT,
      'font-size': 11,
      ...attributes,
    },
    element('title', {}, escapeXml(title)) + element('rect', { width, height, fill: '#ffffff' }) + body,
  );
}

export interface AxisOptions {
  ticks?: number;
  format?: (value: number) => string;
  label?: string;
}

/** A horizontal axis at y (pixels): line, ticks and labels from the scale's own tick choice. */
export function axisBottom(scale: ScaleLinear<number, number>, y: number, options: AxisOptions = {}): string {
  const ticks = scale.ticks(options.ticks ?? 6);
  const format = options.format ?? scale.tickFormat(options.ticks ?? 6);
  const [x0, x1] = scale.range() as [number, number];
  let body = element('line', { x1: x0, x2: x1, y1: y, y2: y, stroke: '#000000' });
  for (const tick of ticks) {
    const x = scale(tick);
    body += element('line', { x1: x, x2: x, y1: y, y2: y + 5, stroke: '#000000' });
    body += text(format(tick), { x, y: y + 16, 'text-anchor': 'middle' });
  }
  if (options.label) body += text(options.label, { x: (x0 + x1) / 2, y: y + 32, 'text-anchor': 'middle', 'font-size': 12 });
  return element('g', { class: 'axis x-axis' }, body);
}

/** A vertical axis at x (pixels), labels to its left. */
export function axisLeft(scale: ScaleLinear<number, number>, x: number, options: AxisOptions = {}): string {
  const ticks = scale.ticks(options.ticks ?? 5);
  const format = options.format ?? scale.tickFormat(options.ticks ?? 5);
  const [y0, y1] = scale.range() as [number, number];
  let body = element('line', { x1: x, x2: x, y1: y0, y2: y1, stroke: '#000000' });
  for (const tick of ticks) {
    const y = scale(tick);
    body += element('line', { x1: x - 5, x2: x, y1: y, y2: y, stroke: '#000000' });
    body += text(format(tick), { x: x - 8, y: y + 4, 'text-anchor': 'end' });
  }
  if (options.label) {
    const cy = (y0 + y1) / 2;
    body += text(options.label, {
      x: x - 44,
      y: cy,
      'text-anchor': 'middle',
      'font-size': 12,
      transform: `rotate(-90 ${formatCoordinate(x - 44)} ${formatCoordinate(cy)})`,
    });
  }
  return element('g', { class: 'axis y-axis' }, body);
}

/** Light horizontal grid lines at the y scale's ticks, drawn under the data. */
export function gridLines(y: ScaleLinear<number, number>, x0: number, x1: number, ticks = 5): string {
  return element(
    'g',
    { class: 'grid' },
    y
      .ticks(ticks)
      .map((tick) => element('line', { x1: x0, x2: x1, y1: y(tick), y2: y(tick), stroke: '#e5e5e5' }))
      .join(''),
  );
}

export interface LegendItem {
  label: string;
  colour: string;
  dash?: string;
}

/** A legend box, one line per item, with its top-left corner at (x, y). */
export function legend(items: readonly LegendItem[], x: number, y: number): string {
  const rowHeight = 15;
  const width = 30 + Math.max(...items.map((item) => approximateTextWidth(item.label, 11)));
  const rows = items.map((item, i) => {
    const cy = y + 10 + i * rowHeight;
    return (
      element('line', { x1: x + 6, x2: x + 22, y1: cy, y2: cy, stroke: item.colour, 'stroke-width': 2, 'stroke-dasharray': item.dash }) +
      text(item.label, { x: x + 26, y: cy + 4 })
    );
  });
  const box = element('rect', {
    x,
    y,
    width,
    height: items.length * rowHeight + 6,
    fill: '#ffffff',
    'fill-opacity': 0.85,
    stroke: '#bbbbbb',
  });
  return element('g', { class: 'legend' }, box + rows.join(''));
}

/** Wide enough for layout without measuring glyphs (DejaVu Sans averages ~0.56 em per character). */
export function approximateTextWidth(content: string, fontSize: number): number {
  return content.length * fontSize * 0.56;
}
