import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { auroc } from '../../src/engine/metrics.js';
import { needTool } from '../system-tools.js';
import { runCli, tempDir } from '../helpers.js';
import { writeFasta } from '../scan/scan-helpers.js';

type Interval = [string, number, number];

/**
 * Sequences of AT-rich background (GC 1/3) with GC-rich islands (GC 3/4) of 100-300 bp: a base's class is a
 * property of its neighbourhood the model can see, but no single base gives it away.
 */
function islandGenome(chroms: Array<[string, number]>, seed: number): { records: Array<[string, string]>; islands: Interval[] } {
  const random = new Random(seed);
  const draw = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[random.int(alphabet.length)]).join('');
  const records: Array<[string, string]> = [];
  const islands: Interval[] = [];
  for (const [name, length] of chroms) {
    let seq = '';
    while (seq.length < length) {
      seq += draw('AATTCG', 150 + random.int(350));
      const size = 100 + random.int(200);
      if (seq.length + size > length) break;
      islands.push([name, seq.length, seq.length + size]);
      seq += draw('GGCCGCAT', size);
    }
    records.push([name, seq.slice(0, length).padEnd(length, 'A')]);
  }
  return { records, islands };
}

const rows = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));

test('train --task tag learns a per-base track; scan writes it as valid bedGraph and calls runs on the held-out islands', async (t) => {
  const dir = tempDir(t);
  const { records, islands } = islandGenome(
    [
      ['chr1', 16000],
      ['chr2', 5000],
      ['chr3', 6000],
    ],
    11,
  );
  const genome = writeFasta(dir, 'genome.fa', records);
  const labels = join(dir, 'islands.bed');
  writeFileSync(labels, `${islands.map((i) => [...i, 'island'].join('\t')).join('\n')}\n`);
  const run = join(dir, 'run');
  const trained = await runCli([
    'train',
    '-q',
    '-o',
    run,
    '--task',
    'tag',
    '--genome',
    genome,
    '--labels',
    labels,
    '--positive-class',
    'island',
    '--window',
    '100',
    '--tile-stride',
    '25',
    '--valid-chroms',
    'chr2',
    '--exclude-region',
    'chr3',
    '--cell',
    'gru',
    '--hidden',
    '12',
    '--epochs',
    '5',
    '--lr',
    '0.01',
    '--batch-size',
    '32',
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  assert.equal(spec.task, 'tag');
  assert.deepEqual(spec.classes, ['background', 'island']);
  assert.equal(spec.architecture.bidirectional, true, 'a tagger is bidirectional by default');
  assert.equal(spec.window.lengthBp, 100);
  assert.equal(spec.window.strand, 'both');
  assert.deepEqual(Object.keys(spec.window.thresholds).sort(), ['+', '-', 'both-max', 'both-mean']);
  assert.equal(spec.window.calibration.set, 'held out: chr2');
  assert.ok(spec.window.calibration.auroc > 0.9, JSON.stringify(spec.window.calibration));

  // chr3 was never seen: scan it alone, every base in the bedGraph.
  const calls = join(dir, 'calls.bed');
  const track = join(dir, 'track.bg');
  const scanned = await runCli(['scan', '-q', '-m', run, genome, '--region', 'chr3', '-o', calls, '--bedgraph', track, '--bin', '1']);
  assert.equal(scanned.code, 0, scanned.stderr);
  const truth = islands.filter(([chrom]) => chrom === 'chr3');
  const inIsland = (p: number) => truth.some(([, start, end]) => p >= start && p < end);

  const lines = rows(readFileSync(track, 'utf8'));
  let previousEnd = 0;
  const scores: number[] = [];
  const positive: boolean[] = [];
  for (const [chrom, startText, endText, value] of lines) {
    const start = Number(startText);
    const end = Number(endText);
    assert.equal(chrom, 'chr3');
    assert.ok(start >= previousEnd && end > start, `bedGraph lines sorted and disjoint: ${startText}-${endText} after ${previousEnd}`);
    previousEnd = end;
    for (let p = start; p < end; p++) {
      scores.push(Number(value));
      positive.push(inIsland(p));
    }
  }
  assert.equal(scores.length, 6000, 'every held-out base has a probability');
  const baseAuroc = auroc(scores, positive);
  t.diagnostic(`held-out base-level AUROC ${baseAuroc.toFixed(4)} (validation ${spec.window.calibration.auroc})`);
  assert.ok(baseAuroc > 0.9, `held-out base-level AUROC ${baseAuroc}`);

  const called = rows(readFileSync(calls, 'utf8'));
  assert.ok(called.length > 0);
  for (const c of called) {
    assert.equal(c.length, 8, 'BED6 + max_prob, mean_prob');
    assert.deepEqual([c[0], c[3], c[5]], ['chr3', 'island', '.']);
    assert.ok(
      Number(c[1]) < Number(c[2]) && Number(c[6]) >= Number(c[7]) && Math.abs(Number(c[4]) - 1000 * Number(c[6])) <= 1,
      c.join(' '),
    );
  }
  const hit = truth.filter(([, start, end]) => called.some((c) => Number(c[1]) < end && Number(c[2]) > start)).length;
  assert.ok(hit >= 0.9 * truth.length, `${hit} of ${truth.length} held-out islands overlap a call`);
  let calledBp = 0;
  let onIslands = 0;
  for (const c of called) {
    for (let p = Number(c[1]); p < Number(c[2]); p++) {
      calledBp++;
      if (inIsland(p)) onIslands++;
    }
  }
  assert.ok(onIslands >= 0.8 * calledBp, `${onIslands} of ${calledBp} called bases lie on islands`);

  // The default bins keep a track small: at most one line per 10 bp.
  const binned = await runCli(['scan', '-q', '-m', run, genome, '--region', 'chr3', '--bedgraph', '-', '-o', join(dir, 'calls2.bed')]);
  assert.equal(binned.code, 0, binned.stderr);
  assert.ok(rows(binned.stdout).length <= 600);
  assert.equal(readFileSync(join(dir, 'calls2.bed'), 'utf8'), readFileSync(calls, 'utf8'), 'calls do not depend on the bins');

  // Joining runs across short gaps and dropping short ones: fewer, longer runs, each still over called bases.
  const joined = await runCli(['scan', '-q', '-m', run, genome, '--region', 'chr3', '--merge-gap', '30', '--min-run', '40']);
  assert.equal(joined.code, 0, joined.stderr);
  const joinedRuns = rows(joined.stdout);
  assert.ok(joinedRuns.length > 0 && joinedRuns.length <= called.length, `${joinedRuns.length} joined runs, ${called.length} plain`);
  assert.ok(joinedRuns.every((c) => Number(c[2]) - Number(c[1]) >= 40));
  assert.ok(
    joinedRuns.every((c) => called.some((d) => d[1] === c[1])),
    'a joined run starts where a plain one does',
  );

  // What a tagger cannot do is refused with one line each, and a window scanner refuses the tagger's options.
  const scanner = await runCli(['scan', '-m', 'chloroplast-cds', genome, '--min-run', '5']);
  assert.equal(scanner.code, 2, scanner.stderr);
  assert.match(scanner.stderr, /^rnnseq: --min-run is for taggers/);
  for (const [args, message] of [
    [['--shard', '1/2'], /--region CHROM per job/],
    [['--extent', 'core'], /--extent is for window scanners/],
    [['--bin', '5'], /--bin sets the bins of --bedgraph/],
  ] as const) {
    const refused = await runCli(['scan', '-m', run, genome, ...args]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, message);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  }
  // Last, as the only part that needs bedtools.
  if (!needTool(t, 'bedtools')) return;
  assert.equal(
    execFileSync('bedtools', ['sort', '-i', calls], { encoding: 'utf8' }),
    readFileSync(calls, 'utf8'),
    'bedtools sort leaves the calls unchanged',
  );
  execFileSync('bedtools', ['merge', '-i', calls]);
  execFileSync('bedtools', ['merge', '-i', track]);
});

test('train --task tag: --no-bidirectional and --no-rc turn the tagger defaults off; missing or misplaced --labels are refused', async (t) => {
  const dir = tempDir(t);
  const { records, islands } = islandGenome(
    [
      ['chr1', 3000],
      ['chr2', 1500],
    ],
    12,
  );
  const genome = writeFasta(dir, 'genome.fa', records);
  const labels = join(dir, 'islands.bed');
  writeFileSync(labels, `${islands.map((i) => i.join('\t')).join('\n')}\n`);
  const run = join(dir, 'run');
  const trained = await runCli([
    'train',
    '-q',
    '-o',
    run,
    '--task',
    'tag',
    '--genome',
    genome,
    '--positives',
    labels,
    '--window',
    '60',
    '--valid-chroms',
    'chr2',
    '--no-bidirectional',
    '--no-rc',
    '--hidden',
    '4',
    '--epochs',
    '1',
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(run, 'best', 'rnnseq.json'), 'utf8'));
  assert.equal(spec.architecture.bidirectional, false);
  assert.equal(spec.window.strand, '+');
  assert.equal(spec.window.reverseComplement, false);
  assert.deepEqual(Object.keys(spec.window.thresholds), ['+']);
  assert.deepEqual(spec.classes, ['background', 'positive']);

  for (const [args, message] of [
    [['--task', 'tag', '--genome', genome], /--task tag needs --labels BED/],
    [['--genome', genome, '--labels', labels], /--labels gives per-base labels for --task tag/],
    [['--task', 'tag', '--genome', genome, '--labels', labels, '--negatives', labels], /no --negatives/],
  ] as const) {
    const refused = await runCli(['train', '-o', join(dir, 'never'), ...args]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, message);
  }
});
