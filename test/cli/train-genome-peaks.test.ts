/**
 * train --genome with narrowPeak positives and --exclude BED, at the command line: windows centre on the
 * summits, and no window touches a blacklisted interval (the one-epoch model itself does not matter).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { assertOneLineError } from '../hardening/cli.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

const train = (dir: string, ...args: string[]) =>
  runCli([
    'train',
    '-q',
    '-o',
    join(dir, 'run'),
    '--genome',
    join(dir, 'g.fa'),
    '--positives',
    join(dir, 'peaks.narrowPeak'),
    '--window',
    '40',
    '--valid-chroms',
    'chr2',
    '--hidden',
    '4',
    '--epochs',
    '1',
    '--null-windows',
    '0',
    '--no-baseline',
    '--threads',
    '1',
    ...args,
  ]);

test('train --genome: narrowPeak windows centre on the summit, and --exclude drops every window touching a blacklisted interval', async (t) => {
  const dir = tempDir(t);
  writeFasta(dir, 'g.fa', [
    ['chr1', randomBases(20000, 81)],
    ['chr2', randomBases(6000, 82)],
  ]);
  // 400 bp peaks, summit 20 bp in: the summit window is [start, start + 40), the middle one [start + 180, start + 220).
  const peaks: Array<[string, number]> = [];
  for (let start = 500; start + 600 < 20000; start += 1000) peaks.push(['chr1', start]);
  for (let start = 500; start + 600 < 6000; start += 1000) peaks.push(['chr2', start]);
  writeFileSync(
    join(dir, 'peaks.narrowPeak'),
    peaks.map(([chrom, start], i) => `${chrom}\t${start}\t${start + 400}\tpeak${i}\t1000\t.\t9.1\t-1\t-1\t20\n`).join(''),
  );
  // The blacklist touches the summit window of every third chr1 peak, far from its middle window; chrUn is not in the genome.
  const chr1 = peaks.filter(([chrom]) => chrom === 'chr1');
  const listed = chr1.filter((_, i) => i % 3 === 0);
  writeFileSync(
    join(dir, 'blacklist.bed'),
    `${listed.map(([chrom, start]) => `${chrom}\t${start + 15}\t${start + 25}`).join('\n')}\nchrUn\t0\t500\n`,
  );

  const result = await train(dir, '--exclude', join(dir, 'blacklist.bed'));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /blacklist\.bed: 1 region\(s\) on 1 sequence\(s\) not in .*g\.fa were skipped \(e\.g\. chrUn\)/);
  const spec = JSON.parse(readFileSync(join(dir, 'run', 'best', 'rnnseq.json'), 'utf8')) as {
    data: { genomeWindows: { windows: { train: { positive: number }; valid: { positive: number } } } };
  };
  assert.deepEqual(spec.data.genomeWindows.windows.train.positive, chr1.length - listed.length, 'summit windows of listed peaks dropped');
  assert.equal(spec.data.genomeWindows.windows.valid.positive, peaks.length - chr1.length);

  // A blacklist for another assembly (a line past a chromosome's end) is an error naming the line; nothing is written.
  writeFileSync(join(dir, 'other.bed'), 'chr1\t100\t200\nchr2\t5990\t6500\n');
  const wrong = await train(dir, '-o', join(dir, 'run2'), '--exclude', join(dir, 'other.bed'));
  assertOneLineError({ ...wrong, signal: null }, 2, /other\.bed:2: region ends at 6500, past the end of chr2 \(6000 bp/);
  assert.ok(!existsSync(join(dir, 'run2')));

  const stray = await runCli(['train', '-q', '-o', join(dir, 'run3'), '--exclude', join(dir, 'blacklist.bed'), join(dir, 'g.fa')]);
  assertOneLineError({ ...stray, signal: null }, 2, /--exclude is for training a scanner: give --genome and --positives too/);
});
