import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logoFigure } from '../../src/report/logo-svg.js';

interface Letter {
  symbol: string;
  y: number;
  height: number;
}

/** The letters of each column, top to bottom, with their drawn heights (the glyph box is 100 units tall). */
function columns(svg: string): Array<{ bits: number; letters: Letter[] }> {
  // a column without letters is an empty, self-closed group
  return [...svg.matchAll(/<g class="logo-column" data-position="\d+" data-bits="([\d.]+)"(?:\/>|>(.*?)<\/g>)/g)].map((m) => ({
    bits: Number(m[1]),
    letters: [...(m[2] ?? '').matchAll(/data-symbol="(\w)"[^>]*transform="translate\([\d.]+ ([\d.]+)\) scale\([\d.]+ ([\d.]+)\)"/g)].map(
      (l) => ({
        symbol: l[1]!,
        y: Number(l[2]),
        height: Number(l[3]) * 100,
      }),
    ),
  }));
}

test('a DNA logo stacks letters by frequency, as tall as the column information content', () => {
  const counts = [
    [10, 10, 10, 10], // uniform: 0 bits, no letters
    [40, 0, 0, 0], // A: 2 bits
    [20, 0, 20, 0], // A or G: 1 bit, half each
    [30, 10, 0, 0], // mostly A
  ];
  const figure = logoFigure({ name: 'rnnseq_1', counts, symbols: ['A', 'C', 'G', 'T'], sites: 40, consensus: 'NARA' });
  const drawn = columns(figure.svg);
  assert.equal(drawn.length, 4);
  assert.deepEqual(
    drawn.map((c) => c.bits),
    [0, 2, 1, Number((2 - (-0.75 * Math.log2(0.75) - 0.25 * Math.log2(0.25))).toFixed(4))],
  );
  assert.equal(drawn[0]!.letters.length, 0);
  const pixelsPerBit = drawn[1]!.letters[0]!.height / 2;
  assert.ok(pixelsPerBit > 10);
  for (const column of drawn.slice(1)) {
    const total = column.letters.reduce((sum, l) => sum + l.height, 0);
    assert.ok(Math.abs(total - column.bits * pixelsPerBit) < 0.05, `column height ${total} vs ${column.bits} bits`);
  }
  assert.equal(drawn[2]!.letters.length, 2);
  assert.ok(Math.abs(drawn[2]!.letters[0]!.height - drawn[2]!.letters[1]!.height) < 0.01, 'A and G share the bit equally');
  const mostlyA = drawn[3]!.letters;
  assert.deepEqual(mostlyA.map((l) => l.symbol).sort(), ['A', 'C']);
  const top = mostlyA.reduce((a, b) => (a.y < b.y ? a : b));
  assert.equal(top.symbol, 'A', 'the most frequent symbol is on top');
  assert.match(figure.svg, /rnnseq_1 \(NARA, 40 sites\)/);
  assert.match(figure.svg, /data-symbol="A" d="M0 100L40 0/, 'DNA letters are vector glyphs');
});

test('a protein logo falls back to bold text letters', () => {
  const symbols = 'ACDEFGHIKLMNPQRSTVWY'.split('');
  const column = symbols.map((s) => (s === 'W' ? 50 : 1));
  const svg = logoFigure({ name: 'p', counts: [column], symbols }).svg;
  assert.match(svg, /<text class="letter" data-symbol="W"[^>]*>W<\/text>/);
  const bits = Number(/data-bits="([\d.]+)"/.exec(svg)![1]);
  assert.ok(bits > 2 && bits < Math.log2(20), `one dominant residue of 20: ${bits} bits`);
});
