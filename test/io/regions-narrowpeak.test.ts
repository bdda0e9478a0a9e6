import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnseqError } from '../../src/errors.js';
import { readRegions } from '../../src/io/bed-regions.js';
import { formatNarrowPeakLine, minusLog10 } from '../../src/io/narrowpeak.js';
import { tempDir } from '../helpers.js';

const GENOME = {
  path: 'genome.2bit',
  lengths: new Map([
    ['chr1', 1000],
    ['chr2', 500],
  ]),
  has(name: string) {
    return this.lengths.has(name);
  },
  length(name: string) {
    return this.lengths.get(name)!;
  },
  names() {
    return [...this.lengths.keys()];
  },
};

test('readRegions keeps name and strand, reads a narrowPeak summit, and checks every line against the genome', async (t) => {
  const dir = tempDir(t);
  writeFileSync(
    join(dir, 'r.bed'),
    '# regions\nchr1\t10\t20\tp1\t0\t-\nchr2\t0\t500\nchr1\t100\t200\tpk\t900\t.\t5.0\t-1\t-1\t30\nchr1\t300\t400\tpk2\t900\t.\t5.0\t-1\t-1\t-1\n',
  );
  const regions = await readRegions(join(dir, 'r.bed'), GENOME);
  assert.deepEqual(
    regions.map((r) => [r.chrom, r.start, r.end, r.name, r.strand, r.summit, r.line]),
    [
      ['chr1', 10, 20, 'p1', '-', undefined, 2],
      ['chr2', 0, 500, undefined, undefined, undefined, 3],
      ['chr1', 100, 200, 'pk', '.', 130, 4],
      ['chr1', 300, 400, 'pk2', '.', 350, 5],
    ],
  );
  const cases: Array<[string, RegExp]> = [
    ['chr1\t0\t10\nchr9\t0\t10\n', /bad\.bed:2: chromosome 'chr9' is not in genome\.2bit \(it has chr1, chr2\)/],
    ['chr2\t400\t501\n', /bad\.bed:1: end 501 is past the end of chr2 \(500 bp in genome\.2bit\)/],
    ['chr2\t40\t40\n', /bad\.bed:1: empty interval/],
    ['# nothing\n', /bad\.bed: no intervals/],
  ];
  for (const [text, message] of cases) {
    writeFileSync(join(dir, 'bad.bed'), text);
    await assert.rejects(
      readRegions(join(dir, 'bad.bed'), GENOME),
      (e: unknown) => e instanceof RnnseqError && e.exitCode === 2 && message.test(e.message),
      text,
    );
  }
});

test('narrowPeak lines have 10 columns: summit as an offset, -log10 p and q, -1 when absent', () => {
  const line = formatNarrowPeakLine({
    chrom: 'chr1',
    start: 100,
    end: 300,
    name: 'enhancer',
    score: 870,
    strand: '.',
    signalValue: 0.8712,
    summit: 175,
  });
  assert.equal(line, 'chr1\t100\t300\tenhancer\t870\t.\t0.8712\t-1\t-1\t75\n');
  const withStats = formatNarrowPeakLine({
    chrom: 'c',
    start: 0,
    end: 10,
    name: 'x',
    score: 1,
    strand: '+',
    signalValue: 1,
    pValue: 1e-5,
    qValue: 0.01,
    summit: 0,
  });
  assert.deepEqual(withStats.trimEnd().split('\t').slice(6), ['1.0000', '5.0000', '2.0000', '0']);
  assert.equal(minusLog10(1), '0.0000');
  assert.equal(minusLog10(0), '9999.0000', 'p = 0 is capped, not Infinity');
  assert.throws(
    () => formatNarrowPeakLine({ chrom: 'c', start: 0, end: 10, name: 'x', score: 1, strand: '+', signalValue: 1, summit: 10 }),
    RangeError,
  );
});
