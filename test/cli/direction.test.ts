import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { accuracy, labelOf, parseTsv, reverseComplement, startCodonTask, toFasta } from './synthetic-tasks.js';

test('a model trained on a start codon and reading frame drops to chance when shown the reversed sequence', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'train.fa'), toFasta(startCodonTask(400, 24, 4, 9)));
  const heldOut = startCodonTask(200, 24, 4, 10);
  writeFileSync(join(dir, 'test.fa'), toFasta(heldOut));
  const expected = heldOut.map(labelOf);
  const run = join(dir, 'run');
  const trained = await runCli([
    'train',
    '-o',
    run,
    '--cell',
    'gru',
    '--hidden',
    '16',
    '--pool',
    'max',
    '--epochs',
    '30',
    '--lr',
    '0.01',
    '--batch-size',
    '32',
    '--threads',
    '1',
    '-q',
    join(dir, 'train.fa'),
  ]);
  assert.equal(trained.code, 0, trained.stderr);

  // --batch-size 20: the first 20 records are one batch, so the other-strand check below compares like with like.
  const forward = await runCli(['classify', '-m', run, '-q', '--batch-size', '20', join(dir, 'test.fa')]);
  assert.equal(forward.code, 0, forward.stderr);
  const reversed = await runCli(['classify', '-m', run, '-q', '--reverse', join(dir, 'test.fa')]);
  assert.equal(reversed.code, 0, reversed.stderr);
  const forwardRows = parseTsv(forward.stdout).rows;
  const forwardAccuracy = accuracy(forwardRows, expected);
  const reversedAccuracy = accuracy(parseTsv(reversed.stdout).rows, expected);
  t.diagnostic(`accuracy forward ${forwardAccuracy}, --reverse ${reversedAccuracy}`);
  assert.ok(forwardAccuracy > 0.9, `forward: ${forwardAccuracy}`);
  assert.ok(reversedAccuracy < 0.65, `--reverse: ${reversedAccuracy} (ATG read backwards is GTA)`);

  // --reverse --complement shows the model the other strand: applied to reverse-complemented input, it gives back
  // exactly the rows of the input as read.
  const probe = heldOut.slice(0, 20);
  writeFileSync(join(dir, 'probe-rc.fa'), toFasta(probe.map((r) => ({ ...r, sequence: reverseComplement(r.sequence) }))));
  const otherStrand = await runCli(['classify', '-m', run, '-q', '--reverse', '--complement', join(dir, 'probe-rc.fa')]);
  assert.equal(otherStrand.code, 0, otherStrand.stderr);
  assert.deepEqual(parseTsv(otherStrand.stdout).rows, forwardRows.slice(0, 20));
});
