/**
 * The refit (src/commands/train/refit.ts): on small data a kept model with a k-mer branch is trained again on every
 * labelled sequence for the held-out run's schedule up to its chosen epoch; RUN/best is the refit and reports the
 * held-out model's validation numbers, which stays in RUN/held-out-best. Off with --no-refit, for recurrent-only
 * models, and off the small-data regime.
 */
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { TINY_MODEL_FLAGS, noisyGcTask, toFasta } from './synthetic-tasks.js';

// --epochs auto (the default, which small data needs) with a short patience, and a tiny model with a k-mer branch.
const QUICK = ['--kmer-branch', '--patience', '3', ...TINY_MODEL_FLAGS];

const records = (count: number, seed: number) => noisyGcTask(count, 60, seed);

const spec = (dir: string) => JSON.parse(readFileSync(join(dir, 'rnnseq.json'), 'utf8'));
// metrics.tsv included: a resumed run writes its history again with the timings the file recorded
const bytes = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [
        name,
        createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex')
          .slice(0, 16),
      ]),
  );
const rows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').length - 1;

test('small data: best/ is the kept model refitted on every sequence for its epochs, reporting the held-out numbers', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(150, 4)));
  const run = join(dir, 'run');
  const trained = await runCli(['train', '-o', run, '--seed', '2', '--ensemble', '1', ...QUICK, fasta]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /refitting the kept model on every labelled sequence/);
  // the held-out run validated on 15 of 150; the refit trains on all 150
  assert.match(trained.stderr, /135 training and 15 validation sequences/);
  assert.match(trained.stderr, /150 training and 15 validation sequences/);

  const heldOut = spec(join(run, 'held-out-best'));
  const best = spec(join(run, 'best'));
  const epoch = heldOut.training.epoch as number;
  assert.deepEqual(best.training.refit, { heldOut: 'held-out-best', epochs: epoch, heldOutEpoch: epoch });
  assert.equal(best.training.config.stopAfter, epoch);
  assert.equal(best.training.config.epochs, heldOut.training.config.epochs, "the held-out run's schedule");
  assert.equal(best.training.epoch, epoch);
  assert.equal(rows(join(run, 'refit', 'metrics.tsv')), epoch, 'the refit trains exactly that many epochs');
  assert.equal(best.data.trainSequences, 150);
  assert.equal(heldOut.data.trainSequences, 135);
  // The numbers, curves and predictions best/ reports are the held-out model's.
  assert.deepEqual(best.metrics, heldOut.metrics);
  assert.deepEqual(best.data.baseline, heldOut.data.baseline);
  const heldOutHistory = existsSync(join(run, 'held-out-best', 'metrics.tsv'))
    ? join(run, 'held-out-best', 'metrics.tsv')
    : join(run, 'metrics.tsv');
  assert.equal(readFileSync(join(run, 'best', 'metrics.tsv'), 'utf8'), readFileSync(heldOutHistory, 'utf8'));
  assert.equal(
    readFileSync(join(run, 'best', 'valid-predictions.tsv'), 'utf8'),
    readFileSync(join(run, 'held-out-best', 'valid-predictions.tsv'), 'utf8'),
  );
  assert.notEqual(bytes(join(run, 'best'))['weights.bin'], bytes(join(run, 'held-out-best'))['weights.bin']);
  // its own null, scored on the refitted model
  assert.ok(best.nullScores, 'the refit carries a null');

  for (const model of [run, join(run, 'held-out-best')]) {
    const classified = await runCli(['classify', '-m', model, '-q', fasta]);
    assert.equal(classified.code, 0, classified.stderr);
    assert.equal(classified.stdout.trim().split('\n').length, 151);
  }
  const report = await runCli(['report', '-q', '-o', join(dir, 'report.html'), run]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /trained again on all 150 labelled sequences/);

  // --resume of the finished run replays to the same place: the held-out model stays aside, best/ the refit.
  const before = { best: bytes(join(run, 'best')), heldOut: bytes(join(run, 'held-out-best')) };
  const resumed = await runCli(['train', '-o', run, '--seed', '2', '--ensemble', '1', '--resume', ...QUICK, fasta]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(bytes(join(run, 'held-out-best')), before.heldOut);
  assert.deepEqual(bytes(join(run, 'best')), before.best);

  // --no-refit: the held-out model is the model.
  const plain = join(dir, 'no-refit');
  const kept = await runCli(['train', '-o', plain, '--seed', '2', '--ensemble', '1', '--no-refit', ...QUICK, fasta]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.doesNotMatch(kept.stderr, /refitting/);
  assert.equal(existsSync(join(plain, 'refit')), false);
  assert.equal(existsSync(join(plain, 'held-out-best')), false);
  assert.deepEqual(bytes(join(plain, 'best'))['weights.bin'], before.heldOut['weights.bin'], 'the same model as the held-out one');
});

