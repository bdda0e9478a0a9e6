import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, useCpuBackend } from '../helpers.js';
import { randomBases } from '../scan/scan-helpers.js';
import { haveTool, havePyBigWig, pyBigWig, twoBit } from '../io/genome-tools.js';

import { randomScanner } from './random-scanner.js';

await useCpuBackend();

/** Three sequences with an N run and soft-masked stretches, as FASTA (61 columns), .2bit, indexed and bgzip FASTA. */
function genomeFiles(dir: string): {
  fasta: string;
  twoBitPath: string;
  indexed: string;
  bgzip: string | undefined;
  records: Array<[string, string]>;
} {
  const chr3 = randomBases(2500, 34) + 'N'.repeat(300) + randomBases(1700, 35).toLowerCase() + randomBases(1200, 36);
  const records: Array<[string, string]> = [
    ['chr1', randomBases(1800, 31) + randomBases(900, 37).toLowerCase() + randomBases(3300, 38)],
    ['tiny', randomBases(30, 32)],
    ['chr3', chr3],
  ];
  const text = records.map(([id, seq]) => `>${id}\n${seq.match(/.{1,61}/g)!.join('\n')}\n`).join('');
  const fasta = join(dir, 'g.fa');
  writeFileSync(fasta, text);
  const twoBitPath = join(dir, 'g.2bit');
  writeFileSync(twoBitPath, twoBit(records));
  const indexed = join(dir, 'indexed.fa');
  writeFileSync(indexed, text);
  let bgzip: string | undefined;
  if (haveTool('samtools') && haveTool('bgzip')) {
    assert.equal(spawnSync('samtools', ['faidx', indexed]).status, 0);
    writeFileSync(join(dir, 'bgz.fa'), text);
    assert.equal(spawnSync('bgzip', ['-i', join(dir, 'bgz.fa')]).status, 0);
    bgzip = join(dir, 'bgz.fa.gz');
    assert.equal(spawnSync('samtools', ['faidx', bgzip]).status, 0);
  }
  return { fasta, twoBitPath, indexed, bgzip, records };
}

/** The median window probability, so that about half the windows are called and merges are plentiful. */
async function medianThreshold(model: string, fasta: string, dir: string): Promise<string> {
  await scan(['-m', model, fasta, '--threshold', '1', '-o', join(dir, 'none.bed'), '--bedgraph', join(dir, 'median.bg')]);
  const values = readFileSync(join(dir, 'median.bg'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => Number(l.split('\t')[3]))
    .sort((a, b) => a - b);
  return String(values[Math.floor(values.length / 2)]);
}

async function scan(args: string[]): Promise<void> {
  const result = await runCli(['scan', '-q', ...args]);
  assert.equal(result.code, 0, result.stderr);
}

test('a --region of a .2bit reads from the batch before it, not the sequences and bases before that; both counts in the done record', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const g = genomeFiles(dir);
  const done = async (input: string) => {
    const result = await runCli([
      'scan',
      '-m',
      model,
      '--threshold',
      '0.5',
      '--json',
      '--region',
      'chr3:4001-5000',
      input,
      '-o',
      join(dir, 'c.bed'),
    ]);
    assert.equal(result.code, 0, result.stderr);
    return result.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; basesScanned: number; basesRead: number })
      .find((e) => e.event === 'done')!;
  };
  const plain = await done(g.fasta);
  assert.deepEqual([plain.basesScanned, plain.basesRead], [1000, 6000 + 30 + 5700], 'a plain FASTA is read through to the region');
  const random = await done(g.twoBitPath);
  assert.equal(random.basesScanned, 1000);
  // chr1 and tiny never; chr3 from the batch that holds the region's lookback window, to its end
  assert.ok(random.basesRead >= 1000 + 700 && random.basesRead < 5700, `read ${random.basesRead}`);
});

test('scan reads .2bit and indexed FASTA: the same calls and bedGraph, byte for byte; indexed shards join to the whole', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const g = genomeFiles(dir);
  const common = ['-m', model, '--threshold', await medianThreshold(model, g.fasta, dir), '--batch-size', '8'];
  await scan([...common, g.fasta, '-o', join(dir, 'ref.bed'), '--bedgraph', join(dir, 'ref.bg')]);
  const refBed = readFileSync(join(dir, 'ref.bed'), 'utf8');
  const refBg = readFileSync(join(dir, 'ref.bg'), 'utf8');
  assert.ok(refBed.split('\n').length > 10 && refBg.includes('chr3'), 'the reference scan calls something on both chromosomes');

  await scan([...common, g.twoBitPath, '-o', join(dir, 'tb.bed'), '--bedgraph', join(dir, 'tb.bg')]);
  assert.equal(readFileSync(join(dir, 'tb.bed'), 'utf8'), refBed, '.2bit calls = FASTA calls');
  assert.equal(readFileSync(join(dir, 'tb.bg'), 'utf8'), refBg, '.2bit bedGraph = FASTA bedGraph');

  if (!g.bgzip) return t.diagnostic('samtools/bgzip not installed: indexed FASTA checks skipped');
  for (const [name, input] of [
    ['indexed', g.indexed],
    ['bgzip', g.bgzip],
  ] as const) {
    const parts = [1, 2, 3, 4];
    for (const k of parts)
      await scan([...common, input, '--shard', `${k}/4`, '-o', join(dir, `${name}${k}.bed`), '--bedgraph', join(dir, `${name}${k}.bg`)]);
    const joined = (ext: string) => parts.map((k) => readFileSync(join(dir, `${name}${k}.${ext}`), 'utf8')).join('');
    assert.equal(joined('bed'), refBed, `${name}: cat of 4 shards = whole-genome calls`);
    assert.equal(joined('bg'), refBg, `${name}: cat of 4 shards = whole-genome bedGraph`);
  }
  // A region of an indexed genome = the same region streamed.
  await scan([...common, g.fasta, '--region', 'chr3:3001-4500', '-o', join(dir, 'r-fa.bed'), '--bedgraph', join(dir, 'r-fa.bg')]);
  await scan([...common, g.bgzip, '--region', 'chr3:3001-4500', '-o', join(dir, 'r-bgz.bed'), '--bedgraph', join(dir, 'r-bgz.bg')]);
  assert.equal(readFileSync(join(dir, 'r-bgz.bed'), 'utf8'), readFileSync(join(dir, 'r-fa.bed'), 'utf8'));
  assert.equal(readFileSync(join(dir, 'r-bgz.bg'), 'utf8'), readFileSync(join(dir, 'r-fa.bg'), 'utf8'));
});

