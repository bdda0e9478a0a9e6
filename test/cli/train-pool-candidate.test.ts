/**
 * The recipe's mean-pooled candidate (src/commands/train/candidates.ts): a protein model under the recipe's max
 * pooling that the k-mer baseline beats on validation gets a mean-pooled rival, and best/ is whichever validated
 * better; a --pool given on the command line is never second-guessed (DNA never gets one: train-kmer-branch.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../src/seq/random.js';
import { runCli, tempDir } from '../helpers.js';
import { type SyntheticRecord, toFasta } from './synthetic-tasks.js';

const RESIDUES = 'ACDEFGHIKLMNPQSTVWY';

/** Acidic against basic proteins of 60-100 residues told apart by composition alone, a tenth of labels flipped. */
function chargeTask(count: number, seed: number): SyntheticRecord[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const acidic = i % 2 === 0;
    const charged = acidic ? 'DE' : 'KR';
    const length = 60 + random.int(41);
    const sequence = Array.from({ length }, () =>
      random.next() < 0.15 ? charged[random.int(2)] : RESIDUES[random.int(RESIDUES.length)],
    ).join('');
    return { id: `p${i}`, tags: `label=${acidic !== (i % 10 === 9) ? 'acidic' : 'basic'}`, sequence };
  });
}

// One epoch of a two-unit model reads composition worse than the k-mer baseline does: the candidates follow.
const WEAK = ['--hidden', '2', '--conv-filters', '4', '--epochs', '1', '--batch-size', '32', '--threads', '1', '--ensemble', '1'];

const spec = (path: string) => JSON.parse(readFileSync(join(path, 'rnnseq.json'), 'utf8'));
const validOf = (path: string) => ({ auroc: spec(path).metrics.validAuroc as number, loss: spec(path).metrics.validLoss as number });

test('a protein model behind the k-mer baseline gets a mean-pooled candidate, and best/ is the better of the two', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(chargeTask(300, 3)));
  const run = join(dir, 'run');
  const trained = await runCli(['train', '-o', run, ...WEAK, fasta]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /training a candidate with mean pooling \(protein\)/);
  const candidate = join(run, 'mean-pool', 'best');
  assert.equal(spec(candidate).architecture.pool, 'mean');
  // It is a rival for the first model's place: no candidates of its own.
  assert.equal(existsSync(join(run, 'mean-pool', 'kmer-branch')), false);
  assert.equal(existsSync(join(run, 'mean-pool', 'mean-pool')), false);
  const best = spec(join(run, 'best'));
  if (best.architecture.pool === 'mean' && !best.architecture.kmers) {
    const max = validOf(join(run, 'max-pool-best'));
    const mean = validOf(candidate);
    assert.equal(spec(join(run, 'max-pool-best')).architecture.pool, 'max');
    assert.ok(mean.auroc > max.auroc || (mean.auroc === max.auroc && mean.loss < max.loss), JSON.stringify({ mean, max }));
    assert.match(trained.stderr, /is now the model with mean pooling/);
  } else if (!best.architecture.kmers) {
    assert.equal(best.architecture.pool, 'max');
    assert.ok(validOf(join(run, 'best')).auroc >= validOf(candidate).auroc);
    assert.match(trained.stderr, /kept the max model/);
  }
  // Still behind the baseline after both: the k-mer branch candidate, compared with whichever was kept.
  const kept = best.architecture.kmers ? validOf(join(run, 'recurrent-best')) : validOf(join(run, 'best'));
  const baseline = spec(join(run, 'last')).data.baseline.validMetric as number;
  if (kept.auroc <= baseline) assert.ok(existsSync(join(run, 'kmer-branch', 'best', 'rnnseq.json')), trained.stderr);

  const classified = await runCli(['classify', '-m', run, '-q', fasta]);
  assert.equal(classified.code, 0, classified.stderr);

  // A candidate in best/ carries its own run's history, and report draws those curves, not the first model's.
  const winner = best.architecture.kmers ? 'kmer-branch' : best.architecture.pool === 'mean' ? 'mean-pool' : undefined;
  if (winner) {
    assert.equal(readFileSync(join(run, 'best', 'metrics.tsv'), 'utf8'), readFileSync(join(run, winner, 'metrics.tsv'), 'utf8'));
    const report = await runCli(['report', '-q', '-o', join(dir, 'report.html'), run]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /history from [^<]*best\/metrics\.tsv/);
  } else assert.equal(existsSync(join(run, 'best', 'metrics.tsv')), false);

  // --resume replays the candidates from the first model: every model ends where it was, the max one included.
  const pools = () =>
    ['best', 'max-pool-best', 'recurrent-best'].map((name) =>
      existsSync(join(run, name))
        ? `${spec(join(run, name)).architecture.pool}${spec(join(run, name)).architecture.kmers ? '+kmers' : ''}`
        : '-',
    );
  const before = pools();
  const resumed = await runCli(['train', '-o', run, ...WEAK, '--resume', fasta]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(pools(), before);
  if (existsSync(join(run, 'max-pool-best'))) assert.equal(before[1], 'max');

  // --no-kmer-branch leaves out the branch, not the pooling rival.
  const noBranch = join(dir, 'no-branch');
  const alone = await runCli(['train', '-o', noBranch, ...WEAK, '--no-kmer-branch', fasta]);
  assert.equal(alone.code, 0, alone.stderr);
  assert.ok(existsSync(join(noBranch, 'mean-pool', 'best', 'rnnseq.json')), alone.stderr);
  assert.equal(existsSync(join(noBranch, 'kmer-branch')), false);
  assert.equal(spec(join(noBranch, 'best')).architecture.kmers, undefined);
});

test('a --pool max given on the command line gets no mean-pooled candidate', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(chargeTask(200, 4)));
  const given = join(dir, 'given');
  const trained = await runCli(['train', '-o', given, ...WEAK, '--pool', 'max', fasta]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.doesNotMatch(trained.stderr, /mean pooling/);
  assert.equal(existsSync(join(given, 'mean-pool')), false);
  assert.equal(spec(join(given, 'best')).architecture.pool, 'max');
});