test('an ensemble refits each member; its validation numbers are those of its held-out members, assembled beside it', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(150, 6)));
  const run = join(dir, 'run');
  const trained = await runCli(['train', '-o', run, '--seed', '1', '--ensemble', '2', ...QUICK, fasta]);
  assert.equal(trained.code, 0, trained.stderr);
  for (const k of [1, 2]) {
    const member = join(run, 'members', String(k));
    assert.ok(spec(join(member, 'best')).training.refit, `member ${k} is refitted`);
    assert.equal(spec(join(member, 'held-out-best')).training.refit, undefined);
  }
  const best = spec(join(run, 'best'));
  const heldOut = spec(join(run, 'held-out-best'));
  assert.equal(best.ensemble.members.length, 1);
  assert.equal(heldOut.ensemble.members.length, 1);
  assert.ok(best.metrics.ensemble, 'the ensemble was scored');
  assert.deepEqual(best.metrics.ensemble, heldOut.metrics.ensemble);
  assert.equal(
    readFileSync(join(run, 'best', 'valid-predictions.tsv'), 'utf8'),
    readFileSync(join(run, 'held-out-best', 'valid-predictions.tsv'), 'utf8'),
  );
  // the held-out ensemble scores the validation split as its stored predictions say; the refit scores it otherwise
  assert.notEqual(bytes(join(run, 'best'))['member-2.weights.bin'], bytes(join(run, 'held-out-best'))['member-2.weights.bin']);
  assert.ok(best.nullScores, "the refitted ensemble's own null");

  // --resume of the assembled run: everything ends where it was.
  const snapshot = () => ['best', 'held-out-best', 'members/1/best', 'members/1/held-out-best'].map((d) => bytes(join(run, d)));
  const before = snapshot();
  const resumed = await runCli(['train', '-o', run, '--seed', '1', '--ensemble', '2', '--resume', ...QUICK, fasta]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(snapshot(), before);
});

test('no refit of a recurrent-only model, off small data (a fixed --epochs) or with a --valid file', async (t) => {
  const dir = tempDir(t);
  const fasta = join(dir, 'train.fa');
  writeFileSync(fasta, toFasta(records(150, 7)));
  const valid = join(dir, 'valid.fa');
  writeFileSync(valid, toFasta(records(40, 8)));
  const recurrent = QUICK.filter((flag) => flag !== '--kmer-branch');
  for (const [name, extra] of [
    ['recurrent', ['--no-kmer-branch']],
    ['fixed', ['--epochs', '2']],
    ['valid', ['--valid', valid]],
  ] as const) {
    const run = join(dir, name);
    const flags = name === 'recurrent' ? recurrent : QUICK;
    const trained = await runCli(['train', '-o', run, '--ensemble', '1', ...flags, ...extra, fasta]);
    assert.equal(trained.code, 0, trained.stderr);
    if (name === 'recurrent') assert.equal(spec(join(run, 'best')).architecture.kmers, undefined);
    assert.equal(existsSync(join(run, 'refit')), false, name);
    assert.equal(existsSync(join(run, 'held-out-best')), false, name);
  }
});