test('scan --bigwig writes the bedGraph track as bigWig (pyBigWig reads the same values), rnnseq bigwig converts a bedGraph to the same file, and --shard refuses --bigwig naming the way', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const g = genomeFiles(dir);
  await scan(['-m', model, g.fasta, '-o', join(dir, 'calls.bed'), '--bedgraph', join(dir, 'track.bg'), '--bigwig', join(dir, 'track.bw')]);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('.rnnseq-tmp')),
    [],
    'no hidden track left',
  );
  const converted = await runCli(['bigwig', join(dir, 'track.bg'), '--genome', g.twoBitPath, '-o', join(dir, 'converted.bw')]);
  assert.equal(converted.code, 0, converted.stderr);
  assert.ok(
    readFileSync(join(dir, 'converted.bw')).equals(readFileSync(join(dir, 'track.bw'))),
    'rnnseq bigwig of the bedGraph = scan --bigwig, byte for byte',
  );

  const refused = await runCli(['scan', '-m', model, g.fasta, '--shard', '1/2', '--bigwig', join(dir, 'x.bw')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--bigwig cannot be split with --shard: bigWig files do not concatenate.*--bedgraph.*rnnseq bigwig/);
  assert.ok(!existsSync(join(dir, 'x.bw')));

  if (!havePyBigWig()) return t.diagnostic('pyBigWig not installed: bigWig read-back skipped');
  const intervals = pyBigWig<Record<string, Array<[number, number, number]>>>(
    `bw = pyBigWig.open(sys.argv[1]); print(json.dumps({c: bw.intervals(c) or [] for c in bw.chroms()} | {'_chroms': list(bw.chroms().items())}))`,
    join(dir, 'track.bw'),
  );
  assert.deepEqual(
    intervals._chroms,
    g.records.map(([id, seq]) => [id, seq.length]),
    'chromosome lengths from the genome',
  );
  const lines = readFileSync(join(dir, 'track.bg'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  for (const chrom of ['chr1', 'chr3']) {
    const expected = lines.filter((f) => f[0] === chrom).map((f) => [Number(f[1]), Number(f[2]), Math.fround(Number(f[3]))]);
    assert.ok(expected.length > 50);
    assert.deepEqual(intervals[chrom], expected, `${chrom}: bigWig values = bedGraph values`);
  }
});

test('scan --format narrowpeak: 10 columns, signalValue = max_prob, p and q -1, the summit inside each call; bedtools sorts it as it is', async (t) => {
  const dir = tempDir(t);
  const model = await randomScanner(dir);
  const g = genomeFiles(dir);
  const threshold = await medianThreshold(model, g.fasta, dir);
  await scan(['-m', model, g.fasta, '--threshold', threshold, '-o', join(dir, 'calls.bed')]);
  await scan(['-m', model, g.fasta, '--threshold', threshold, '--format', 'narrowpeak', '-o', join(dir, 'calls.narrowPeak')]);
  const bed = readFileSync(join(dir, 'calls.bed'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  const peaks = readFileSync(join(dir, 'calls.narrowPeak'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  assert.equal(peaks.length, bed.length);
  assert.ok(peaks.length > 5);
  peaks.forEach((p, i) => {
    assert.equal(p.length, 10);
    assert.deepEqual(p.slice(0, 6), bed[i]!.slice(0, 6), 'same calls as BED6');
    assert.equal(p[6], bed[i]![6], 'signalValue = max_prob');
    assert.deepEqual(p.slice(7, 9), ['-1', '-1']);
    const offset = Number(p[9]);
    assert.ok(Number.isInteger(offset) && offset >= 0 && Number(p[1]) + offset < Number(p[2]), `summit inside the call: ${p.join(' ')}`);
  });
  if (!haveTool('bedtools')) return t.diagnostic('bedtools not installed: skipped');
  copyFileSync(join(dir, 'calls.narrowPeak'), join(dir, 'x.narrowPeak'));
  const sorted = spawnSync('bedtools', ['sort', '-i', join(dir, 'x.narrowPeak')], { encoding: 'utf8' });
  assert.equal(sorted.status, 0, sorted.stderr);
  assert.equal(sorted.stdout, readFileSync(join(dir, 'calls.narrowPeak'), 'utf8'));
});
