import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binCalls, densityFigure } from '../../src/report/density-svg.js';
import { ScanSummary } from '../../src/report/scan-summary.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

test('calls are binned by midpoint on a round bin size shared by all sequences', () => {
  const { binBp, counts } = binCalls(
    [
      {
        name: 'chr1',
        lengthBp: 1000,
        calls: [
          [0, 10],
          [12, 20],
          [995, 1000],
        ],
      },
      { name: 'chr2', lengthBp: 500, calls: [[490, 510]] },
    ],
    100,
  );
  assert.equal(binBp, 10);
  assert.equal(counts[0]!.length, 100);
  assert.equal(counts[0]![0], 1);
  assert.equal(counts[0]![1], 1);
  assert.equal(counts[0]![99], 1);
  assert.equal(counts[1]!.length, 50);
  assert.equal(counts[1]![49], 1, 'a call running past the end counts in the last bin');
  assert.equal(
    counts.flat().reduce((a, b) => a + b, 0),
    4,
  );
});

test('the figure keeps the longest sequences when there are too many rows, and says so', () => {
  const many = Array.from({ length: 5 }, (_, i) => ({
    name: `s${i}`,
    lengthBp: 1000 * (i + 1),
    calls: [[0, 10]] as Array<[number, number]>,
  }));
  const svg = densityFigure(many, { maxRows: 3 }).svg;
  assert.deepEqual(
    [...svg.matchAll(/data-name="(\w+)"/g)].map((m) => m[1]),
    ['s2', 's3', 's4'],
  );
  assert.match(svg, /5 calls on 5 sequences/);
  assert.match(svg, /2 shorter sequences not drawn/);
});

test('without a measured genome, lengths are read off the scan progress', () => {
  const summary = new ScanSummary();
  const region = (start: number, end: number) => ({ start, end, anchor: start, maxProb: 0.9, sumProb: 0.9, windows: 1 });
  summary.add({ chrom: 'a', regions: [region(10, 50)], bins: [], basesDone: 400 });
  summary.add({ chrom: 'a', regions: [], bins: [], basesDone: 1000 });
  summary.add({ chrom: 'b', regions: [region(0, 30), region(100, 130)], bins: [], basesDone: 1250 });
  assert.deepEqual(summary.chromosomes(), [
    { name: 'a', lengthBp: 1000, calls: [[10, 50]] },
    {
      name: 'b',
      lengthBp: 250,
      calls: [
        [0, 30],
        [100, 130],
      ],
    },
  ]);
  assert.equal(
    summary.chromosomes([
      { name: 'a', length: 1200 },
      { name: 'b', length: 300 },
    ])[1]!.lengthBp,
    300,
  );
});

test('scan --summary draws every call of the BED on its sequence, from a file or from stdin', async (t) => {
  const dir = tempDir(t);
  const genome = join(repoRoot, 'fixtures', 'ypestis_pPCP1.fa');
  const fromFile = await runCli([
    'scan',
    '-m',
    'chloroplast-cds',
    '-q',
    genome,
    '-o',
    join(dir, 'calls.bed'),
    '--summary',
    join(dir, 'calls.svg'),
  ]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  const bed = readFileSync(join(dir, 'calls.bed'), 'utf8').trim().split('\n');
  const svg = readFileSync(join(dir, 'calls.svg'), 'utf8');
  const bases = readFileSync(genome, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('>'))
    .join('').length;
  assert.match(svg, new RegExp(`data-name="NC_005816" data-length="${bases}" data-calls="${bed.length}"`));
  assert.ok(bed.length > 3);
  const fromStdin = await runCli(['scan', '-m', 'chloroplast-cds', '-q', '-', '--summary', join(dir, 'stdin.svg')], {
    input: readFileSync(genome, 'utf8'),
  });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(fromStdin.stdout.trim().split('\n').length, bed.length);
  assert.equal(
    readFileSync(join(dir, 'stdin.svg'), 'utf8').replaceAll('along stdin', 'along ypestis_pPCP1.fa'),
    svg,
    'stdin gives the same figure',
  );
  const refused = await runCli(['scan', '-m', 'chloroplast-cds', genome, '--summary', '-']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--summary needs a file of its own/);
});
