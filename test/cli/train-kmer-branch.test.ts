/**
 * The k-mer branch end to end: --kmer-branch builds it with the baseline's k and strands, and the model classifies
 * held-out data of a composition task well after two epochs (it starts where the baseline is); classify, embed and
 * explain read it. By default the recipe trains it only as a second candidate, when the baseline beats the first
 * model on validation, and best/ is the better of the two; --no-kmer-branch never does. Combinations without a
 * baseline are one-line usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auroc } from '../../src/engine/metrics.js';
import { runCli, tempDir } from '../helpers.js';
import { noisyGcTask, toFasta } from './synthetic-tasks.js';

const QUICK = ['--hidden', '4', '--conv-filters', '4', '--epochs', '2', '--batch-size', '32', '--threads', '1', '-q'];

const records = (count: number, seed: number) => noisyGcTask(count, 120, seed);

test('--kmer-branch: a model started from the baseline is as good as the baseline from the start', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(300, 5)));
  const model = join(dir, 'run');
  const trained = await runCli(['train', '-o', model, ...QUICK, '--kmer-branch', fasta]);
  assert.equal(trained.code, 0, trained.stderr);
  const spec = JSON.parse(readFileSync(join(model, 'best', 'rnnseq.json'), 'utf8'));
  assert.deepEqual(spec.architecture.kmers, { k: spec.data.baseline.k, strands: spec.data.baseline.strands });

  const heldOut = records(200, 6);
  const query = join(dir, 'query.fa');
  writeFileSync(query, toFasta(heldOut));
  const classified = await runCli(['classify', '-m', model, '-q', query]);
  assert.equal(classified.code, 0, classified.stderr);
  const [header, ...rows] = classified.stdout.trim().split('\n');
  const column = header!.split('\t').indexOf('p_rich');
  assert.ok(column > 0, header);
  const scores = rows.map((row) => Number(row.split('\t')[column]));
  const positive = heldOut.map((r) => r.tags === 'label=rich');
  const area = auroc(scores, positive);
  // Labels are 10% noise: a perfect GC reader scores about 0.9; a model that had to learn GC from scratch in two
  // epochs of four units does not get there.
  assert.ok(area > 0.85, `held-out AUROC ${area}`);

  const embedded = await runCli(['embed', '-m', model, '-q', query]);
  assert.equal(embedded.code, 0, embedded.stderr);
  const explained = await runCli(['explain', '-m', model, '-q', '--target', 'rich', query]);
  assert.equal(explained.code, 0, explained.stderr);
});

test('the recipe trains the branch as a second candidate only when the baseline wins, and keeps the better', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(300, 5)));
  const spec = (path: string) => JSON.parse(readFileSync(join(path, 'rnnseq.json'), 'utf8'));
  const validMetric = (path: string) => {
    const s = spec(path);
    return { auroc: s.metrics.validAuroc as number, loss: s.metrics.validLoss as number };
  };

  // One epoch of a two-unit model reads GC content worse than the 1-mer baseline does: a second candidate.
  const run = join(dir, 'run');
  const loud = QUICK.filter((flag) => flag !== '-q');
  const trained = await runCli(['train', '-o', run, ...loud, '--hidden', '2', '--epochs', '1', fasta]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /training a candidate with a k-mer branch/);
  assert.ok(existsSync(join(run, 'kmer-branch', 'best', 'rnnseq.json')));
  // DNA: the mean-pooled candidate is for protein (candidates.ts)
  assert.equal(existsSync(join(run, 'mean-pool')), false);
  // The candidate reads the same data and split: it starts from the run's baseline fit instead of fitting it again.
  assert.equal(trained.stderr.match(/^k-mer baseline \(/gm)?.length, 1, trained.stderr);
  assert.deepEqual(spec(join(run, 'kmer-branch', 'best')).data.baseline, spec(join(run, 'last')).data.baseline);
  const best = spec(join(run, 'best'));
  const candidate = validMetric(join(run, 'kmer-branch', 'best'));
  if (best.architecture.kmers) {
    // Swapped: the recurrent-only model is kept beside, and it was the worse one on validation.
    const recurrent = validMetric(join(run, 'recurrent-best'));
    assert.ok(candidate.auroc > recurrent.auroc || (candidate.auroc === recurrent.auroc && candidate.loss < recurrent.loss));
    assert.match(trained.stderr, /is now the model with the k-mer branch/);
  } else {
    assert.ok(validMetric(join(run, 'best')).auroc >= candidate.auroc);
    assert.match(trained.stderr, /kept the recurrent-only model/);
  }

  const without = join(dir, 'without');
  const never = await runCli(['train', '-o', without, ...QUICK, '--hidden', '2', '--epochs', '1', '--no-kmer-branch', fasta]);
  assert.equal(never.code, 0, never.stderr);
  assert.equal(spec(join(without, 'best')).architecture.kmers, undefined);
  assert.equal(existsSync(join(without, 'kmer-branch')), false);
});

test('--kmer-branch without a baseline to start from is a one-line usage error', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(40, 1)));
  for (const extra of [['--no-baseline'], ['--plain'], ['--task', 'regress', '--target-tag', 'value']]) {
    const result = await runCli(['train', '-o', join(dir, `run${extra.length}`), '-q', '--epochs', '1', '--kmer-branch', ...extra, fasta]);
    assert.equal(result.code, 2, `${extra.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /--kmer-branch/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});
