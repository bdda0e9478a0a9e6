import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plantedMotifFasta } from '../motif-data.js';
import { runCli, tempDir } from '../helpers.js';

test('a run stopped after 2 epochs and resumed to 4 ends with the same weights as 4 epochs straight', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'train.fa');
  writeFileSync(data, plantedMotifFasta(400, 16, 5).fasta);
  // A plateau schedule: a cosine one (the default) decays over --epochs, so 2 epochs of a 2-epoch run are not the
  // first 2 of a 4-epoch run. Everything else the default recipe adds (front-end, EMA, weight decay) resumes exactly.
  const common = [
    '--hidden',
    '6',
    '--dropout',
    '0.2',
    '--batch-size',
    '16',
    '--patience',
    '0',
    '--lr-schedule',
    'plateau',
    '--seed',
    '9',
    '-q',
  ];
  const straight = await runCli(['train', '-o', join(dir, 'straight'), '--epochs', '4', ...common, data]);
  assert.equal(straight.code, 0, straight.stderr);
  const first = await runCli(['train', '-o', join(dir, 'split'), '--epochs', '2', ...common, data]);
  assert.equal(first.code, 0, first.stderr);
  const again = await runCli(['train', '-o', join(dir, 'split'), '--epochs', '2', ...common, data]);
  assert.equal(again.code, 2, 'an existing run is not overwritten without --resume');
  assert.match(again.stderr, /--resume/);
  const resumed = await runCli(['train', '-o', join(dir, 'split'), '--epochs', '4', '--resume', ...common, data]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const weights = (run: string) => readFileSync(join(dir, run, 'last', 'weights.bin'));
  assert.ok(weights('straight').equals(weights('split')), 'resumed weights differ from the uninterrupted run');
  const metrics = readFileSync(join(dir, 'split', 'metrics.tsv'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(metrics.length, 5, 'header + 4 epochs');
  // The checkpoint holds no wall-clock numbers; the epochs before the stop keep the ones metrics.tsv recorded.
  const seconds = metrics[0]!.split('\t').indexOf('seconds');
  assert.ok(seconds > 0, metrics[0]);
  for (const row of metrics.slice(1)) assert.ok(Number(row.split('\t')[seconds]) > 0, `no timing in: ${row}`);
});

test('--resume of a run that stopped early trains no further epoch: every file stays as it was', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'train.fa');
  writeFileSync(data, plantedMotifFasta(200, 16, 3).fasta);
  const flags = ['--hidden', '4', '--batch-size', '16', '--epochs', '40', '--patience', '1', '--seed', '4', '--threads', '1', '-q', data];
  const run = join(dir, 'run');
  const first = await runCli(['train', '-o', run, ...flags]);
  assert.equal(first.code, 0, first.stderr);
  const files = ['metrics.tsv', 'last/weights.bin', 'last/rnnseq.json', 'best/weights.bin', 'best/rnnseq.json'];
  const before = files.map((f) => readFileSync(join(run, f)));
  const epochs = before[0]!.toString().trim().split('\n').length - 1;
  assert.ok(epochs < 40, `the run should stop early with patience 1 (trained ${epochs} epochs)`);
  const resumed = await runCli(['train', '-o', run, '--resume', ...flags]);
  assert.equal(resumed.code, 0, resumed.stderr);
  files.forEach((f, i) => assert.ok(readFileSync(join(run, f)).equals(before[i]!), `${f} changed on --resume`));
});
