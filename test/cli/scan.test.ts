import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { needTool } from '../system-tools.js';
import { runCli, tempDir, useCpuBackend } from '../helpers.js';
import { randomBases, writeFasta } from '../scan/scan-helpers.js';

import { randomScanner } from './random-scanner.js';

await useCpuBackend();

function genome(dir: string): string {
  const c = randomBases(1500, 33) + 'N'.repeat(300) + randomBases(1700, 34);
  return writeFasta(dir, 'g.fa', [
    ['chr1', randomBases(4000, 31)],
    ['tiny', randomBases(30, 32)],
    ['chr3', c],
  ]);
}

/** The median window probability, so that about half the windows are called and merges are plentiful. */
async function medianThreshold(model: string, fasta: string, dir: string): Promise<string> {
  const bg = join(dir, 'median.bg');
  const result = await runCli(['scan', '-q', '-m', model, fasta, '--threshold', '1', '-o', join(dir, 'none.bed'), '--bedgraph', bg]);
  assert.equal(result.code, 0, result.stderr);
  const values = readFileSync(bg, 'utf8')
    .trim()
    .split('\n')
    .map((l) => Number(l.split('\t')[3]))
    .sort((a, b) => a - b);
  return String(values[Math.floor(values.length / 2)]);
}

test('scan writes sorted BED6+5 that bedtools sort and merge accept, and a bedGraph without overlaps', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const fasta = genome(dir);
  const threshold = await medianThreshold(model, fasta, dir);
  const bed = join(dir, 'calls.bed');
  const bedgraph = join(dir, 'scores.bg');
  const result = await runCli(['scan', '-m', model, fasta, '--threshold', threshold, '-o', bed, '--bedgraph', bedgraph, '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  const done = result.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>)
    .find((e) => e.event === ('done' as unknown as number))!;
  assert.ok(done.windows > 100 && done.windowsSkippedN > 0 && done.regions > 5, JSON.stringify(done));
  assert.ok(done.basesScanned === 7530 && done.basesRead === 7530, 'a whole scan scans every base it reads');

  const rows = readFileSync(bed, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  const order = ['chr1', 'chr3'];
  rows.forEach((row, i) => {
    assert.equal(row.length, 11);
    const [chrom, start, end, name, score, strand, maxProb, meanProb, windows, p, q] = row as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    assert.ok(p === '-1' && q === '-1', 'a model without a null has no p- or q-values');
    assert.ok(order.includes(chrom) && Number(start) < Number(end) && name === 'hit' && strand === '.');
    assert.ok(Math.abs(Number(score) - Number(maxProb) * 1000) <= 0.51, 'score is max_prob on a 0-1000 scale');
    assert.ok(Number(maxProb) >= Number(meanProb) && Number(meanProb) >= Number(threshold) - 1e-4 && Number(windows) >= 1);
    assert.equal(
      (Number(end) - Number(start) - 40) % 10 === 0 || chrom === 'chr3',
      true,
      'regions are unions of windows on the 10 bp grid',
    );
    const previous = rows[i - 1];
    if (previous) {
      const byChrom = order.indexOf(previous[0]!) - order.indexOf(chrom);
      assert.ok(
        byChrom < 0 || (byChrom === 0 && Number(previous[1]) < Number(start) && Number(previous[2]) < Number(start)),
        'sorted, separate regions',
      );
    }
  });
  // chr3 has N at [1500, 1800); windows with more than 4 N (10% of 40 bp) are skipped, so no call spans [1504, 1796).
  assert.ok(!rows.some((r) => r[0] === 'chr3' && Number(r[1]) < 1796 && Number(r[2]) > 1504), 'no call inside the N run');

  const bins = readFileSync(bedgraph, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  for (let i = 1; i < bins.length; i++) {
    if (bins[i]![0] === bins[i - 1]![0]) assert.ok(Number(bins[i]![1]) >= Number(bins[i - 1]![2]), 'bedGraph intervals do not overlap');
  }

  if (!needTool(t, 'bedtools')) return;
  const sorted = spawnSync('bedtools', ['sort', '-i', bed], { encoding: 'utf8' });
  assert.equal(sorted.status, 0, sorted.stderr);
  assert.equal(sorted.stdout, readFileSync(bed, 'utf8'), 'bedtools sort leaves the calls as they are');
  const merged = spawnSync('bedtools', ['merge', '-i', bed], { encoding: 'utf8' });
  assert.equal(merged.status, 0, merged.stderr);
  assert.equal(merged.stdout.trim().split('\n').length, rows.length, 'calls are already merged');
  const sortedGraph = spawnSync('bedtools', ['sort', '-i', bedgraph], { encoding: 'utf8' });
  assert.equal(sortedGraph.stdout, readFileSync(bedgraph, 'utf8'));
});

test('cat of the --shard K/N outputs and of --region parts is byte-identical to the whole scan; stdin gives the same', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const fasta = genome(dir);
  const threshold = await medianThreshold(model, fasta, dir);
  const common = ['-q', '-m', model, '--threshold', threshold, '--batch-size', '16'];
  const whole = await runCli(['scan', ...common, fasta, '--bedgraph', join(dir, 'whole.bg'), '-o', join(dir, 'whole.bed')]);
  assert.equal(whole.code, 0, whole.stderr);
  const wholeBed = readFileSync(join(dir, 'whole.bed'), 'utf8');
  assert.ok(wholeBed.split('\n').length > 10);
  let shardBed = '';
  let shardGraph = '';
  for (let k = 1; k <= 3; k++) {
    const part = await runCli([
      'scan',
      ...common,
      '--shard',
      `${k}/3`,
      fasta,
      '-o',
      join(dir, `p${k}.bed`),
      '--bedgraph',
      join(dir, `p${k}.bg`),
    ]);
    assert.equal(part.code, 0, part.stderr);
    shardBed += readFileSync(join(dir, `p${k}.bed`), 'utf8');
    shardGraph += readFileSync(join(dir, `p${k}.bg`), 'utf8');
  }
  assert.equal(shardBed, wholeBed);
  assert.equal(shardGraph, readFileSync(join(dir, 'whole.bg'), 'utf8'));
  let regionBed = '';
  for (const region of [['chr1:1-1,234'], ['chr1:1235-', 'tiny'], ['chr3']]) {
    const part = await runCli(['scan', ...common, ...region.flatMap((r) => ['--region', r]), fasta]);
    assert.equal(part.code, 0, part.stderr);
    regionBed += part.stdout;
  }
  assert.equal(regionBed, wholeBed);
  const selection = ['--region', 'chr1:1-2000', '--region', 'chr3'];
  const selected = await runCli(['scan', ...common, ...selection, fasta]);
  assert.equal(selected.code, 0, selected.stderr);
  let selectedShards = '';
  for (let k = 1; k <= 2; k++) {
    const part = await runCli(['scan', ...common, ...selection, '--shard', `${k}/2`, fasta]);
    assert.equal(part.code, 0, part.stderr);
    selectedShards += part.stdout;
  }
  assert.equal(selectedShards, selected.stdout, '--shard splits a --region selection too');
  const stdin = await runCli(['scan', ...common, '-'], { input: readFileSync(fasta, 'utf8') });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.equal(stdin.stdout, wholeBed);
});

test('scan reports the bases it owns as scanned: a --region its own length, shards adding up to the whole', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const fasta = genome(dir);
  const done = async (args: string[]) => {
    const result = await runCli(['scan', '-m', model, '--threshold', '0.5', '-o', join(dir, 'c.bed'), fasta, ...args]);
    assert.equal(result.code, 0, result.stderr);
    return result.stderr;
  };
  const record = (stderr: string) =>
    stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; basesScanned: number; basesRead: number })
      .find((e) => e.event === 'done')!;
  // Unindexed FASTA: reaching chr1's region means reading it, and the log tells read from scanned apart.
  assert.match(await done(['--region', 'chr1:1001-2234']), /scanned 1\.2 kbp \(4\.0 kbp read\)/);
  const region = record(await done(['--region', 'chr1:1001-2234', '--region', 'chr3:1-100', '--json']));
  assert.equal(region.basesScanned, 1234 + 100);
  let shards = 0;
  for (let k = 1; k <= 3; k++) shards += record(await done(['--shard', `${k}/3`, '--json'])).basesScanned;
  assert.equal(shards, 7530);
});

