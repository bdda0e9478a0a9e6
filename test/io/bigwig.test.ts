import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bedGraphToBigWig } from '../../src/io/bedgraph-to-bigwig.js';
import { zoomReductions } from '../../src/io/bigwig.js';
import { RnnseqError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';
import { havePyBigWig, pyBigWig } from './genome-tools.js';

interface Item {
  chrom: string;
  start: number;
  end: number;
  value: number;
}

/** A track with gaps, uneven spans and values written with 4 decimals, as scan writes them. */
function track(chroms: ReadonlyArray<[string, number, number]>, seed: number): Item[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const items: Item[] = [];
  for (const [chrom, length, count] of chroms) {
    let at = Math.floor(next() * 50);
    for (let i = 0; i < count && at < length; i++) {
      const end = Math.min(length, at + 1 + Math.floor(next() * 60));
      items.push({ chrom, start: at, end, value: Number((next() * 2 - 0.5).toFixed(4)) });
      at = end + (next() < 0.3 ? Math.floor(next() * 200) : 0);
    }
  }
  return items;
}

function bedGraphText(items: readonly Item[]): string {
  return items.map((i) => `${i.chrom}\t${i.start}\t${i.end}\t${i.value.toFixed(4)}\n`).join('');
}

/** What pyBigWig reads back: chromosomes, header, every interval, and zoom-level stats per chromosome. */
const DUMP = `
bw = pyBigWig.open(sys.argv[1])
out = {'chroms': list(bw.chroms().items()), 'header': bw.header(), 'intervals': {}, 'zoom': {}, 'exact': {}}
for chrom, length in bw.chroms().items():
    out['intervals'][chrom] = bw.intervals(chrom) or []
    for stat in ('mean', 'min', 'max', 'coverage'):
        out['zoom'][chrom + ':' + stat] = bw.stats(chrom, 0, length, type=stat)[0]
        out['exact'][chrom + ':' + stat] = bw.stats(chrom, 0, length, type=stat, exact=True)[0]
print(json.dumps(out))
`;

interface Dump {
  chroms: Array<[string, number]>;
  header: { nLevels: number; nBasesCovered: number; minVal: number; maxVal: number; sumData: number; sumSquared: number; version: number };
  intervals: Record<string, Array<[number, number, number]>>;
  zoom: Record<string, number | null | Array<number | null>>;
  exact: Record<string, number | null | Array<number | null>>;
}

function close(actual: number | null, expected: number | null, relative: number, what: string): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

function checkAgainstPyBigWig(bw: string, sizes: ReadonlyArray<[string, number]>, items: readonly Item[]): Dump {
  const dump = pyBigWig<Dump>(DUMP, bw);
  assert.deepEqual(dump.chroms, sizes, 'chromosomes in the order given, with their lengths');
  for (const [chrom] of sizes) {
    const expected = items.filter((i) => i.chrom === chrom).map((i) => [i.start, i.end, Math.fround(i.value)]);
    assert.deepEqual(dump.intervals[chrom], expected, `${chrom}: every interval and value equals the bedGraph's`);
    // Zoom levels summarise exactly what the full data holds (float32 sums: a relative tolerance).
    for (const key of Object.keys(dump.zoom).filter((k) => k.startsWith(`${chrom}:`))) {
      const zoom = dump.zoom[key]!;
      const exact = dump.exact[key]!;
      if (Array.isArray(zoom)) (exact as Array<number | null>).forEach((e, b) => close(zoom[b]!, e, 1e-4, `${key} bin ${b}`));
      else close(zoom as number | null, exact as number | null, 1e-4, key);
    }
  }
  const covered = items.reduce((sum, i) => sum + i.end - i.start, 0);
  assert.equal(dump.header.nBasesCovered, covered);
  // pyBigWig's header() gives the total summary as integers; its own reading of min and max goes through stats.
  assert.equal(dump.header.sumData, Math.trunc(items.reduce((sum, i) => sum + Math.fround(i.value) * (i.end - i.start), 0)));
  return dump;
}

test('bedGraph to bigWig: pyBigWig reads back every interval, the chromosome list and zoom levels that agree with the data', async (t) => {
  if (!havePyBigWig()) return t.diagnostic('pyBigWig not installed: skipped');
  const dir = tempDir(t);
  // Names out of sort order (genome order is kept), and with 32 items per block enough blocks for a two-level
  // R-tree (over 256 blocks) in full data and the first zoom level.
  const sizes: Array<[string, number]> = [
    ['chr2', 20_000_000],
    ['chr10', 40_000],
    ['chrM', 16_569],
  ];
  const items = track(
    [
      ['chr2', 20_000_000, 12_000],
      ['chr10', 40_000, 700],
      ['chrM', 16_569, 3],
    ],
    7,
  );
  writeFileSync(join(dir, 'track.bedGraph'), bedGraphText(items));
  await bedGraphToBigWig(
    join(dir, 'track.bedGraph'),
    [...sizes, ['chrUn', 500] as [string, number]].map(([name, length]) => ({ name, length })),
    join(dir, 'track.bw'),
    { itemsPerSlot: 32 },
  );
  const dump = checkAgainstPyBigWig(join(dir, 'track.bw'), [...sizes, ['chrUn', 500]], items);
  assert.ok(dump.header.nLevels >= 4, `zoom levels down to a whole chromosome (got ${dump.header.nLevels})`);
  assert.deepEqual(dump.intervals.chrUn, [], 'a chromosome of the sizes without data is listed, empty');
  // A range query goes through the R-tree to the blocks that overlap it.
  const window = pyBigWig<Array<[number, number, number]>>(
    `bw = pyBigWig.open(sys.argv[1]); print(json.dumps(bw.intervals('chr2', 200000, 260000)))`,
    join(dir, 'track.bw'),
  );
  const expected = items
    .filter((i) => i.chrom === 'chr2' && i.end > 200000 && i.start < 260000)
    .map((i) => [i.start, i.end, Math.fround(i.value)]);
  assert.ok(expected.length > 100);
  assert.deepEqual(window, expected);
  assert.deepEqual(readdirSync(dir).sort(), ['track.bedGraph', 'track.bw'], 'no temp file left');
});

test('bigWig chromosome B+ tree with more than one level (300 chromosomes) is read by pyBigWig', async (t) => {
  if (!havePyBigWig()) return t.diagnostic('pyBigWig not installed: skipped');
  const dir = tempDir(t);
  const sizes: Array<[string, number]> = Array.from({ length: 300 }, (_, i) => [`scaffold_${(i * 7919) % 300}`, 1000 + i]);
  const items = track(
    sizes.map(([name, length]) => [name, length, 5]),
    3,
  );
  writeFileSync(join(dir, 'many.bedGraph'), bedGraphText(items));
  await bedGraphToBigWig(
    join(dir, 'many.bedGraph'),
    sizes.map(([name, length]) => ({ name, length })),
    join(dir, 'many.bw'),
  );
  checkAgainstPyBigWig(join(dir, 'many.bw'), sizes, items);
  const found = pyBigWig<Array<number | null>>(
    `bw = pyBigWig.open(sys.argv[1]); print(json.dumps([bw.chroms(sys.argv[2]), bw.chroms('nope')]))`,
    join(dir, 'many.bw'),
    sizes[137]![0],
  );
  assert.deepEqual(found, [sizes[137]![1], null], 'lookup by name goes through the tree');
});

test('zoom reductions grow by 4 from 4x the mean interval until one record spans the longest chromosome', () => {
  assert.deepEqual(zoomReductions(10, 10_000), [40, 160, 640, 2560, 10240]);
  assert.deepEqual(zoomReductions(1, 5), [10]);
  assert.equal(zoomReductions(1, 1e12).length, 10);
});

test('bad bedGraph lines are one-line errors naming file and line, and leave no bigWig', async (t) => {
  const dir = tempDir(t);
  const sizes = [
    { name: 'chr1', length: 1000 },
    { name: 'chr2', length: 500 },
  ];
  const cases: Array<[string, RegExp]> = [
    ['chr1\t0\t10\t1\nchr3\t0\t10\t1\n', /bad\.bedGraph:2: chromosome 'chr3' is not in genome\.fa/],
    ['chr1\t0\t10\t1\nchr1\t990\t1001\t1\n', /bad\.bedGraph:2: end 1001 is past the end of chr1 \(1000 bp in genome\.fa\)/],
    ['chr1\t0\t10\t1\nchr1\t5\t20\t1\n', /bad\.bedGraph:2: overlaps or comes before the previous line/],
    ['chr1\t0\t10\t1\nchr2\t0\t10\t1\nchr1\t20\t30\t1\n', /bad\.bedGraph:3: chr1 appears again after other chromosomes/],
    ['chr1\t0\t10\tNaN\n', /bad\.bedGraph:1: value must be a finite number, got 'NaN'/],
    ['chr1\t10\t10\t1\n', /bad\.bedGraph:1: start 10 must be before end 10/],
    ['chr1\t0\t10\n', /bad\.bedGraph:1: a bedGraph line has 4 columns/],
  ];
  for (const [text, message] of cases) {
    writeFileSync(join(dir, 'bad.bedGraph'), text);
    await assert.rejects(
      bedGraphToBigWig(join(dir, 'bad.bedGraph'), sizes, join(dir, 'bad.bw'), { sizesSource: 'genome.fa' }),
      (e: unknown) => e instanceof RnnseqError && e.exitCode === 2 && message.test(e.message) && !e.message.includes('\n'),
      text,
    );
    assert.ok(!existsSync(join(dir, 'bad.bw')), 'no bigWig written');
  }
  assert.deepEqual(readdirSync(dir), ['bad.bedGraph'], 'no temp files');
  writeFileSync(join(dir, 'ok.bedGraph'), 'chr1\t0\t10\t1\n');
  // A path under a regular file cannot be created (root ignores permissions, so this is the portable unwritable path).
  const unwritable = join(dir, 'ok.bedGraph', 'x.bw');
  await assert.rejects(
    bedGraphToBigWig(join(dir, 'ok.bedGraph'), sizes, unwritable),
    (e: unknown) =>
      (e instanceof RnnseqError && e.message.startsWith(`cannot create directory ${join(dir, 'ok.bedGraph')}`)) ||
      (e instanceof RnnseqError && e.message.startsWith(`cannot write ${unwritable}`)),
  );
  assert.equal(readFileSync(join(dir, 'ok.bedGraph'), 'utf8'), 'chr1\t0\t10\t1\n');
});
