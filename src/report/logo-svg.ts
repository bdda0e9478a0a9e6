/**
 * A sequence logo (Schneider & Stephens 1990) of a position frequency matrix: each column is as tall as its
 * information content in bits, shared among its symbols by frequency, the most frequent on top. No small-sample
 * correction: the sites behind a motif are given in the title, so a reader can weigh a logo from few of them.
 *
 * DNA and RNA letters are drawn as vector glyphs, so a logo looks the same whatever fonts a machine has (and a
 * glyph stretched to a column is its own shape, not a font's); other alphabets (protein) use bold text.
 */
import { scaleLinear } from 'd3-scale';
import { frequencies, informationContent } from '../explain/motifs.js';
import { type Figure, axisLeft, element, escapeXml, svgDocument, text } from './svg.js';

export interface LogoInput {
  name: string;
  /** counts[column][symbol] */
  counts: readonly number[][];
  symbols: readonly string[];
  sites?: number;
  consensus?: string;
}

/** Glyphs in a 100 x 100 box, y down; even-odd fill makes the hole in A. */
const GLYPHS: Record<string, string> = {
  A: 'M0 100L40 0L60 0L100 100L78 100L68 74L32 74L22 100ZM38 56L62 56L50 24Z',
  C: 'M88.3 17.9A50 50 0 1 0 88.3 82.1L73 70.6A30 32 0 1 1 73 29.4Z',
  G: 'M88.3 17.9A50 50 0 1 0 100 50L52 50L52 62L77.8 62A30 32 0 1 1 73 29.4Z',
  T: 'M0 0H100V18H60V100H40V18H0Z',
  U: 'M0 0H20V50A30 30 0 0 0 80 50V0H100V50A50 50 0 0 1 0 50Z',
};

/** The usual nucleotide colours, and amino acids by chemistry (as WebLogo colours them). */
const COLOURS: Record<string, string> = {
  A: '#109648',
  C: '#255C99',
  G: '#F7B32B',
  T: '#D62839',
  U: '#D62839',
};
const AMINO_COLOURS: Array<[string, string]> = [
  ['GSTYC', '#109648'], // polar
  ['NQ', '#8E44AD'], // neutral amide
  ['KRH', '#255C99'], // basic
  ['DE', '#D62839'], // acidic
  ['AVLIPWFM', '#000000'], // hydrophobic
];

export function symbolColour(symbol: string, nucleotide: boolean): string {
  if (nucleotide) return COLOURS[symbol] ?? '#666666';
  return AMINO_COLOURS.find(([set]) => set.includes(symbol))?.[1] ?? '#666666';
}

export function logoFigure(input: LogoInput): Figure {
  const columns = input.counts.length;
  const nucleotide = input.symbols.every((s) => s in GLYPHS);
  const maxBits = Math.log2(input.symbols.length);
  const columnWidth = 28;
  const left = 56;
  const top = 40;
  const plotHeight = 150;
  const width = left + Math.max(columns, 4) * columnWidth + 16;
  const height = top + plotHeight + 44;
  const y = scaleLinear()
    .domain([0, maxBits])
    .range([top + plotHeight, top]);
  const freqs = frequencies(input.counts as number[][]);

  let stacks = '';
  input.counts.forEach((column, i) => {
    const bits = informationContent(column as number[]);
    const x = left + i * columnWidth;
    const order = input.symbols.map((symbol, k) => ({ symbol, height: freqs[i]![k]! * bits })).sort((a, b) => a.height - b.height);
    let base = top + plotHeight;
    let letters = '';
    for (const { symbol, height: heightBits } of order) {
      const pixels = y(0) - y(heightBits);
      if (pixels < 0.25) continue; // below a quarter pixel a letter is invisible; leave it out of the file
      base -= pixels;
      letters += glyph(symbol, x + 1, base, columnWidth - 2, pixels, nucleotide);
    }
    stacks += element('g', { class: 'logo-column', 'data-position': i + 1, 'data-bits': String(Number(bits.toFixed(4))) }, letters);
    stacks += text(String(i + 1), { x: x + columnWidth / 2, y: top + plotHeight + 16, 'text-anchor': 'middle', 'font-size': 10 });
  });
  const detail = [input.consensus, input.sites !== undefined ? `${input.sites} sites` : undefined].filter(Boolean).join(', ');
  const title = `${input.name}${detail ? ` (${detail})` : ''}`;
  let body = text(title, { x: left, y: 20, 'font-size': 13, 'font-weight': 'bold' });
  body += axisLeft(y, left - 4, { ticks: Math.max(2, Math.round(maxBits)), format: (v) => String(v), label: 'bits' });
  body += element('line', { x1: left, x2: left + columns * columnWidth, y1: top + plotHeight, y2: top + plotHeight, stroke: '#000000' });
  body += stacks;
  body += text('position', { x: left + (columns * columnWidth) / 2, y: top + plotHeight + 34, 'text-anchor': 'middle', 'font-size': 12 });
  return {
    name: input.name,
    title,
    svg: svgDocument(width, height, `Sequence logo ${title}`, body, { 'data-figure': 'logo' }),
    width,
    height,
  };
}

function glyph(symbol: string, x: number, yTop: number, width: number, height: number, nucleotide: boolean): string {
  const fill = symbolColour(symbol, nucleotide);
  const path = GLYPHS[symbol];
  const scale = `scale(${(width / 100).toFixed(4)} ${(height / 100).toFixed(4)})`;
  if (nucleotide && path) {
    return element('path', {
      class: 'letter',
      'data-symbol': symbol,
      d: path,
      fill,
      'fill-rule': 'evenodd',
      transform: `translate(${x.toFixed(2)} ${yTop.toFixed(2)}) ${scale}`,
    });
  }
  // A bold capital's cap height is about 0.72 em: font-size 100 fills the box once scaled by height / 72.
  const box = `translate(${x.toFixed(2)} ${(yTop + height).toFixed(2)}) scale(${(width / 70).toFixed(4)} ${(height / 72).toFixed(4)})`;
  return element(
    'text',
    {
      class: 'letter',
      'data-symbol': symbol,
      x: 0,
      y: 0,
      'font-size': 100,
      'font-weight': 'bold',
      textLength: 70,
      lengthAdjust: 'spacingAndGlyphs',
      fill,
      transform: box,
    },
    escapeXml(symbol),
  );
}