test('scan refuses what it cannot do with one-line messages and exit 2; classify still reads a scanner', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const fasta = genome(dir);
  const cases: Array<[string[], RegExp, string?]> = [
    [['--shard', '1/2', '-'], /--shard needs the genome as a file/, readFileSync(fasta, 'utf8')],
    [['--region', 'chrZ:1-10', fasta], /--region chrZ:1-10: .*g\.fa has no sequence named 'chrZ' \(it has chr1, tiny, chr3\)/],
    [['--shard', '4/3', fasta], /--shard must look like K\/N/],
    [['--stride', '41', fasta], /--stride 41 is longer than the 40 bp window/],
    [['--strand', 'x', fasta], /argument 'x' is invalid/],
  ];
  for (const [args, message, input] of cases) {
    const out = join(dir, 'out.bed');
    const result = await runCli(['scan', '-q', '-m', model, '-o', out, ...args], input === undefined ? {} : { input });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.ok(!existsSync(out), 'no output file');
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('.')),
    [],
    'no temp files left',
  );

  const help = await runCli(['scan', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /\$ rnnseq scan -m /);

  const classified = await runCli(['classify', '-q', '-m', model, fasta]);
  assert.equal(classified.code, 0, classified.stderr);
  assert.match(classified.stdout, /^id\tlabel\tp_background\tp_hit\nchr1\t/);
});
