import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plantedMotifFasta } from '../motif-data.js';
import { runCli, tempDir, trainStraightAndResumed } from '../helpers.js';

test('a conv + attention model trained with cosine, weight decay, EMA and --epochs auto is saved with them and classifies', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'train.fa');
  writeFileSync(data, plantedMotifFasta(200, 30, 3).fasta);
  const out = join(dir, 'run');
  const trained = await runCli([
    'train',
    '-o',
    out,
    // Exactly these options, none of the default recipe's data-driven ones (test/cli/train-recipe-defaults.test.ts).
    '--plain',
    '--conv',
    '--conv-filters',
    '8',
    '--conv-width',
    '5',
    '--conv-pool',
    '3',
    '--pool',
    'attention',
    '--bidirectional',
    '--hidden',
    '6',
    '--lr-schedule',
    'cosine',
    '--warmup',
    '0.5',
    '--weight-decay',
    '0.01',
    '--ema',
    '0.9',
    '--epochs',
    'auto',
    '--patience',
    '0',
    '--batch-size',
    '200',
    '--seed',
    '2',
    '--json',
    data,
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(out, 'best', 'rnnseq.json'), 'utf8'));
  assert.deepEqual(spec.architecture.conv, { filters: 8, width: 5, pool: 3, dropout: 0.1 });
  assert.equal(spec.architecture.pool, 'attention');
  const config = spec.training.config;
  assert.equal(config.lrSchedule, 'cosine');
  assert.equal(config.warmupEpochs, 0.5);
  assert.equal(config.weightDecay, 0.01);
  assert.equal(config.ema, 0.9);
  assert.equal(config.budget, 'auto');
  // 180 training sequences in one batch: 1 step per epoch, so ~1,500 steps is capped at 150 epochs.
  assert.equal(config.epochs, 150);
  const metrics = readFileSync(join(out, 'metrics.tsv'), 'utf8').trim().split('\n');
  assert.equal(metrics.length, 151, 'patience 0 stays 0: every epoch of the budget runs');

  const classified = await runCli(['classify', '-m', join(out, 'best'), '-q', data]);
  assert.equal(classified.code, 0, classified.stderr);
  const rows = classified.stdout.trim().split('\n').slice(1);
  assert.equal(rows.length, 200);

  const embedded = await runCli(['embed', '-m', join(out, 'best'), '-q', data]);
  assert.equal(embedded.code, 0, embedded.stderr);
  const perPosition = await runCli(['embed', '-m', join(out, 'best'), '--per-position', '-q', data]);
  assert.equal(perPosition.code, 2);
  assert.match(perPosition.stderr, /pools every 3 positions \(--conv-pool\).*no output per position/);
  assert.doesNotMatch(perPosition.stderr, /\n\s+at /, 'no stack trace');
});

test('a run with a weight average stopped after 2 epochs and resumed to 4 ends with the same weights as 4 straight', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'train.fa');
  writeFileSync(data, plantedMotifFasta(160, 20, 5).fasta);
  const common = [
    '--plain',
    '--conv',
    '--conv-filters',
    '6',
    '--conv-width',
    '3',
    '--conv-pool',
    '2',
    '--hidden',
    '5',
    '--ema',
    '0.8',
    '--weight-decay',
    '0.05',
    '--batch-size',
    '16',
    '--patience',
    '0',
    '--seed',
    '4',
    '-q',
  ];
  await trainStraightAndResumed(dir, common, data);
  for (const file of ['weights.bin', 'optimizer.bin']) {
    const bytes = (run: string) => readFileSync(join(dir, run, 'last', file));
    assert.ok(bytes('straight').equals(bytes('split')), `resumed ${file} differs from the uninterrupted run`);
  }
});

test('recipe flags are checked at the edge: conv shapes need --conv, a language model takes no conv, a tagger no pooling', async () => {
  for (const off of ['--no-conv', '--plain']) {
    const width = await runCli(['train', '-o', '/nonexistent/x', off, '--conv-width', '9', 'x.fa']);
    assert.equal(width.code, 2);
    assert.match(width.stderr, /--conv-width shapes the convolutional front-end, which is off/);
  }
  const lm = await runCli(['train', '-o', '/nonexistent/x', '--task', 'lm', '--conv', 'x.fa']);
  assert.equal(lm.code, 2);
  assert.match(lm.stderr, /language model cannot have a convolutional front-end/);
  const tag = await runCli(['train', '-o', '/nonexistent/x', '--task', 'tag', '--genome', 'g.fa', '--labels', 'l.bed', '--conv']);
  assert.equal(tag.code, 2);
  assert.match(tag.stderr, /--conv with --task tag needs --conv-pool 1/);
  const ema = await runCli(['train', '-o', '/nonexistent/x', '--ema', '1', 'x.fa']);
  assert.equal(ema.code, 2);
  assert.match(ema.stderr, /--ema must be a number >= 0 and <= 0.99999/);
});
